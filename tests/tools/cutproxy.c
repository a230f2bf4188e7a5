/* cutproxy.c - a fault-injecting TCP forwarder for the transfer tests.
 *
 *   cutproxy --listen ADDR:PORT --upstream ADDR:PORT [--seed N] [--cuts K] [--min BYTES]
 *            [--max BYTES] [--blackhole] [--swap NEW:LIVE]... [--port-file F] [--max-seconds S]
 *   cutproxy --print-cuts [--seed N] [--cuts K] [--min BYTES] [--max BYTES]
 *
 * Every accepted connection is forwarded both ways to the upstream, with splice() through pipes
 * (no copy through user space) in one epoll loop. Cuts: K offsets X_1..X_K are drawn uniformly
 * from [min, max] by a PRNG seeded with --seed (same seed, same offsets). The pending cut X_i
 * applies to the connections accepted since the previous cut: the first of them whose downstream
 * (upstream -> client) byte count reaches X_i gets exactly X_i bytes, which the proxy lets the
 * client acknowledge, then both of its sockets are reset (SO_LINGER 0) and the next cut becomes
 * pending for connections accepted later. A connection that ends before the offset does not use
 * the cut up. At the first cut, before the reset, every --swap NEW:LIVE is done as
 * rename(NEW, LIVE). --blackhole accepts, reads and discards, never answers. --print-cuts prints
 * the K offsets, one a line, and exits. Sizes take a k, m or g suffix (powers of 1024). Log lines
 * go to stderr:
 *   cutproxy: listening on ADDR:PORT
 *   cutproxy: connection C from ADDR:PORT
 *   cutproxy: cut connection C after X bytes (cut i of K)
 *   cutproxy: swap NEW -> LIVE
 *   cutproxy: connection C closed (D bytes down, U bytes up)
 * Exits 0 on SIGTERM, SIGINT or after --max-seconds (default 900), 2 on bad usage, 1 on setup
 * errors. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PIPE_WANT (1 << 20)       /* pipe size asked for the downstream direction */
#define DRAIN_MS 2000             /* longest wait for the client to acknowledge before a cut */
#define MAX_EVENTS 64
#define MAX_SWAPS 16
#define NO_LIMIT UINT64_MAX

enum role { R_LISTEN, R_SIGNAL, R_CLIENT, R_UPSTREAM };
enum state { S_CONNECTING, S_OPEN, S_DRAINING, S_BLACKHOLE, S_DEAD };

/* One direction of a connection: src -> pipe -> dst. */
struct half {
	int src, dst;
	int pipe[2];
	size_t cap;      /* pipe capacity in bytes */
	size_t inpipe;   /* bytes in the pipe */
	uint64_t in;     /* bytes read from src */
	uint64_t out;    /* bytes written to dst */
	bool eof;        /* src reached end of file */
	bool shut;       /* dst was shut down for writing */
};

struct conn;

/* What an epoll event points to: a socket of a connection, the listener or the signalfd. */
struct endpoint {
	enum role role;
	struct conn *c;
};

/* An accepted connection and its upstream. */
struct conn {
	unsigned long id;
	enum state state;
	unsigned epoch;           /* cuts done when it was accepted */
	int cfd, ufd;
	struct endpoint cep, uep;
	struct half down, up;     /* upstream -> client, client -> upstream */
	unsigned cut;             /* while draining: the cut number (1-based) */
	struct timespec drain_start;
	struct conn *prev, *next; /* active list, or the dead list through next */
};

/* Options and global state. */
static struct {
	struct sockaddr_storage listen_addr, up_addr;
	socklen_t listen_len, up_len;
	bool have_listen, have_up, blackhole, print_cuts;
	uint64_t seed, min, max, *cuts;
	unsigned ncuts, done;
	const char *swap_new[MAX_SWAPS], *swap_live[MAX_SWAPS];
	unsigned nswaps;
	const char *port_file;
	unsigned max_seconds;
	int ep, lfd, sfd;
	unsigned long next_id;
	struct conn *active, *dead;
	bool limits_changed;
} g = { .min = 1 << 20, .max = 32 << 20, .max_seconds = 900, .lfd = -1, .sfd = -1 };

static struct endpoint listen_ep = { R_LISTEN, NULL }, signal_ep = { R_SIGNAL, NULL };

/* Write one log line to stderr in a single write(). */
static void logf_(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n = snprintf(buf, sizeof buf, "cutproxy: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nothing sensible to do */
	}
}

