/* dhcp_codec.h - DHCPv4 messages (RFC 2131/2132) and the IPv4+UDP frame around them.
 * Pure functions on byte buffers: no sockets, no state; unit-tested and fuzzed. */
#ifndef PXEROOT_DHCP_CODEC_H
#define PXEROOT_DHCP_CODEC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
};

#define DHCP_MAX_DNS 8
#define DHCP_MAX_ROUTES 16
#define DHCP_MAX_NTP 4
#define DHCP_CLIENT_PORT 68
#define DHCP_SERVER_PORT 67

/* One classless static route (option 121); GW 0.0.0.0 means on-link. */
struct dhcp_route {
	struct in_addr dst;
	uint8_t prefix;
	struct in_addr gw;
};

/* What a server said in an OFFER or ACK. Strings are NUL-terminated and cut to size, except host
 * and domain names: one that does not fit or holds anything but letters, digits, '-', '_' and '.'
 * is dropped (they end up in resolv.conf and shell-sourced files). An option 121 that is malformed
 * or has more than DHCP_MAX_ROUTES routes is ignored as a whole (a partial route table is worse
 * than the router of option 3). */
struct dhcp_lease {
	uint8_t type;                   /* DHCP_OFFER, DHCP_ACK, ... */
	struct in_addr addr;            /* yiaddr */
	struct in_addr next_server;     /* siaddr */
	struct in_addr server_id;       /* option 54 */
	struct in_addr netmask;         /* option 1 */
	struct in_addr router;          /* option 3, first router */
	struct in_addr broadcast;       /* option 28 */
	struct in_addr dns[DHCP_MAX_DNS]; /* option 6 */
	unsigned ndns;
	struct dhcp_route routes[DHCP_MAX_ROUTES]; /* option 121 */
	unsigned nroutes;
	bool classless;                 /* option 121 was present and well-formed */
	struct in_addr ntp[DHCP_MAX_NTP]; /* option 42 */
	unsigned nntp;
	uint32_t lease_s;               /* option 51 */
	uint16_t mtu;                   /* option 26, 0 when absent */
	char hostname[64];              /* option 12 */
	char domain[256];               /* option 15 */
	char search[256];               /* option 119, names separated by spaces */
	char root_path[256];            /* option 17 */
	char tftp_server[256];          /* option 66, or the sname field */
	char bootfile[256];             /* option 67, or the file field */
};

/* Fields of a message we send. */
struct dhcp_request {
	uint8_t type;                   /* DHCP_DISCOVER or DHCP_REQUEST */
	uint32_t xid;
	uint16_t secs;
	uint8_t mac[6];
	struct in_addr requested;       /* option 50, 0 = none */
	struct in_addr server_id;       /* option 54, 0 = none */
	const char *hostname;           /* option 12, NULL = none */
};

/* Write the BOOTP/DHCP payload for REQ into BUF (at least 548 bytes); returns its length or
 * -ENOSPC. */
int dhcp_build(const struct dhcp_request *req, uint8_t *buf, size_t cap);
/* Parse a BOOTREPLY for transaction XID and hardware address MAC into OUT; returns the message
 * type (> 0) or -EINVAL when it is not a well-formed reply to us. */
int dhcp_parse(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6], struct dhcp_lease *out);

/* Both ends of a UDP datagram; ports in host order. */
struct udp_ends {
	struct in_addr src, dst;
	uint16_t sport, dport;
};

/* Wrap PAYLOAD in IPv4 + UDP between the ends E (a client sends 0.0.0.0:68 -> 255.255.255.255:67);
 * returns the frame length or -ENOSPC. */
int udp_frame_build(const struct udp_ends *e, const uint8_t *payload, size_t len, uint8_t *buf, size_t cap);
/* Check an IPv4 packet is UDP to port 68 with sane lengths and checksums (the UDP checksum is
 * skipped when CSUM_UNKNOWN, i.e. the kernel left it to offload); point *PAYLOAD at the UDP
 * data. 0 or -EINVAL. */
int udp_frame_parse(const uint8_t *pkt, size_t len, bool csum_unknown, const uint8_t **payload, size_t *plen);

#endif
