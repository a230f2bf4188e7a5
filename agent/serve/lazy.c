/* lazy.c - the NBD server of a chunked image.
 *
 * A read of the kernel needs the chunks its bytes lie in; those not in the cache are asked of
 * the engine (fetch/chunks.c) at once, and the read waits, pinning them, until all are there.
 * Reads are answered in any order (the handle says which), so several are in flight. A chunk
 * that arrives goes into the cache; when the cache is over its budget, chunks no read waits for
 * go, the least recently used first (a clock). When no read waits and the engine has room, the
 * background fill asks for the next chunk not cached, in image order, as long as the budget has
 * room for it, from the time the root is handed over (the boot's own reads need the network and
 * the CPU until then); when the whole image is cached a line says so: from then on no byte comes
 * from the network. A read that starts where the one before it ended also asks for the READ_AHEAD
 * chunks after it, so a file read in order finds its next chunks on the way. */
#define _GNU_SOURCE
#include "serve/lazy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "serve/nbd.h"

#define FILL_IDLE_MS 50   /* no request for this long: the fill may go on */
#define SLEEP_MS 3600000 /* with nothing to do: wake up this rarely (a request wakes it) */
#define READ_AHEAD 16     /* chunks asked for beyond a read that follows the one before it */

/* A read waiting for chunks. */
struct waiting {
	struct nbd_io io;
	size_t first, last;  /* the chunks it needs */
};

struct lazy {
	struct lazy_req *rq;
	const struct ca_index *ix;
	struct chunks *e;
	uint8_t **data;          /* the cache: chunk i's bytes, or NULL */
	uint16_t *pins;          /* reads waiting for chunk i */
	uint8_t *used;           /* the clock's reference bit */
	size_t hand;             /* the clock's hand */
	uint64_t cached;         /* bytes in the cache */
	size_t ncached;
	struct waiting *w;
	size_t nw, capw;
	size_t fill;             /* the next chunk the fill looks at */
	bool full_said, ram_said;
	uint64_t filling;        /* bytes the fill asked for that have not arrived (about: any arrival counts) */
	uint8_t in[NBD_REQ_LEN];
	size_t nin;
	uint64_t skip;           /* bytes of a write's payload still to read and drop */
	uint64_t last_req_ms;
	uint64_t next_from;      /* where the last read ended: a read from there is sequential */
};

