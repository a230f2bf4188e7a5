/* dhcp.h - DHCPv4 client: one state machine per NIC, driven by one poll() loop */
#ifndef PXEROOT_DHCP_H
#define PXEROOT_DHCP_H

#include <stdint.h>

#include "dhcp_codec.h"
#include "link.h"

/* IDLE: not started (no carrier yet); DROPPED: given up (no carrier in time, socket error). */
enum dhcp_state { DHCP_S_IDLE, DHCP_S_SELECTING, DHCP_S_REQUESTING, DHCP_S_BOUND, DHCP_S_DROPPED };

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
#define DHCP_MAX_NICS 16

/* The one event loop: start a client on each of NICS[0..N) as soon as it reports carrier (for up
 * to CARRIER_TIMEOUT_S), and run them all until the first lease (within DHCP_TIMEOUT_S of the
 * first start). Returns the winner's index with its lease in *LEASE; -ENOLINK when no NIC got
 * carrier, -ETIMEDOUT when no lease came, -ENETDOWN when every socket failed. Logs nothing
 * final: the caller names the outcome. */
int dhcp_acquire(const struct nic *nics, size_t n, unsigned carrier_timeout_s, unsigned dhcp_timeout_s,
		 struct dhcp_lease *lease);

#endif