/* Log an error and exit 1. */
static void die(const char *what)
{
	logf_("%s: %s", what, strerror(errno));
	exit(1);
}

/* Print the usage and exit 2. */
static void usage(void)
{
	fprintf(stderr, "usage: cutproxy --listen ADDR:PORT --upstream ADDR:PORT [--seed N] [--cuts K]\n"
			"                [--min BYTES] [--max BYTES] [--blackhole] [--swap NEW:LIVE]...\n"
			"                [--port-file F] [--max-seconds S]\n"
			"       cutproxy --print-cuts [--seed N] [--cuts K] [--min BYTES] [--max BYTES]\n");
	exit(2);
}

/* splitmix64: the next value of the deterministic generator whose state is *s. */
static uint64_t prng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Parse a byte count with an optional k/m/g suffix (powers of 1024); exit 2 when malformed. */
static uint64_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (errno || end == s || *end || *s == '-' || (v << shift) >> shift != v) {
		fprintf(stderr, "cutproxy: bad number: %s\n", s);
		exit(2);
	}
	return (uint64_t)v << shift;
}

/* Parse ADDR:PORT (IPv4, or [IPv6]:PORT) numerically into *ss; exit 2 when malformed. */
static void parse_addr(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(arg, ':');
	size_t hl = colon ? (size_t)(colon - arg) : 0;
	if (!colon || hl == 0 || hl >= sizeof host) {
		fprintf(stderr, "cutproxy: bad address (want ADDR:PORT): %s\n", arg);
		exit(2);
	}
	memcpy(host, arg, hl);
	host[hl] = 0;
	if (host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = 0;
	}
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	int rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc) {
		fprintf(stderr, "cutproxy: bad address %s: %s\n", arg, gai_strerror(rc));
		exit(2);
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
}

/* Format the address *sa as ADDR:PORT into buf. */
static const char *addr_str(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
	}
	snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
	return buf;
}

/* Record one --swap NEW:LIVE. */
static void add_swap(char *arg)
{
	char *colon = strchr(arg, ':');
	if (!colon || colon == arg || !colon[1] || g.nswaps == MAX_SWAPS) {
		fprintf(stderr, "cutproxy: bad --swap (want NEW:LIVE, at most %d): %s\n", MAX_SWAPS, arg);
		exit(2);
	}
	*colon = 0;
	g.swap_new[g.nswaps] = arg;
	g.swap_live[g.nswaps++] = colon + 1;
}

/* Parse the command line into g; exit 2 on bad usage. */
static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, 0, 'l' }, { "upstream", required_argument, 0, 'u' },
		{ "seed", required_argument, 0, 's' },   { "cuts", required_argument, 0, 'k' },
		{ "min", required_argument, 0, 'm' },    { "max", required_argument, 0, 'M' },
		{ "blackhole", no_argument, 0, 'b' },    { "swap", required_argument, 0, 'w' },
		{ "port-file", required_argument, 0, 'p' }, { "max-seconds", required_argument, 0, 't' },
		{ "print-cuts", no_argument, 0, 'P' },   { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'l': parse_addr(optarg, &g.listen_addr, &g.listen_len); g.have_listen = true; break;
		case 'u': parse_addr(optarg, &g.up_addr, &g.up_len); g.have_up = true; break;
		case 's': g.seed = parse_size(optarg); break;
		case 'k': g.ncuts = (unsigned)parse_size(optarg); break;
		case 'm': g.min = parse_size(optarg); break;
		case 'M': g.max = parse_size(optarg); break;
		case 'b': g.blackhole = true; break;
		case 'w': add_swap(optarg); break;
		case 'p': g.port_file = optarg; break;
		case 't': g.max_seconds = (unsigned)parse_size(optarg); break;
		case 'P': g.print_cuts = true; break;
		default: usage();
		}
	}
	if (optind != argc || g.min == 0 || g.min > g.max)
		usage();
	if (!g.print_cuts && (!g.have_listen || (!g.have_up && !g.blackhole)))
		usage();
}

/* Draw the K cut offsets, uniform in [min, max], from the seeded generator. */
static void draw_cuts(void)
{
	uint64_t state = g.seed, span = g.max - g.min + 1;
	g.cuts = calloc(g.ncuts ? g.ncuts : 1, sizeof *g.cuts);
	if (!g.cuts)
		die("calloc");
	for (unsigned i = 0; i < g.ncuts; i++)
		g.cuts[i] = g.min + (span ? prng_next(&state) % span : prng_next(&state));
}

