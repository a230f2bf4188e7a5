/* dhcp.h - DHCPv4 client: one state machine per NIC, all driven by one poll() loop over one
 * packet socket */
#ifndef PXEROOT_DHCP_H
#define PXEROOT_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include "net/dhcp_codec.h"
#include "net/link.h"

/* IDLE: not started (no carrier yet); DROPPED: given up (no carrier in time, send error). */
enum dhcp_state { DHCP_S_IDLE, DHCP_S_SELECTING, DHCP_S_REQUESTING, DHCP_S_BOUND, DHCP_S_DROPPED };

struct dhcp_client {
	struct nic nic;
	int fd;                     /* the shared packet socket (not owned) */
	enum dhcp_state state;
	uint32_t xid;
	unsigned tries;             /* transmissions in this state */
	uint64_t start_ms;          /* when DISCOVER was first sent (for secs) */
	uint64_t next_ms;           /* next retransmission */
	struct dhcp_lease offer;    /* the OFFER we are requesting */
	struct dhcp_lease lease;    /* the ACK */
};

#define DHCP_MAX_NICS 16

/* The one event loop: start a client on each of NICS[0..N) as soon as it reports carrier (for up
 * to CARRIER_TIMEOUT_S), and run them all until the first lease (within DHCP_TIMEOUT_S of the
 * first start). Returns the winner's index with its lease in *LEASE; -ENOLINK when no NIC got
 * carrier, -ETIMEDOUT when no lease came, -ENETDOWN when every client failed; another negative
 * errno when the packet socket cannot be set up or poll() fails. Logs nothing final: the caller
 * names the outcome (a send error is logged where it drops its NIC). */
int dhcp_acquire(const struct nic *nics, size_t n, unsigned carrier_timeout_s, unsigned dhcp_timeout_s,
		 struct dhcp_lease *lease);

#endif
