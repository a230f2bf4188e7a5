/* dhcp.c - DHCPv4 client (RFC 2131 §4.4) over an AF_PACKET socket, so it works before the NIC has
 * an address and receives unicast and broadcast replies alike.
 *
 * SELECTING: DISCOVER, retransmitted with exponential backoff (1 s doubling to 60 s, jitter);
 *            the first OFFER moves to REQUESTING.
 * REQUESTING: REQUEST naming the offer's server; ACK -> BOUND, NAK -> back to SELECTING.
 * Every client exposes its fd and its next deadline, so many NICs share one poll() loop. */
#define _GNU_SOURCE
#include "dhcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../log.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

/* A random 32-bit value (xid, jitter); GRND_INSECURE never blocks, even before the pool is
 * initialised in early boot. */
static uint32_t rand32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), GRND_INSECURE) != sizeof(v))
		v = (uint32_t)now_ms() * 2654435761u;
	return v;
}

/* Delay before retransmission number TRIES: 1, 2, 4 ... 60 s, with up to ±1 s of jitter
 * (±0.5 s for the first). */
static uint64_t backoff_ms(unsigned tries)
{
	uint64_t base = tries >= 6 ? 60000 : 1000u << tries;
	if (base > 60000)
		base = 60000;
	uint64_t span = base >= 2000 ? 2000 : 1000;
	return base - span / 2 + rand32() % span;
}

/* Build and broadcast a message of TYPE for the current state. */
static int dhcp_send(struct dhcp_client *c, uint8_t type)
{
	struct dhcp_request req = {
		.type = type,
		.xid = c->xid,
		.secs = (uint16_t)((now_ms() - c->start_ms) / 1000),
	};
	memcpy(req.mac, c->nic.mac, 6);
	if (type == DHCP_REQUEST) {
		req.requested = c->offer.addr;
		req.server_id = c->offer.server_id;
	}
	uint8_t payload[576], frame[640];
	int plen = dhcp_build(&req, payload, sizeof(payload));
	struct udp_ends ends = {
		.dst.s_addr = INADDR_BROADCAST,
		.sport = DHCP_CLIENT_PORT,
		.dport = DHCP_SERVER_PORT,
	};
	int flen = plen < 0 ? plen : udp_frame_build(&ends, payload, (size_t)plen, frame, sizeof(frame));
	if (flen < 0)
		return log_err(flen, "dhcp %s: cannot build message: %s", c->nic.name, strerror(-flen));

	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = c->nic.ifindex,
		.sll_halen = 6,
	};
	memset(to.sll_addr, 0xff, 6);
	if (sendto(c->fd, frame, (size_t)flen, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return log_err(-errno, "dhcp %s: send: %s", c->nic.name, strerror(errno));
	c->next_ms = now_ms() + backoff_ms(c->tries++);
	log_debug("dhcp %s: sent %s xid 0x%08x", c->nic.name, type == DHCP_DISCOVER ? "DISCOVER" : "REQUEST", c->xid);
	return 0;
}

/* Open an AF_PACKET/ETH_P_IP datagram socket on NIC with checksum-offload status reporting. */
static int packet_socket(const struct nic *nic)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP));
	if (fd < 0)
		return log_err(-errno, "dhcp %s: packet socket: %s", nic->name, strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	struct sockaddr_ll sa = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = nic->ifindex,
	};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return log_err(r, "dhcp %s: bind: %s", nic->name, strerror(-r));
	}
	return fd;
}

/* Start in SELECTING with a fresh xid. */
static int dhcp_restart(struct dhcp_client *c)
{
	c->state = DHCP_S_SELECTING;
	c->xid = rand32();
	c->tries = 0;
	return dhcp_send(c, DHCP_DISCOVER);
}

/* Open the socket and send DISCOVER. */
int dhcp_client_start(struct dhcp_client *c, const struct nic *nic)
{
	memset(c, 0, sizeof(*c));
	c->nic = *nic;
	c->start_ms = now_ms();
	c->fd = packet_socket(nic);
	if (c->fd < 0)
		return c->fd;
	return dhcp_restart(c);
}

/* Receive one frame; return its length, 0 when there is nothing or it is not for us. Sets
 * *CSUM_UNKNOWN when the kernel reports the checksum as not yet computed. */