/* Milliseconds from *a to *b. */
static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* The current CLOCK_MONOTONIC time. */
static struct timespec now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* Add fd to the epoll set, edge-triggered, with ep as its event data. */
static void watch(int fd, uint32_t events, struct endpoint *ep)
{
	struct epoll_event ev = { .events = events, .data.ptr = ep };
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll_ctl");
}

/* Write the listening port to --port-file atomically (a temporary file renamed over it). */
static void write_port_file(unsigned port)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", g.port_file, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		die(tmp);
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, g.port_file) != 0)
		die(g.port_file);
}

/* Open the listening socket on --listen, log its address, write the port file. */
static void open_listener(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char buf[INET6_ADDRSTRLEN + 16];
	int one = 1;
	g.lfd = socket(g.listen_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g.lfd < 0)
		die("socket");
	setsockopt(g.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(g.lfd, (struct sockaddr *)&g.listen_addr, g.listen_len) < 0)
		die("bind");
	if (listen(g.lfd, 128) < 0 || getsockname(g.lfd, (struct sockaddr *)&ss, &len) < 0)
		die("listen");
	logf_("listening on %s", addr_str((struct sockaddr *)&ss, buf, sizeof buf));
	if (g.port_file)
		write_port_file(ntohs(((struct sockaddr_in *)&ss)->sin_port));
	watch(g.lfd, EPOLLIN, &listen_ep);
}

/* Block SIGTERM and SIGINT and receive them through a signalfd in the loop; ignore SIGPIPE. */
static void open_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
	g.sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (g.sfd < 0)
		die("signalfd");
	signal(SIGPIPE, SIG_IGN);
	watch(g.sfd, EPOLLIN, &signal_ep);
}

