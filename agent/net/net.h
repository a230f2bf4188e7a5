/* net.h - the network stage: pick NICs, configure them, write the files others read */
#ifndef PXEROOT_NET_H
#define PXEROOT_NET_H

#include "net/dhcp_codec.h"
#include "net/ipconf.h"
#include "net/link.h"

/* One configured interface. A static configuration is expressed as a lease too. */
struct net_iface {
	struct nic nic;
	enum ipc_method method;       /* IPC_DHCP or IPC_STATIC */
	struct dhcp_lease lease;
};

struct net_result {
	struct net_iface ifs[IPCONF_MAX];
	unsigned n;
	char pxeserver[64];           /* next-server, else the DHCP server: archiso's ${pxeserver} */
	struct in_addr dns[IPCONF_MAX_DNS + 2 * DHCP_MAX_DNS]; /* nameserver=, then each interface's */
	unsigned ndns;
	char search[256];             /* option 119, else the domain */
};

/* The network stage's kernel modules for an initramfs, NULL-terminated: AF_PACKET (DHCP's socket)
 * and the NIC drivers, those of virtual machines and clouds and the usual wired ones of servers,
 * desktops and USB adapters with their host controllers (`pxeroot modules --net`, which every
 * generator's adapter installs). For a network source the boot loads, by modalias, only these
 * before the network stage (boot.c); for the others, every device's driver. */
extern const char *const net_modules[];

/* Set every Ethernet link up right after the drivers load, so carrier negotiation (seconds on
 * real NICs) overlaps whatever runs before the network stage. Best effort: net_up does it again. */
void net_links_up_early(void);
/* Hold IPv6 autoconfiguration back on interfaces created from now on, until net_up is done. */
void net_ipv6_hold(void);
/* Bring the network up as CFG says; fill RES. 0 or negative errno (already logged). */
int net_up(const struct net_config *cfg, struct net_result *res);
/* Copy /etc/resolv.conf into NEWROOT/etc/ (archiso's copy_resolvconf), unless the new root has a
 * symlink there (it manages its own resolver). 0 or negative errno (logged). */
int net_copy_resolv(const char *newroot);

/* The root stays on the network (NFS): add ROOT_ON_NETWORK='yes' to each net-IFACE.conf and,
 * when NEWROOT has systemd-networkd, write /run/systemd/network/10-pxeroot-IFACE.network with
 * KeepConfiguration=yes so that it does not take the address away. 0 or negative errno (logged). */
int net_keep(const struct net_result *res, const char *newroot);

#endif
