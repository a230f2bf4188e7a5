/* nbdkernel.c - the kernel's side of the NBD socket, on the host, for chunks_serve_host.sh:
 * lazy_serve (serve/lazy.c) on one end of a socket pair, on a thread of its own as the serve
 * stage runs it, and on the other end the requests the kernel sends, each reply checked against
 * the original image.
 *
 *   nbdkernel INDEX IMAGE --store URL [--store URL]... [--retries N] [--cache BYTES]
 *             [--eio OFFSET]...
 *
 * INDEX is the casync index (.caibx) of IMAGE, the original bytes; the stores are asked in order,
 * each chunk --retries rounds at most (default: the boot's), the chunk cache holds --cache bytes
 * (default 256 MiB). A read that touches the chunk holding an --eio offset must fail with EIO
 * (that chunk cannot be had) and bring no data; every other read must bring IMAGE's bytes, zeros
 * past its end.
 *
 * The checks. A first server: 64 reads at random (fixed seed; 4 KiB to 512 KiB, 4 KiB aligned,
 * spread over the image) and two over each --eio offset (4 KiB at it, 512 KiB around it) put
 * among them, sent 16 at a time before a reply is read, each reply matched by its handle; a read
 * across the image's end; a read wholly past it; a write (EROFS; its payload, made of disconnect
 * requests, skipped) and a read after it, sent in two pieces; the disconnect (lazy_serve returns
 * 0, its thread ends, nothing more comes on the socket). A second server, its cache empty: 128 KiB
 * reads in order from the image's start (256, or as many as start inside the image), each sent
 * when the one before it was answered, timed; the disconnect.
 *
 * Prints one "ok - ..." or "not ok - ..." line a check, "# ..." lines on what went wrong and on
 * what each server fetched, "figure: ..." for the sequential reads; the server's lines go to
 * stderr. Exit 0 when every check passed, 1 when one failed, 2 on a usage or setup error. */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/nbd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fetch/chunks.h"
#include "fetch/fetch.h"
#include "fsutil.h"
#include "log.h"
#include "serve/lazy.h"
#include "serve/nbd.h"
#include "verify/caindex.h"

#define PAGE 4096u
#define RANDOM_READS 64
#define RANDOM_PAGES_MAX 128          /* the largest random read: 512 KiB */
#define BATCH 16                      /* requests sent before a reply is read */
#define SEQ_READS 256
#define SEQ_LEN (128u * 1024)
#define EIO_MAX 16
#define READS_MAX (RANDOM_READS + 2 * EIO_MAX)
#define FILE_MAX ((size_t)1 << 32)    /* the largest index or image read */
#define CACHE_DEFAULT ((uint64_t)256 << 20)
#define HANDLE_TAG UINT64_C(0x6e62640000000000) /* in every handle, beside the request's number */
#define SPLIT_AT 13                   /* where the read after the write is cut in two */
#define PIECE_GAP_MS 20               /* between the two pieces */
#define JOIN_S 10                     /* how long the server's thread may take to end */

/* The command line. */
struct opts {
	const char *index, *image;
	const char *store[MIRRORS_MAX];
	unsigned nstores;
	unsigned retries;                 /* 0: the boot's default */
	uint64_t cache;
	uint64_t eio[EIO_MAX];
	unsigned neio;
};

/* What the replies are compared with. */
struct ref {
	const uint8_t *img;
	uint64_t size;
	uint64_t bad_from[EIO_MAX], bad_to[EIO_MAX]; /* the chunks that cannot be had: [from, to) */
	unsigned nbad;
};

/* One server on a thread of its own, and our end of its socket. */
struct server {
	struct fetch_config cfg;
	struct mirrors stores;
	char base[MIRRORS_MAX][2048];
	struct chunks_req cr;
	struct lazy_req lr;
	pthread_t thread;
	int fd;                           /* the kernel's end: ours */
	int result;                       /* what lazy_serve returned */
	unsigned patience_s;              /* how long a reply may take: the kernel's timeout */
};

/* One request: what its reply must be, and whether it was sent and waits for it. */
struct pending {
	uint32_t type;
	uint64_t from;
	uint32_t len;
	uint32_t err;                     /* the error its reply must carry */
	bool waiting;
};