/* Make half h's pipe (of capacity want, when the system allows) between src and dst. */
static int half_init(struct half *h, int src, int dst, int want)
{
	memset(h, 0, sizeof *h);
	h->src = src;
	h->dst = dst;
	if (pipe2(h->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	for (int size = want; size > 65536; size /= 2)
		if (fcntl(h->pipe[1], F_SETPIPE_SZ, size) >= 0)
			break;
	int cap = fcntl(h->pipe[1], F_GETPIPE_SZ);
	h->cap = cap > 0 ? (size_t)cap : 65536;
	return 0;
}

/* Close half h's pipe. */
static void half_free(struct half *h)
{
	if (h->pipe[0] >= 0)
		close(h->pipe[0]);
	if (h->pipe[1] >= 0)
		close(h->pipe[1]);
	h->pipe[0] = h->pipe[1] = -1;
}

/* Move what src has (at most up to limit bytes in all) into the pipe. Return 1 on progress, 0
 * when nothing could move, -1 on an error. */
static int half_fill(struct half *h, uint64_t limit)
{
	if (h->eof || h->in >= limit || h->inpipe >= h->cap)
		return 0;
	uint64_t len = h->cap - h->inpipe;
	if (len > limit - h->in)
		len = limit - h->in;
	ssize_t n = splice(h->src, NULL, h->pipe[1], NULL, (size_t)len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		h->in += (uint64_t)n;
		h->inpipe += (size_t)n;
		return 1;
	}
	if (n == 0) {
		h->eof = true;
		return 1;
	}
	return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

/* Move what the pipe holds to dst. Return 1 on progress, 0 when nothing could move, -1 on an
 * error. */
static int half_flush(struct half *h)
{
	if (h->inpipe == 0)
		return 0;
	ssize_t n = splice(h->pipe[0], NULL, h->dst, NULL, h->inpipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		h->out += (uint64_t)n;
		h->inpipe -= (size_t)n;
		return 1;
	}
	return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

/* Forward h until neither side can move (edge-triggered epoll wants it exhausted), passing on
 * the end of file as a shutdown once the pipe is empty. Return -1 on an error. */
static int half_pump(struct half *h, uint64_t limit)
{
	int a, b;
	do {
		if ((a = half_fill(h, limit)) < 0 || (b = half_flush(h)) < 0)
			return -1;
		if (h->out >= limit)
			return 0;
	} while (a || b);
	if (h->eof && h->inpipe == 0 && !h->shut) {
		shutdown(h->dst, SHUT_WR);
		h->shut = true;
	}
	return 0;
}

/* The downstream byte limit of c: the pending cut when c was accepted since the last cut. */
static uint64_t conn_limit(const struct conn *c)
{
	if (g.done < g.ncuts && c->epoch == g.done)
		return g.cuts[g.done];
	return NO_LIMIT;
}

/* Close socket fd; with reset, set SO_LINGER 0 first so that the peer gets a RST. */
static void close_sock(int fd, bool reset)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	if (fd < 0)
		return;
	if (reset)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
}

/* Close c's sockets (reset them when reset is set) and pipes, log, move it to the dead list. */
static void conn_close(struct conn *c, bool reset)
{
	if (c->state == S_DEAD)
		return;
	logf_("connection %lu closed (%" PRIu64 " bytes down, %" PRIu64 " bytes up)", c->id, c->down.out,
	      c->up.out);
	close_sock(c->cfd, reset);
	close_sock(c->ufd, reset);
	half_free(&c->down);
	half_free(&c->up);
	c->state = S_DEAD;
	if (c->prev)
		c->prev->next = c->next;
	else
		g.active = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = g.dead;
	g.dead = c;
}

/* Free the connections closed during the last round of events. */
static void reap_dead(void)
{
	while (g.dead) {
		struct conn *c = g.dead;
		g.dead = c->next;
		free(c);
	}
}

/* c's downstream reached the pending cut: use the cut up and start draining c. */
static void conn_start_cut(struct conn *c)
{
	c->cut = ++g.done;
	c->state = S_DRAINING;
	c->drain_start = now();
	g.limits_changed = true;
}

/* Do every --swap rename, logging each. */
static void do_swaps(void)
{
	for (unsigned i = 0; i < g.nswaps; i++) {
		if (rename(g.swap_new[i], g.swap_live[i]) == 0)
			logf_("swap %s -> %s", g.swap_new[i], g.swap_live[i]);
		else
			logf_("swap %s -> %s failed: %s", g.swap_new[i], g.swap_live[i], strerror(errno));
	}
}

/* Finish the cut of c: log it, swap at the first cut, reset both sockets. */
static void conn_finish_cut(struct conn *c)
{
	logf_("cut connection %lu after %" PRIu64 " bytes (cut %u of %u)", c->id, c->down.out, c->cut, g.ncuts);
	if (c->cut == 1)
		do_swaps();
	conn_close(c, true);
}

/* Whether draining c is over: the client acknowledged every byte, or DRAIN_MS passed. */
static bool conn_drained(struct conn *c, const struct timespec *t)
{
	int outq = 0;
	if (ioctl(c->cfd, SIOCOUTQ, &outq) < 0 || outq == 0)
		return true;
	return ms_between(&c->drain_start, t) >= DRAIN_MS;
}

/* Finish the cuts whose clients have acknowledged their bytes; return whether any still drains. */
static bool check_draining(void)
{
	struct timespec t = now();
	bool waiting = false;
	for (struct conn *c = g.active, *next; c; c = next) {
		next = c->next;
		if (c->state != S_DRAINING)
			continue;
		if (conn_drained(c, &t))
			conn_finish_cut(c);
		else
			waiting = true;
	}
	return waiting;
}

/* Forward both directions of open connection c; close it when both are done or on an error. */
static void conn_pump(struct conn *c)
{
	uint64_t limit = conn_limit(c);
	if (half_pump(&c->down, limit) < 0 || half_pump(&c->up, NO_LIMIT) < 0) {
		conn_close(c, true);
		return;
	}
	if (limit != NO_LIMIT && c->down.out >= limit)
		conn_start_cut(c);
	else if (c->down.shut && c->up.shut)
		conn_close(c, false);
}

/* Read and discard what a blackholed client sends; close it at its end of file or error. */
static void blackhole_read(struct conn *c)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(c->cfd, buf, sizeof buf);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_close(c, false);
		return;
	}
}

/* Start the non-blocking connect of c to the upstream; return -1 on an immediate failure. */
static int conn_connect(struct conn *c)
{
	c->ufd = socket(g.up_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->ufd < 0)
		return -1;
	if (connect(c->ufd, (struct sockaddr *)&g.up_addr, g.up_len) < 0 && errno != EINPROGRESS)
		return -1;
	if (half_init(&c->down, c->ufd, c->cfd, PIPE_WANT) < 0 || half_init(&c->up, c->cfd, c->ufd, 65536) < 0)
		return -1;
	c->uep = (struct endpoint){ R_UPSTREAM, c };
	watch(c->ufd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, &c->uep);
	return 0;
}

/* The upstream socket of connecting c reported: open c, or close it when the connect failed. */
static void conn_connected(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		logf_("connection %lu: upstream: %s", c->id, strerror(err));
		conn_close(c, true);
		return;
	}
	c->state = S_OPEN;
	conn_pump(c);
}

