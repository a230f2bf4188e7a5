/* dhcp.c - DHCPv4 client (RFC 2131 §4.4) over one AF_PACKET socket for all NICs, so it works
 * before a NIC has an address and receives unicast and broadcast replies alike. One socket, not
 * one per NIC: binding and closing packet sockets each wait for an RCU grace period, which made
 * every extra NIC cost milliseconds. A BPF filter passes only UDP to port 68.
 *
 * SELECTING: DISCOVER, retransmitted with exponential backoff (1 s doubling to 60 s, jitter);
 *            the first OFFER moves to REQUESTING.
 * REQUESTING: REQUEST naming the offer's server; ACK -> BOUND, NAK -> back to SELECTING.
 * Every client exposes its fd and its next deadline, so many NICs share one poll() loop. */
#define _GNU_SOURCE
#include "net/dhcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

#define CARRIER_RECHECK_MS 500 /* carrier look without a notification (none should be missed) */
#define CARRIER_POLL_MS 50     /* when link notifications are not available */
#define SAY_CARRIER_MS 2000    /* how often the console hears what the loop waits for */
#define SAY_LEASE_MS 3000

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
		return log_errno(flen, "dhcp %s: cannot build message", c->nic.name);

	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = c->nic.ifindex,
		.sll_halen = 6,
	};
	memset(to.sll_addr, 0xff, 6);
	if (sendto(c->fd, frame, (size_t)flen, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return log_errno(-errno, "dhcp %s: send", c->nic.name);
	c->next_ms = now_ms() + backoff_ms(c->tries++);
	log_debug("dhcp %s: sent %s xid 0x%08x", c->nic.name, type == DHCP_DISCOVER ? "DISCOVER" : "REQUEST", c->xid);
	return 0;
}

/* Open the shared AF_PACKET/ETH_P_IP datagram socket, filtered to unfragmented UDP to port 68,
 * reporting checksum-offload status (best effort: without it every checksum is checked). The fd,
 * or a negative errno that dhcp_acquire's caller logs. */
static int packet_socket(void)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),               /* IP protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),               /* flags + fragment offset */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 4, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),              /* X = IP header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),               /* UDP destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DHCP_CLIENT_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	/* protocol 0 at creation and ETH_P_IP at bind: the hook is registered once */
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	struct sockaddr_ll sa = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP)};
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
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

/* Begin on NIC over the shared socket FD: send DISCOVER. */
static int dhcp_client_start(struct dhcp_client *c, const struct nic *nic, int fd)
{
	memset(c, 0, sizeof(*c));
	c->nic = *nic;
	c->fd = fd;
	c->start_ms = now_ms();
	return dhcp_restart(c);
}

/* Receive one frame from the shared socket; its length (0 when there is none), the receiving
 * interface in *IFINDEX, and in *CSUM_UNKNOWN whether the kernel left the checksum to offload. */
static ssize_t recv_frame(int fd, uint8_t *buf, size_t cap, int *ifindex, bool *csum_unknown)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct sockaddr_ll from;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	*ifindex = from.sll_ifindex;
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

/* Act on one received IPv4 frame FRAME of LEN bytes; 1 once bound, 0 to go on, or the negative
 * errno of a send that failed (logged). */
static int dhcp_client_input(struct dhcp_client *c, const uint8_t *frame, size_t len, bool csum_unknown)
{
	const uint8_t *payload;
	size_t plen;
	struct dhcp_lease msg;
	if (udp_frame_parse(frame, len, csum_unknown, &payload, &plen) < 0)
		return 0;
	int type = dhcp_parse(payload, plen, c->xid, c->nic.mac, &msg);
	if (type < 0)
		return 0;
	return dhcp_handle(c, type, &msg);
}