static ssize_t recv_frame(struct dhcp_client *c, uint8_t *buf, size_t cap, bool *csum_unknown)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	*csum_unknown = false;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;
			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			*csum_unknown = aux.tp_status & TP_STATUS_CSUMNOTREADY;
		}
	}
	return n;
}

/* Handle a parsed reply of TYPE in the current state; 1 when bound. */
static int dhcp_handle(struct dhcp_client *c, int type, const struct dhcp_lease *msg)
{
	if (c->state == DHCP_S_SELECTING && type == DHCP_OFFER && msg->addr.s_addr) {
		c->offer = *msg;
		if (!c->offer.server_id.s_addr)
			c->offer.server_id = msg->next_server;
		c->state = DHCP_S_REQUESTING;
		c->tries = 0;
		char a[INET_ADDRSTRLEN], sv[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &msg->addr, a, sizeof(a));
		inet_ntop(AF_INET, &c->offer.server_id, sv, sizeof(sv));
		log_debug("dhcp %s: OFFER %s from %s", c->nic.name, a, sv);
		return dhcp_send(c, DHCP_REQUEST);
	}
	if (c->state != DHCP_S_REQUESTING)
		return 0;
	if (type == DHCP_NAK) {
		log_info("dhcp %s: NAK from %s, starting over", c->nic.name, inet_ntoa(msg->server_id));
		return dhcp_restart(c);
	}
	if (type == DHCP_ACK && msg->addr.s_addr) {
		c->lease = *msg;
		if (!c->lease.server_id.s_addr)
			c->lease.server_id = c->offer.server_id;
		c->state = DHCP_S_BOUND;
		return 1;
	}
	return 0;
}

/* Read and act on one packet. */
int dhcp_client_input(struct dhcp_client *c)
{
	uint8_t buf[2048];
	bool csum_unknown = false;
	ssize_t n = recv_frame(c, buf, sizeof(buf), &csum_unknown);
	if (n <= 0)
		return (int)n;
	const uint8_t *payload;
	size_t plen;
	struct dhcp_lease msg;
	if (udp_frame_parse(buf, (size_t)n, csum_unknown, &payload, &plen) < 0)
		return 0;
	int type = dhcp_parse(payload, plen, c->xid, c->nic.mac, &msg);
	if (type < 0)
		return 0;
	return dhcp_handle(c, type, &msg);
}

/* Retransmit when the deadline has passed (RFC 2131 §4.1). */
int dhcp_client_tick(struct dhcp_client *c, uint64_t now)
{
	if (c->state == DHCP_S_BOUND || now < c->next_ms)
		return 0;
	/* a REQUEST that goes unanswered four times means the offer is gone: discover again */
	if (c->state == DHCP_S_REQUESTING && c->tries >= 4)
		return dhcp_restart(c);
	return dhcp_send(c, c->state == DHCP_S_SELECTING ? DHCP_DISCOVER : DHCP_REQUEST);
}

/* Close the client's socket. */
void dhcp_client_stop(struct dhcp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Milliseconds until the earliest retransmission or DEADLINE, from NOW. */
static int poll_timeout(const struct dhcp_client *c, size_t n, uint64_t now, uint64_t deadline)
{
	uint64_t t = deadline;
	for (size_t i = 0; i < n; i++)
		if (c[i].fd >= 0 && c[i].next_ms < t)
			t = c[i].next_ms;
	return t <= now ? 0 : (int)(t - now);
}

/* The shared event loop. */
int dhcp_run(struct dhcp_client *c, size_t n, unsigned timeout_s)
{
	struct pollfd pfd[16];
	if (n > 16)
		n = 16;
	uint64_t deadline = now_ms() + (uint64_t)timeout_s * 1000;
	for (;;) {
		uint64_t now = now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = c[i].fd, .events = POLLIN};
		int r = poll(pfd, n, poll_timeout(c, n, now, deadline));
		if (r < 0 && errno != EINTR)
			return -errno;
		now = now_ms();
		size_t alive = 0;
		for (size_t i = 0; i < n; i++) {
			if (c[i].fd < 0)
				continue;
			int b = (pfd[i].revents & POLLIN) ? dhcp_client_input(&c[i]) : 0;
			if (b == 1)
				return (int)i;
			if (b < 0 || dhcp_client_tick(&c[i], now) < 0)
				dhcp_client_stop(&c[i]); /* a broken socket drops this NIC only */
			alive += c[i].fd >= 0;
		}
		if (!alive)
			return -ENETDOWN;
	}
}