/* Set up a connection for the accepted socket fd from peer *sa. */
static void conn_new(int fd, const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN + 16];
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		die("calloc");
	c->id = ++g.next_id;
	c->epoch = g.done;
	c->cfd = fd;
	c->ufd = -1;
	c->down.pipe[0] = c->down.pipe[1] = c->up.pipe[0] = c->up.pipe[1] = -1;
	c->state = g.blackhole ? S_BLACKHOLE : S_CONNECTING;
	c->next = g.active;
	if (g.active)
		g.active->prev = c;
	g.active = c;
	logf_("connection %lu from %s", c->id, addr_str(sa, buf, sizeof buf));
	c->cep = (struct endpoint){ R_CLIENT, c };
	watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, &c->cep);
	if (!g.blackhole && conn_connect(c) < 0) {
		logf_("connection %lu: upstream: %s", c->id, strerror(errno));
		conn_close(c, true);
	}
}

/* Accept the pending connections (at most a batch, the listener is level-triggered). */
static void accept_some(void)
{
	for (int i = 0; i < MAX_EVENTS; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = accept4(g.lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				logf_("accept: %s", strerror(errno));
			return;
		}
		conn_new(fd, (struct sockaddr *)&ss);
	}
}

/* Handle an event on a socket of connection c. */
static void conn_event(struct conn *c, enum role role)
{
	switch (c->state) {
	case S_CONNECTING:
		if (role == R_UPSTREAM)
			conn_connected(c);
		break;
	case S_OPEN:
		conn_pump(c);
		break;
	case S_BLACKHOLE:
		blackhole_read(c);
		break;
	default:
		break;
	}
}

/* A cut was used up: the other open connections may have lost their limit, forward on. */
static void pump_all(void)
{
	g.limits_changed = false;
	for (struct conn *c = g.active, *next; c; c = next) {
		next = c->next;
		if (c->state == S_OPEN)
			conn_pump(c);
	}
}

/* Milliseconds epoll may wait: until the deadline, or 1 ms while a cut drains. */
static int wait_ms(const struct timespec *deadline, bool draining)
{
	struct timespec t = now();
	long left = ms_between(&t, deadline);
	if (left < 0)
		left = 0;
	if (draining && left > 1)
		left = 1;
	return left > 86400000 ? 86400000 : (int)left + (left == 0 ? 0 : 1);
}

/* Handle the n events of ev; return false when a signal asks to stop. */
static bool dispatch(const struct epoll_event *ev, int n)
{
	for (int i = 0; i < n; i++) {
		struct endpoint *ep = ev[i].data.ptr;
		if (ep->role == R_LISTEN) {
			accept_some();
		} else if (ep->role == R_SIGNAL) {
			logf_("exiting on a signal");
			return false;
		} else {
			conn_event(ep->c, ep->role);
		}
	}
	return true;
}

/* Run the event loop until a signal or the deadline. */
static void run(void)
{
	struct timespec deadline = now(), t;
	bool draining = false;
	deadline.tv_sec += g.max_seconds;
	for (;;) {
		struct epoll_event ev[MAX_EVENTS];
		int n = epoll_wait(g.ep, ev, MAX_EVENTS, wait_ms(&deadline, draining));
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		if (!dispatch(ev, n))
			return;
		if (g.limits_changed)
			pump_all();
		draining = check_draining();
		reap_dead();
		t = now();
		if (ms_between(&t, &deadline) <= 0) {
			logf_("exiting after %u s", g.max_seconds);
			return;
		}
	}
}

/* Parse the options, listen, forward until told to stop. */
int main(int argc, char **argv)
{
	parse_args(argc, argv);
	draw_cuts();
	if (g.print_cuts) {
		for (unsigned i = 0; i < g.ncuts; i++)
			printf("%" PRIu64 "\n", g.cuts[i]);
		return 0;
	}
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	if (g.ep < 0)
		die("epoll_create1");
	open_signals();
	open_listener();
	run();
	return 0;
}