/* Retransmit when the deadline has passed (RFC 2131 §4.1). */
static int dhcp_client_tick(struct dhcp_client *c, uint64_t now)
{
	if (c->state != DHCP_S_SELECTING && c->state != DHCP_S_REQUESTING)
		return 0;
	if (now < c->next_ms)
		return 0;
	/* a REQUEST that goes unanswered four times means the offer is gone: discover again */
	if (c->state == DHCP_S_REQUESTING && c->tries >= 4)
		return dhcp_restart(c);
	return dhcp_send(c, c->state == DHCP_S_SELECTING ? DHCP_DISCOVER : DHCP_REQUEST);
}

/* State of the shared loop. */
struct loop {
	struct dhcp_client c[DHCP_MAX_NICS];
	struct nic nics[DHCP_MAX_NICS]; /* a copy: carriers are refreshed in it */
	size_t n;
	int fd;                  /* the one packet socket */
	int watch;               /* link notifications while NICs wait for carrier; -1: poll */
	bool all_started;        /* no NIC left waiting for carrier */
	bool look;               /* carriers to be read with a dump (first round, lost notifications) */
	uint64_t looked;         /* when they were last read so */
	bool started_any;
	uint64_t carrier_deadline, dhcp_deadline, said;
};

/* Whether client C is exchanging messages. */
static bool running(const struct dhcp_client *c)
{
	return c->state == DHCP_S_SELECTING || c->state == DHCP_S_REQUESTING;
}

/* Start clients on NICs that have carrier now; returns how many still wait for carrier. */
static size_t start_ready(struct loop *l, uint64_t now)
{
	size_t waiting = 0;
	if (!l->all_started && (l->look || l->watch < 0 || now - l->looked >= CARRIER_RECHECK_MS)) {
		l->look = link_carriers(l->nics, l->n) < 0; /* a failed dump is tried again next round */
		l->looked = now;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->c[i].state != DHCP_S_IDLE)
			continue;
		if (now >= l->carrier_deadline) {
			l->c[i].state = DHCP_S_DROPPED; /* no carrier in time */
			continue;
		}
		if (!l->nics[i].carrier) {
			waiting++;
			continue;
		}
		if (dhcp_client_start(&l->c[i], &l->nics[i], l->fd) < 0) {
			l->c[i].state = DHCP_S_DROPPED;
			continue;
		}
		if (!l->started_any) {
			l->dhcp_deadline = now + (l->dhcp_deadline - l->carrier_deadline);
			l->said = now; /* the first lease line comes SAY_LEASE_MS after the first DISCOVER */
		}
		l->started_any = true;
	}
	l->all_started = waiting == 0;
	return waiting;
}

/* Milliseconds to sleep: the next retransmission, deadline, or carrier check. */
static int loop_timeout(const struct loop *l, uint64_t now, size_t waiting)
{
	uint64_t t = l->started_any ? l->dhcp_deadline : l->carrier_deadline;
	uint64_t recheck = l->watch >= 0 ? CARRIER_RECHECK_MS : CARRIER_POLL_MS;
	if (waiting && now + recheck < t)
		t = now + recheck;
	if (l->started_any && l->said + SAY_LEASE_MS < t)
		t = l->said + SAY_LEASE_MS;
	for (size_t i = 0; i < l->n; i++)
		if (running(&l->c[i]) && l->c[i].next_ms < t)
			t = l->c[i].next_ms;
	return t <= now ? 0 : (int)(t - now);
}

/* Hand every queued frame to the client of its interface; index of a bound client, else -1. A
 * reply that the client could not answer (send error) drops that NIC, as in loop_ticks. */
static int loop_input(struct loop *l)
{
	uint8_t buf[2048];
	int ifindex = 0;
	bool csum_unknown = false;
	ssize_t n;
	while ((n = recv_frame(l->fd, buf, sizeof(buf), &ifindex, &csum_unknown)) > 0) {
		for (size_t i = 0; i < l->n; i++) {
			struct dhcp_client *c = &l->c[i];
			if (!running(c) || c->nic.ifindex != ifindex)
				continue;
			int r = dhcp_client_input(c, buf, (size_t)n, csum_unknown);
			if (r == 1)
				return (int)i;
			if (r < 0)
				c->state = DHCP_S_DROPPED;
		}
	}
	return -1;
}