/* What a reply was found to be. */
enum verdict { REPLY_RIGHT, REPLY_WRONG };

static unsigned failed_checks;

/* Print one check's line: "ok - DESC" when OK, else "not ok - DESC" (counted). */
static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(ok ? "ok - " : "not ok - ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	failed_checks += !ok;
}

/* Print a "# ..." line: what went wrong, or what is worth knowing. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

/* WHAT failed so that no check can go on (the socket out of step, the server gone or silent):
 * a failed check, then exit 1 at once (the server's thread may be stuck: nothing is freed). */
static void lost(const char *what)
{
	check(false, "%s; no check can go on", what);
	fflush(stdout);
	_exit(1);
}

/* Seconds from CLOCK_MONOTONIC, with their fraction. */
static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The next number of a fixed sequence (xorshift64*): the same reads on every run. */
static uint64_t next_random(void)
{
	static uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* Write all N bytes at P to FD: 0, or a negative errno. */
static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Write the N bytes at P to FD in two pieces cut at CUT (0: whole), PIECE_GAP_MS apart, so
 * that the server reads them apart: 0, or a negative errno. */
static int send_pieces(int fd, const uint8_t *p, size_t n, size_t cut)
{
	if (cut && cut < n) {
		int e = send_all(fd, p, cut);
		if (e < 0)
			return e;
		sleep_ms(PIECE_GAP_MS);
		p += cut;
		n -= cut;
	}
	return send_all(fd, p, n);
}

/* Read exactly N bytes from FD into P: 0, -EPIPE at the end of the stream, -EAGAIN when the
 * receive timeout passed, or another negative errno. */
static int recv_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = recv(fd, p, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EPIPE;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The request the kernel writes into OUT (NBD_REQ_LEN bytes): magic, type, handle, offset,
 * length, big-endian. */
static void put_request(uint8_t *out, uint32_t type, uint64_t handle, uint64_t from, uint32_t len)
{
	uint32_t magic = htobe32(NBD_REQUEST_MAGIC), t = htobe32(type), l = htobe32(len);
	uint64_t h = htobe64(handle), f = htobe64(from);
	memcpy(out, &magic, 4);
	memcpy(out + 4, &t, 4);
	memcpy(out + 8, &h, 8);
	memcpy(out + 16, &f, 8);
	memcpy(out + 24, &l, 4);
}

/* Send request K of P (handle HANDLE_TAG | K), cut in two at CUT (0: whole); it waits for its
 * reply from now on. */
static void send_request(struct server *s, struct pending *p, size_t k, size_t cut)
{
	uint8_t req[NBD_REQ_LEN];
	put_request(req, p[k].type, HANDLE_TAG | k, p[k].from, p[k].len);
	if (send_pieces(s->fd, req, sizeof(req), cut) < 0)
		lost("a request could not be sent");
	p[k].waiting = true;
}

/* Whether bytes [FROM, FROM+LEN) touch a chunk that cannot be had. */
static bool touches_bad(const struct ref *r, uint64_t from, uint32_t len)
{
	for (unsigned k = 0; k < r->nbad; k++)
		if (from < r->bad_to[k] && from + len > r->bad_from[k])
			return true;
	return false;
}

/* A read of LEN bytes at FROM, with the error its reply must carry. */
static struct pending read_of(const struct ref *r, uint64_t from, uint32_t len)
{
	return (struct pending){.type = NBD_READ, .from = from, .len = len, .err = touches_bad(r, from, len) ? EIO : 0};
}

/* The bytes a read of LEN at FROM must bring, into OUT: the image's, zeros past its end. */
static void expected(const struct ref *r, uint64_t from, uint32_t len, uint8_t *out)
{
	uint64_t have = from < r->size ? r->size - from : 0;
	size_t n = have < len ? (size_t)have : len;
	if (n)
		memcpy(out, r->img + from, n);
	memset(out + n, 0, len - n);
}

/* Read the data of the reply to P (P->len bytes) and compare it with what it must be: the
 * verdict, with a "# " line on the first byte that differs. */
static enum verdict take_data(struct server *s, const struct ref *r, const struct pending *p)
{
	uint8_t *got = malloc(p->len + 1), *want = malloc(p->len + 1);
	enum verdict v = REPLY_RIGHT;
	if (!got || !want)
		lost("out of memory for a reply's data");
	if (recv_all(s->fd, got, p->len) < 0)
		lost("a reply's data did not come whole");
	expected(r, p->from, p->len, want);
	if (memcmp(got, want, p->len)) {
		size_t at = 0;
		while (got[at] == want[at])
			at++;
		note("read of %" PRIu32 " bytes at %" PRIu64 ": byte %" PRIu64 " is 0x%02x, the image's 0x%02x", p->len, p->from,
		     p->from + at, got[at], want[at]);
		v = REPLY_WRONG;
	}
	free(got);
	free(want);
	return v;
}

/* Read one reply to a request of P (N of them): which one it answers into *WHICH (matched by
 * its handle), then its data when it is a read that succeeded; the verdict, with "# " lines on
 * what differs. A reply that cannot be one (its magic, a handle no request waits for, none
 * within the server's patience) is lost(). */
static enum verdict take_reply(struct server *s, const struct ref *r, struct pending *p, size_t n, size_t *which)
{
	uint8_t h[NBD_REPLY_LEN];
	uint32_t magic, err;
	uint64_t handle;
	int e = recv_all(s->fd, h, sizeof(h));
	if (e == -EAGAIN)
		note("no reply within %u s (the kernel's timeout)", s->patience_s);
	if (e == -EPIPE && pthread_join(s->thread, NULL) == 0) /* it shut its end: it has returned */
		note("the server ended: lazy_serve returned %d", s->result);
	if (e < 0)
		lost("a reply did not come");
	memcpy(&magic, h, 4);
	memcpy(&err, h + 4, 4);
	memcpy(&handle, h + 8, 8);
	magic = be32toh(magic), err = be32toh(err), handle = be64toh(handle);
	size_t k = (size_t)(handle & 0xffffffff);
	if (magic != NBD_REPLY_MAGIC || (handle & ~UINT64_C(0xffffffff)) != HANDLE_TAG || k >= n || !p[k].waiting) {
		note("a reply of magic 0x%08" PRIx32 ", handle 0x%016" PRIx64 ": no waiting request's", magic, handle);
		lost("a reply that answers no request");
	}
	p[k].waiting = false;
	*which = k;
	if (err == p[k].err)
		return err == 0 && p[k].type == NBD_READ ? take_data(s, r, &p[k]) : REPLY_RIGHT;
	note("request %zu (type %" PRIu32 ", %" PRIu32 " bytes at %" PRIu64 "): error %" PRIu32 ", it must be %" PRIu32, k, p[k].type, p[k].len,
	     p[k].from, err, p[k].err);
	if (err == 0 && p[k].type == NBD_READ)
		take_data(s, r, &p[k]); /* its data follows: read, to stay in step */
	return REPLY_WRONG;
}

/* One read of LEN bytes at FROM and its reply: whether it is right. */
static bool roundtrip(struct server *s, const struct ref *r, uint64_t from, uint32_t len)
{
	struct pending p = read_of(r, from, len);
	size_t k;
	send_request(s, &p, 0, 0);
	return take_reply(s, r, &p, 1, &k) == REPLY_RIGHT;
}

/* The reads at random (and one over each --eio offset, put among them), BATCH sent at a time
 * before any reply is read: one check. */
static void check_random(struct server *s, const struct ref *r, const struct opts *o)
{
	struct pending p[READS_MAX];
	size_t n = 0;
	unsigned right = 0, eio = 0, unordered = 0;
	for (; n < RANDOM_READS; n++) {
		uint32_t len = PAGE * (uint32_t)(1 + next_random() % RANDOM_PAGES_MAX);
		uint64_t starts = r->size > len ? (r->size - len) / PAGE + 1 : 1;
		p[n] = read_of(r, PAGE * (next_random() % starts), len);
	}
	for (unsigned j = 0; j < 2 * o->neio; j++, n++) {
		uint64_t from = o->eio[j / 2] / PAGE * PAGE, wide = RANDOM_PAGES_MAX * PAGE;
		size_t at = (size_t)(next_random() % n);
		p[n] = p[at];
		p[at] = j % 2 ? read_of(r, from > wide / 2 ? from - wide / 2 : 0, (uint32_t)wide) : read_of(r, from, PAGE);
	}
	for (size_t b = 0; b < n; b += BATCH) {
		size_t end = b + BATCH < n ? b + BATCH : n;
		for (size_t k = b; k < end; k++)
			send_request(s, p, k, 0);
		for (size_t got = b; got < end; got++) {
			size_t first = b, k;
			while (!p[first].waiting)
				first++;
			if (take_reply(s, r, p, end, &k) == REPLY_RIGHT)
				right++, eio += p[k].err == EIO;
			unordered += k != first;
		}
	}
	check(right == n,
	      "%zu reads (%d at random, 4 KiB to 512 KiB%s), %d sent before a reply is read, each reply matched by its handle: %u right, "
	      "%u of them EIO where a chunk cannot be had; %u answered out of order",
	      n, RANDOM_READS, o->neio ? ", and 4 KiB at each --eio offset and 512 KiB around it" : "", BATCH, right, eio, unordered);
}

/* A read across the image's end and one wholly past it: two checks. */
static void check_end(struct server *s, const struct ref *r)
{
	uint64_t from = r->size / PAGE * PAGE, past = (r->size + PAGE - 1) / PAGE * PAGE + (1u << 20);
	uint32_t len = 4 * PAGE;
	from = from >= 2 * PAGE ? from - 2 * PAGE : 0;
	check(roundtrip(s, r, from, len), "a read of %" PRIu32 " bytes across the image's end (at %" PRIu64 "): its last %" PRIu64 " bytes, then %" PRIu64 " zeros",
	      len, from, r->size - from, from + len - r->size);
	check(roundtrip(s, r, past, SEQ_LEN), "a read of %u bytes wholly past the image's end (at %" PRIu64 "): zeros", SEQ_LEN, past);
}

/* The first offset, in steps of LEN, whose read of LEN bytes touches no chunk that cannot be
 * had (0 when there is none). */
static uint64_t good_offset(const struct ref *r, uint32_t len)
{
	for (uint64_t at = 0; at < r->size; at += len)
		if (!touches_bad(r, at, len))
			return at;
	return 0;
}

/* A write, its payload (disconnect requests, which the server must skip) in two pieces, then a
 * read sent in two pieces: one check. */
static void check_write(struct server *s, const struct ref *r)
{
	uint8_t payload[PAGE] = {0};
	uint32_t len = 16 * PAGE;
	struct pending p[2] = {{.type = NBD_WRITE, .from = 0, .len = sizeof(payload), .err = EROFS}, read_of(r, good_offset(r, len), len)};
	size_t k;
	for (size_t at = 0; at + NBD_REQ_LEN <= sizeof(payload); at += NBD_REQ_LEN)
		put_request(payload + at, NBD_DISC, HANDLE_TAG | 2, 0, 0);
	send_request(s, p, 0, 0);
	if (send_pieces(s->fd, payload, sizeof(payload), sizeof(payload) / 3) < 0)
		lost("a write's payload could not be sent");
	bool ok = take_reply(s, r, p, 1, &k) == REPLY_RIGHT;
	send_request(s, p, 1, SPLIT_AT);
	ok = take_reply(s, r, p, 2, &k) == REPLY_RIGHT && ok;
	check(ok,
	      "a write of %zu bytes: EROFS (the device is read-only), its payload (disconnect requests) skipped; a read of %" PRIu32
	      " bytes after it, sent in two pieces: the image's bytes",
	      sizeof(payload), len);
}

/* Reads of SEQ_LEN in order from the image's start, each sent when the one before it was
 * answered, timed: one check and the figure. */
static void check_sequential(struct server *s, const struct ref *r)
{
	uint64_t inside = (r->size + SEQ_LEN - 1) / SEQ_LEN;
	unsigned n = inside < SEQ_READS ? (unsigned)inside : SEQ_READS, right = 0, eio = 0;
	double t0 = now_s();
	for (unsigned k = 0; k < n; k++) {
		uint64_t from = (uint64_t)k * SEQ_LEN;
		bool ok = roundtrip(s, r, from, SEQ_LEN);
		right += ok;
		eio += ok && touches_bad(r, from, SEQ_LEN);
	}
	double secs = now_s() - t0, mib = (double)n * SEQ_LEN / 1048576.0;
	check(right == n,
	      "%u reads of %u KiB in order from the image's start, the cache empty, each sent when the one before it was answered: "
	      "%u right, %u of them EIO where a chunk cannot be had",
	      n, SEQ_LEN / 1024, right, eio);
	printf("figure: sequential reads: %.1f MiB/s (%u reads of %u KiB, %.1f MiB in %.2f s, from the stores)\n", mib / (secs > 0 ? secs : 1e-9), n,
	       SEQ_LEN / 1024, mib, secs);
}

/* The disconnect: lazy_serve returns 0, the thread ends, nothing comes before the end of the
 * stream; one check, then a "# " line on what server WHICH fetched. */
static void check_disconnect(struct server *s, const char *which)
{
	uint8_t req[NBD_REQ_LEN], extra;
	struct timespec until;
	char per[MIRRORS_MAX * 24] = "";
	put_request(req, NBD_DISC, HANDLE_TAG, 0, 0);
	if (send_all(s->fd, req, sizeof(req)) < 0)
		lost("the disconnect request could not be sent");
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += JOIN_S;
	if (pthread_timedjoin_np(s->thread, NULL, &until) != 0) {
		note("%s: the server's thread still runs %d s after the disconnect request", which, JOIN_S);
		lost("the server did not end");
	}
	ssize_t more = recv(s->fd, &extra, 1, 0);
	check(s->result == 0 && more == 0, "%s: a disconnect request: lazy_serve returned %d, its thread ended, %s", which, s->result,
	      more == 0 ? "nothing on the socket before its end" : "bytes on the socket after the last reply");
	for (unsigned k = 0; k < s->stores.n; k++)
		snprintf(per + strlen(per), sizeof(per) - strlen(per), "%s%" PRIu64, k ? "/" : "", s->cr.per_store[k]);
	note("%s: %" PRIu64 " chunks fetched, %" PRIu64 " bytes received; per store %s", which, s->cr.chunks, s->cr.bytes, per);
	close(s->fd);
	close(s->lr.sock);
}

/* The server's thread: lazy_serve, then its end shut for writing, as the end of the server's
 * process closes it, so that our side sees the end of the stream. */
static void *serve_thread(void *arg)
{
	struct server *s = arg;
	s->result = lazy_serve(&s->lr);
	shutdown(s->lr.sock, SHUT_WR);
	return NULL;
}

/* A new server S for the options O and index IX, on a thread of its own, with its socket pair:
 * 0, or a negative errno after a line. */
static int server_start(struct server *s, const struct opts *o, const struct ca_index *ix)
{
	int sv[2];
	*s = (struct server){.cfg = fetch_defaults(NULL), .stores = {.n = o->nstores}};
	if (o->retries)
		s->cfg.attempts = o->retries;
	for (unsigned k = 0; k < o->nstores; k++) {
		size_t n = strlen(o->store[k]);
		snprintf(s->base[k], sizeof(s->base[k]), "%s%s", o->store[k], n && o->store[k][n - 1] == '/' ? "" : "/");
		s->stores.base[k] = s->base[k];
	}
	s->cr = (struct chunks_req){.cfg = &s->cfg, .stores = &s->stores, .ix = ix};
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return log_errno(-errno, "socketpair");
	s->lr = (struct lazy_req){.cr = &s->cr, .cache_max = o->cache, .sock = sv[0], .dev = "socketpair"};
	s->fd = sv[1];
	s->patience_s = chunks_patience_s(&s->cfg, o->nstores);
	struct timeval tv = {.tv_sec = s->patience_s};
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return log_errno(-errno, "socketpair: receive timeout");
	int e = pthread_create(&s->thread, NULL, serve_thread, s);
	return e ? log_errno(-e, "the server's thread") : 0;
}

/* A whole number (decimal, or 0x hexadecimal) into *OUT: whether S is one. */
static bool parse_num(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-')
		return false;
	*out = v;
	return true;
}

/* The command line into O: whether it is one. */
static bool parse_args(int argc, char **argv, struct opts *o)
{
	if (argc < 3)
		return false;
	*o = (struct opts){.index = argv[1], .image = argv[2], .cache = CACHE_DEFAULT};
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[++i] : NULL;
		uint64_t n;
		if (!v)
			return false;
		if (!strcmp(a, "--store") && o->nstores < MIRRORS_MAX && strlen(v) < sizeof(((struct server *)0)->base[0]) - 1)
			o->store[o->nstores++] = v;
		else if (!strcmp(a, "--retries") && parse_num(v, &n) && n >= 1 && n <= 255)
			o->retries = (unsigned)n;
		else if (!strcmp(a, "--cache") && parse_num(v, &n))
			o->cache = n;
		else if (!strcmp(a, "--eio") && o->neio < EIO_MAX && parse_num(v, &n))
			o->eio[o->neio++] = n;
		else
			return false;
	}
	return o->nstores > 0;
}

/* The chunks holding the --eio offsets of O, as byte ranges of R, each named in a "# " line:
 * 0, or -EINVAL after a line when one is past the image's end. */
static int bad_chunks(const struct opts *o, const struct ca_index *ix, struct ref *r)
{
	char hex[CA_ID_HEX];
	for (unsigned j = 0; j < o->neio; j++) {
		if (o->eio[j] >= ix->size)
			return log_err(-EINVAL, "--eio %" PRIu64 ": past the image's end (%" PRIu64 " bytes)", o->eio[j], ix->size);
		const struct ca_chunk *c = &ix->chunk[ca_index_find(ix, o->eio[j])];
		r->bad_from[j] = c->start;
		r->bad_to[j] = c->start + c->size;
		ca_id_hex(c->id, hex);
		note("--eio %" PRIu64 ": chunk %s (bytes %" PRIu64 "-%" PRIu64 ") cannot be had", o->eio[j], hex, c->start, r->bad_to[j] - 1);
	}
	r->nbad = o->neio;
	return 0;
}

/* Read the index and the image, check them against each other, then run the checks. */
int main(int argc, char **argv)
{
	struct opts o;
	struct ca_index ix = {0};
	struct ref r = {0};
	struct server s;
	uint8_t *index, *img;
	size_t index_len, img_len;
	char why[256];
	int e;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN); /* as the serve stage does: a reply to a closed socket is an error */
	if (!parse_args(argc, argv, &o)) {
		fputs("usage: nbdkernel INDEX IMAGE --store URL [--store URL]... [--retries N] [--cache BYTES] [--eio OFFSET]...\n", stderr);
		return 2;
	}
	if ((e = read_whole(o.index, FILE_MAX, &index, &index_len)) < 0 || (e = read_whole(o.image, FILE_MAX, &img, &img_len)) < 0) {
		log_errno(e, "%s or %s", o.index, o.image);
		return 2;
	}
	if ((e = ca_index_parse(index, index_len, &ix, why, sizeof(why))) < 0) {
		log_err(e, "index %s: %s", o.index, why);
		return 2;
	}
	if (ix.size != img_len) {
		log_err(-EINVAL, "image %s: %zu bytes, its index says %" PRIu64, o.image, img_len, ix.size);
		return 2;
	}
	r.img = img;
	r.size = img_len;
	if (bad_chunks(&o, &ix, &r) < 0)
		return 2;
	if (fetch_global_init() < 0) {
		log_err(-EIO, "libcurl: global init failed");
		return 2;
	}
	if (server_start(&s, &o, &ix) < 0)
		return 2;
	check_random(&s, &r, &o);
	check_end(&s, &r);
	check_write(&s, &r);
	check_disconnect(&s, "first server");
	if (server_start(&s, &o, &ix) < 0)
		return 2;
	check_sequential(&s, &r);
	check_disconnect(&s, "second server");
	ca_index_free(&ix);
	free(index);
	free(img);
	return failed_checks ? 1 : 0;
}