/* Write all N bytes of the vector IOV (CNT entries) to the socket. */
static int send_all(struct lazy *l, struct iovec *iov, int cnt)
{
	while (cnt) {
		ssize_t n = writev(l->rq->sock, iov, cnt);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return log_errno(-errno, "nbd %s: reply", l->rq->dev);
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++, cnt--;
		}
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* Reply to IO with ERR (a positive errno) and no data. */
static int reply_err(struct lazy *l, const struct nbd_io *io, uint32_t err)
{
	uint8_t h[NBD_REPLY_LEN];
	nbd_reply_header(io, err, h);
	struct iovec v = {h, sizeof(h)};
	return send_all(l, &v, 1);
}

#define REPLY_IOV 64 /* pieces of a reply written at once */

/* Reply to the read IO from the cache (every chunk it needs is there), its pieces written
 * straight from the cached chunks; bytes past the image's end read as zeros. */
static int reply_read(struct lazy *l, const struct nbd_io *io)
{
	static const uint8_t zeros[4096];
	uint8_t h[NBD_REPLY_LEN];
	struct iovec v[REPLY_IOV];
	int n = 1, r = 0;
	uint64_t end = io->from + io->len, stop = end < l->ix->size ? end : l->ix->size;
	nbd_reply_header(io, 0, h);
	v[0] = (struct iovec){h, sizeof(h)};
	for (uint64_t at = io->from; at < end && r == 0;) {
		uint64_t k;
		if (at < stop) {
			size_t i = ca_index_find(l->ix, at);
			const struct ca_chunk *c = &l->ix->chunk[i];
			k = c->size - (at - c->start) < stop - at ? c->size - (at - c->start) : stop - at;
			v[n++] = (struct iovec){l->data[i] + (at - c->start), (size_t)k};
			l->used[i] = 1;
		} else {
			k = end - at < sizeof(zeros) ? end - at : sizeof(zeros);
			v[n++] = (struct iovec){(void *)zeros, (size_t)k};
		}
		at += k;
		if (n == REPLY_IOV || at == end) {
			r = send_all(l, v, n);
			n = 0;
		}
	}
	return n ? send_all(l, v, n) : r;
}

/* The chunks the read IO needs into *FIRST and *LAST; false when it needs none (past the end). */
static bool span(const struct lazy *l, const struct nbd_io *io, size_t *first, size_t *last)
{
	if (!io->len || io->from >= l->ix->size)
		return false;
	uint64_t end = io->from + io->len < l->ix->size ? io->from + io->len : l->ix->size;
	*first = ca_index_find(l->ix, io->from);
	*last = ca_index_find(l->ix, end - 1);
	return true;
}

/* Drop chunks no read waits for, least recently used first, until the cache holds BUDGET bytes
 * or less (or only pinned chunks are left). */
static void evict(struct lazy *l, uint64_t budget)
{
	for (size_t turns = 0; l->cached > budget && turns < 2 * l->ix->n; turns++) {
		size_t i = l->hand;
		l->hand = (l->hand + 1) % l->ix->n;
		if (!l->data[i] || l->pins[i])
			continue;
		if (l->used[i]) {
			l->used[i] = 0;
			continue;
		}
		free(l->data[i]);
		l->data[i] = NULL;
		l->cached -= l->ix->chunk[i].size;
		l->ncached--;
	}
}

/* Keep chunk I's N bytes at P, the least recently used chunks no read waits for dropped to stay
 * within the budget (the fill asks only for chunks there is room for). */
static bool keep(struct lazy *l, size_t i, const uint8_t *p)
{
	uint32_t n = l->ix->chunk[i].size;
	if (l->data[i])
		return true;
	evict(l, l->rq->cache_max > n ? l->rq->cache_max - n : 0);
	if (!(l->data[i] = malloc(n)))
		return false;
	memcpy(l->data[i], p, n);
	l->used[i] = 1;
	l->cached += n;
	l->ncached++;
	return true;
}

/* Take read K off the waiting list (its pins released). */
static void unwait(struct lazy *l, size_t k)
{
	for (size_t i = l->w[k].first; i <= l->w[k].last; i++)
		l->pins[i]--;
	l->w[k] = l->w[--l->nw];
}

/* Whether every chunk read K needs is cached. */
static bool ready(const struct lazy *l, size_t k)
{
	for (size_t i = l->w[k].first; i <= l->w[k].last; i++)
		if (!l->data[i])
			return false;
	return true;
}

/* chunks_req.done: keep the chunk, answer the reads it completes; a chunk that failed fails the
 * reads that need it (EIO; the engine's line named it), one there was no memory to keep too
 * (ENOMEM, with a line). */
static int arrived(void *ctx, size_t i, const uint8_t *data, int err)
{
	struct lazy *l = ctx;
	int r = 0;
	uint32_t fail = data ? 0 : EIO, n = l->ix->chunk[i].size;
	(void)err;
	l->filling -= l->filling < n ? l->filling : n;
	if (data && !keep(l, i, data)) {
		fail = ENOMEM;
		if (l->pins[i])
			log_err(-ENOMEM, "nbd %s: no memory to keep chunk %zu for the reads waiting for it", l->rq->dev, i);
	}
	for (size_t k = 0; k < l->nw && r == 0;) {
		struct waiting *w = &l->w[k];
		bool needs = i >= w->first && i <= w->last;
		if (needs && fail) {
			struct nbd_io io = w->io;
			unwait(l, k);
			r = reply_err(l, &io, fail);
		} else if (needs && ready(l, k)) {
			struct nbd_io io = w->io;
			r = reply_read(l, &io);
			unwait(l, k);
		} else {
			k++;
		}
	}
	return r;
}

/* After a sequential read ending in chunk LAST: the READ_AHEAD chunks after it, unless cached,
 * and no more than a quarter of the cache holds (more would evict the chunks read ahead before
 * they are read). */
static void read_ahead(struct lazy *l, size_t last)
{
	uint64_t bytes = 0;
	for (size_t i = last + 1; i < l->ix->n && i <= last + READ_AHEAD; i++) {
		if ((bytes += l->ix->chunk[i].size) > l->rq->cache_max / 4)
			break;
		if (!l->data[i])
			chunks_want(l->e, i);
	}
}

/* Read IO waits for the chunks FIRST to LAST it lacks, asked for now (without the memory to
 * wait, it is answered ENOMEM); 0, or the reply's error. */
static int wait_for(struct lazy *l, const struct nbd_io *io, size_t first, size_t last)
{
	if (l->nw == l->capw) {
		size_t cap = l->capw ? 2 * l->capw : 64;
		struct waiting *w = realloc(l->w, cap * sizeof(*w));
		if (!w)
			return reply_err(l, io, ENOMEM);
		l->w = w;
		l->capw = cap;
	}
	l->w[l->nw++] = (struct waiting){*io, first, last};
	for (size_t i = first; i <= last; i++) {
		l->pins[i]++;
		if (!l->data[i])
			chunks_want_first(l->e, i);
	}
	return 0;
}

/* A read: answered now from the cache, or waiting for the chunks it lacks (asked for first,
 * then, when it follows the read before it, the chunks after it). */
static int request_read(struct lazy *l, const struct nbd_io *io)
{
	size_t first, last;
	bool sequential = io->from == l->next_from, all = true;
	l->next_from = io->from + io->len;
	if (!span(l, io, &first, &last))
		return reply_read(l, io);
	for (size_t i = first; i <= last; i++)
		if (!l->data[i])
			all = false;
	int r = all ? reply_read(l, io) : wait_for(l, io, first, last);
	if (r == 0 && sequential)
		read_ahead(l, last);
	return r;
}

/* One request of the kernel: 1 when it asked to disconnect, else 0 or a negative errno. */
static int request(struct lazy *l, const struct nbd_io *io)
{
	l->last_req_ms = now_ms();
	switch (io->type) {
	case NBD_READ:
		return request_read(l, io);
	case NBD_DISC:
		return 1;
	case NBD_WRITE:
		l->skip = io->len; /* the payload follows; the device is read-only */
		return reply_err(l, io, EROFS);
	default:
		return reply_err(l, io, io->type == NBD_FLUSH ? 0 : EINVAL);
	}
}

/* Read what the socket has: whole requests are handled; 1 at the end (disconnect or EOF). */
static int take(struct lazy *l)
{
	uint8_t buf[64 * 1024];
	ssize_t n = read(l->rq->sock, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : log_errno(-errno, "nbd %s: read", l->rq->dev);
	if (n == 0)
		return 1;
	for (size_t at = 0; at < (size_t)n;) {
		if (l->skip) {
			size_t k = (size_t)n - at < l->skip ? (size_t)n - at : (size_t)l->skip;
			l->skip -= k;
			at += k;
			continue;
		}
		size_t k = NBD_REQ_LEN - l->nin < (size_t)n - at ? NBD_REQ_LEN - l->nin : (size_t)n - at;
		memcpy(l->in + l->nin, buf + at, k);
		l->nin += k;
		at += k;
		if (l->nin < NBD_REQ_LEN)
			break;
		l->nin = 0;
		struct nbd_io io;
		if (nbd_parse(l->in, &io) < 0)
			return log_err(-EBADMSG, "nbd %s: a request with a wrong magic; stopping", l->rq->dev);
		int r = request(l, &io);
		if (r)
			return r;
	}
	return 0;
}

/* The fill: while no read waits or came lately, ask for the next chunks not cached that fit the
 * budget; lines when the budget is full, and when the whole image is in RAM. False once it has
 * nothing left to do. */
static bool fill(struct lazy *l)
{
	if (l->ncached == l->ix->n && !l->ram_said) {
		l->ram_said = true;
		log_info("nbd %s: the whole root is in RAM (%zu chunks, %.1f MiB); no byte of it comes from the network any more",
			 l->rq->dev, l->ncached, l->cached / 1048576.0);
	}
	if (l->full_said || l->fill >= l->ix->n)
		return false;
	if (l->nw || now_ms() - l->last_req_ms < FILL_IDLE_MS)
		return true;
	while (l->fill < l->ix->n && chunks_idle(l->e)) {
		size_t i = l->fill;
		if (l->data[i]) {
			l->fill++;
			continue;
		}
		if (l->cached + l->filling + l->ix->chunk[i].size > l->rq->cache_max) {
			log_info("nbd %s: the chunk cache is full (%.1f MiB, pxeroot.cache=): %zu of %zu chunks in RAM, the rest read from the stores as needed",
				 l->rq->dev, l->cached / 1048576.0, l->ncached, l->ix->n);
			l->full_said = true;
			return false;
		}
		chunks_want(l->e, i);
		l->filling += l->ix->chunk[i].size;
		l->fill++;
	}
	return true;
}

/* Free what the server holds. */
static void lazy_free(struct lazy *l)
{
	for (size_t i = 0; l->data && i < l->ix->n; i++)
		free(l->data[i]);
	free(l->data);
	free(l->pins);
	free(l->used);
	free(l->w);
	chunks_free(l->e);
}

/* The loop. */
int lazy_serve(struct lazy_req *rq)
{
	struct lazy l = {.rq = rq, .ix = rq->cr->ix};
	int r = 0;
	rq->cr->done = arrived;
	rq->cr->ctx = &l;
	bool ticks = rq->tick != NULL;
	l.data = calloc(l.ix->n, sizeof(*l.data));
	l.pins = calloc(l.ix->n, sizeof(*l.pins));
	l.used = calloc(l.ix->n, sizeof(*l.used));
	if (!l.data || !l.pins || !l.used)
		r = log_err(-ENOMEM, "nbd %s: out of memory for the state of %zu chunks", rq->dev, l.ix->n);
	else if (!(l.e = chunks_new(rq->cr)))
		r = -ENOMEM;
	while (r == 0) {
		if (ticks)
			ticks = rq->tick(rq->tick_ctx);
		bool more = ticks || fill(&l); /* the fill waits for the handover: the boot's reads come first */
		/* nothing to fill, nothing in flight, nobody to tick: sleep until a request */
		int wait = l.nw || chunks_busy(l.e) ? 1000 : more ? FILL_IDLE_MS : ticks ? 1000 : SLEEP_MS;
		r = chunks_step(l.e, rq->sock, wait);
		if (r == 1)
			r = take(&l);
	}
	lazy_free(&l);
	return r == 1 ? 0 : r;
}