/* Retransmissions due at NOW; returns how many clients still run. */
static size_t loop_ticks(struct loop *l, uint64_t now)
{
	size_t alive = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct dhcp_client *c = &l->c[i];
		if (running(c) && dhcp_client_tick(c, now) < 0)
			c->state = DHCP_S_DROPPED; /* a send error drops this NIC only */
		alive += running(c);
	}
	return alive;
}

/* Every few seconds, one line on what the loop waits for: carrier, or a lease on the NICs whose
 * clients run, and how long it goes on waiting. */
static void say_waiting(struct loop *l, uint64_t now)
{
	if (now - l->said < (l->started_any ? SAY_LEASE_MS : SAY_CARRIER_MS))
		return;
	l->said = now;
	if (!l->started_any) {
		log_info("net: waiting for carrier on %zu interface(s), %llu s left (pxeroot.carrier_timeout=)", l->n,
			 (unsigned long long)(l->carrier_deadline - now + 999) / 1000);
		return;
	}
	char names[DHCP_MAX_NICS * (IF_NAMESIZE + 1) + 1] = "";
	size_t len = 0;
	for (size_t i = 0; i < l->n; i++)
		if (running(&l->c[i]))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? " " : "", l->c[i].nic.name);
	log_info("dhcp: waiting for a lease on %s, %llu s left (pxeroot.dhcp_timeout=)", len ? names : "no interface",
		 (unsigned long long)(l->dhcp_deadline - now + 999) / 1000);
}

/* One poll() round: the index of a bound client; -EAGAIN when nothing is decided yet (the caller
 * runs another round); else what dhcp_acquire returns: -ENOLINK, -ETIMEDOUT, -ENETDOWN, or the
 * negative errno of a failed poll(). */
static int loop_round(struct loop *l)
{
	uint64_t now = now_ms();
	size_t waiting = start_ready(l, now);
	if (!l->started_any && now >= l->carrier_deadline)
		return -ENOLINK;
	if (l->started_any && now >= l->dhcp_deadline)
		return -ETIMEDOUT;
	say_waiting(l, now);
	struct pollfd pfd[2] = {{.fd = l->fd, .events = POLLIN}, {.fd = waiting ? l->watch : -1, .events = POLLIN}};
	if (poll(pfd, 2, loop_timeout(l, now, waiting)) < 0 && errno != EINTR)
		return -errno;
	if ((pfd[1].revents & POLLIN) && link_watch_read(l->watch, l->nics, l->n))
		l->look = true; /* notifications were lost: start_ready reads the carriers */
	int won = (pfd[0].revents & POLLIN) ? loop_input(l) : -1;
	if (won >= 0)
		return won;
	if (loop_ticks(l, now_ms()) == 0 && l->started_any && !waiting)
		return -ENETDOWN;
	return -EAGAIN;
}

/* The shared event loop. */
int dhcp_acquire(const struct nic *nics, size_t n, unsigned carrier_timeout_s, unsigned dhcp_timeout_s,
		 struct dhcp_lease *lease)
{
	struct loop l;
	memset(&l, 0, sizeof(l));
	l.n = n > DHCP_MAX_NICS ? DHCP_MAX_NICS : n;
	memcpy(l.nics, nics, l.n * sizeof(nics[0]));
	if ((l.fd = packet_socket()) < 0)
		return l.fd;
	l.watch = link_watch_open(); /* before the first look at the carriers, so no change is missed */
	l.look = true;
	l.said = now_ms();
	l.carrier_deadline = l.said + (uint64_t)carrier_timeout_s * 1000;
	l.dhcp_deadline = l.carrier_deadline + (uint64_t)dhcp_timeout_s * 1000; /* rebased at the first start */
	int r;
	while ((r = loop_round(&l)) == -EAGAIN)
		;
	if (r >= 0)
		*lease = l.c[r].lease;
	close(l.fd);
	if (l.watch >= 0)
		close(l.watch);
	return r;
}
