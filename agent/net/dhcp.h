/* dhcp.h - DHCPv4 client: one state machine per NIC, driven by one poll() loop */
#ifndef PXEROOT_DHCP_H
#define PXEROOT_DHCP_H

#include <stdint.h>

#include "dhcp_codec.h"
#include "link.h"

enum dhcp_state { DHCP_S_SELECTING, DHCP_S_REQUESTING, DHCP_S_BOUND };

struct dhcp_client {
	struct nic nic;
	int fd;                     /* AF_PACKET socket bound to the NIC */
	enum dhcp_state state;
	uint32_t xid;
	unsigned tries;             /* transmissions in this state */
	uint64_t start_ms;          /* when DISCOVER was first sent (for secs and the log) */
	uint64_t next_ms;           /* next retransmission */
	struct dhcp_lease offer;    /* the OFFER we are requesting */
	struct dhcp_lease lease;    /* the ACK */
};

/* Open the socket and send the first DISCOVER. */
int dhcp_client_start(struct dhcp_client *c, const struct nic *nic);
/* Read and handle one packet; returns 1 once bound, 0 otherwise, negative errno on socket errors. */
int dhcp_client_input(struct dhcp_client *c);
/* Retransmit if due at NOW. */
int dhcp_client_tick(struct dhcp_client *c, uint64_t now);
/* Close the socket. */
void dhcp_client_stop(struct dhcp_client *c);
/* Run clients C[0..N) until one is bound or TIMEOUT_S passes; returns its index or -ETIMEDOUT. */
int dhcp_run(struct dhcp_client *c, size_t n, unsigned timeout_s);

#endif
