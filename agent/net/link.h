/* link.h - network interfaces: list them and configure them (rtnetlink).
 *
 * Functions that return an int return 0 (or a count) or a negative errno; those that change or
 * list interfaces log their failure in one line naming the interface and the cause, so callers
 * do not log it again; link_carriers, called in a loop, does not log. */
#ifndef PXEROOT_LINK_H
#define PXEROOT_LINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nic {
	char name[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[6];
	bool up;      /* IFF_UP when listed */
	bool carrier; /* IFF_LOWER_UP when listed */
};

/* Ethernet interfaces in ifindex order, at most MAX, from one RTM_GETLINK dump; returns the
 * count or a negative errno (logged). */
int link_list(struct nic *out, size_t max);
/* Refresh the carrier of NICS[0..N) with one dump. 0 or negative errno (not logged: the caller
 * looks again). */
int link_carriers(struct nic *nics, size_t n);
/* A non-blocking rtnetlink socket that becomes readable when any link changes (RTMGRP_LINK), for
 * waiting on carrier without polling; the fd or a negative errno (logged). */
int link_watch_open(void);
/* Read every queued notification of the watch socket FD and update the carrier of the NICS[0..N)
 * they name; returns true when the notifications may have been lost (buffer overrun), so the
 * caller should look with link_carriers. */
bool link_watch_read(int fd, struct nic *nics, size_t n);
/* Set IFF_UP (UP true) or clear it. 0 or a negative errno (logged). */
int link_set_up(const struct nic *nic, int up);
/* Hold back IPv6 autoconfiguration on interface IFNAME (HOLD true: disable_ipv6=1; the first
 * hold also sets the default for interfaces created later) or give back the value the default
 * had ("default" last). A kernel without IPv6 is not an error. */
void link_ipv6_hold(const char *ifname, bool hold);
/* Set the MTU. 0 or a negative errno (logged). */
int link_set_mtu(const struct nic *nic, unsigned mtu);
/* Add ADDR/PREFIX with broadcast BRD. 0 or a negative errno (logged). */
int addr_add(const struct nic *nic, struct in_addr addr, unsigned prefix, struct in_addr brd);
/* Add a route to DST/PREFIX via GW (0.0.0.0 for on-link) out of NIC. 0 or a negative errno
 * (logged). */
int route_add(const struct nic *nic, struct in_addr dst, unsigned prefix, struct in_addr gw);
/* Remove every IPv4 address of NICS[0..N) with one dump (a reset before configuring). 0 or the
 * negative errno of the dump (logged); an address that cannot be deleted is logged and stays. */
int addr_flush(const struct nic *nics, size_t n);
/* MAC M as "aa:bb:cc:dd:ee:ff" into BUF (NIC_MAC_TEXT bytes); returns BUF. */
#define NIC_MAC_TEXT 18
const char *nic_mac_text(const uint8_t *m, char *buf);
/* Prefix length of a netmask, or -1 if it is not contiguous. */
int netmask_prefix(struct in_addr mask);

#endif
