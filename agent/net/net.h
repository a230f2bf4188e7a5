/* net.h - the network stage: pick a NIC, configure it, write the files others read */
#ifndef PXEROOT_NET_H
#define PXEROOT_NET_H

#include "../plan.h"
#include "dhcp_codec.h"
#include "link.h"

struct net_result {
	struct nic nic;
	struct dhcp_lease lease;
	char pxeserver[64];   /* next-server, else the DHCP server: the ${pxeserver} of archiso */
};

/* Bring the network up as PLAN says; fill RES. 0 or negative errno (already logged). */
int net_up(const struct plan *plan, struct net_result *res);
/* Write /etc/resolv.conf and /run/pxeroot/net-IFACE.conf for RES under ROOT ("" for /). */
int net_write_files(const struct net_result *res, const char *root);

/* Copy /etc/resolv.conf into NEWROOT/etc/ (archiso's copy_resolvconf), unless the new root has a
 * symlink there (it manages its own resolver). 0 or negative errno (logged). */
int net_copy_resolv(const char *newroot);

#endif
