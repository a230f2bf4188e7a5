/* chunks.c - a casync store's chunks over libcurl's multi interface.
 *
 * Each chunk has a state (idle, queued, in flight, waiting for its retry, done). A request slot
 * takes the oldest queued chunk and GETs <store><4 hex>/<id>.cacnk from the first store the chunk
 * has not tried in this round, preferring stores that have not failed; the body is kept whole (at
 * most what the largest chunk can take compressed) and checked with chunk_decode. A chunk that
 * fails at a store goes to the next at once; when every store failed it waits the policy's
 * backoff and starts a new round, and after the policy's number of rounds (or at once, when no
 * store failed in a way another try could mend: fetch_retryable, the rule of whole files) it is
 * reported failed. The checks run in verify/chunkpool.c (threads of their own when the machine
 * has more than one CPU), while the transfers go on.
 *
 * For the HTTP caches in front of a store: a chunk that fails its check is first asked again of
 * the same store with "Cache-Control: no-cache" (a cache that kept a bad copy fetches it anew),
 * then of the next store. A store that answers 503 or 429 with Retry-After gets no request until
 * the time it asked for has passed (jittered upwards), and the chunks it refused wait that long
 * before their next round. */
#define _GNU_SOURCE
#include "fetch/chunks.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/curl.h"
#include "log.h"
#include "verify/chunkpool.h"

enum { C_IDLE, C_QUEUED, C_ACTIVE, C_WAIT, C_DONE };

/* What the engine knows of one chunk. */
struct cstate {
	uint8_t state;
	uint8_t tried;  /* stores tried in this round (bit per store) */
	uint8_t rounds; /* rounds in which every store failed */
	uint8_t soft;   /* this round saw a failure worth another round (fetch_retryable) */
	uint8_t fresh;  /* stores it is asked of past their caches (bit per store; kept across rounds) */
};

/* One request in flight. */
struct slot {
	CURL *h;
	size_t chunk;
	unsigned store;
	uint8_t *buf;
	size_t len, cap;
	size_t limit;   /* the most bytes taken */
	bool busy;
	char url[2048];
	char err[CURL_ERROR_SIZE];
};

/* A chunk waiting for its next round. */
struct waiter {
	size_t chunk;
	uint64_t at;
};

struct chunks {
	struct chunks_req *rq;
	struct fetch_config cfg;
	const struct ca_index *ix;
	CURLM *multi;
	struct slot *slots;
	unsigned nslots, active;
	struct cstate *cs;
	size_t *queue, qhead, qlen;  /* ring of ix->n chunk numbers */
	struct waiter *wait;
	size_t nwait;
	bool store_down[MIRRORS_MAX];
	uint64_t store_hold[MIRRORS_MAX]; /* no request before this time (Retry-After) */
	struct curl_slist *no_cache;      /* the headers that ask past the caches */
	size_t limit;                /* the most bytes a chunk may take as served */
	struct chunk_pool *pool;     /* where chunks are checked */
	unsigned checking;           /* chunks in the pool */
};

/* The largest body taken for a chunk of at most MAX bytes: what zstd, xz or gzip make of bytes
 * that do not compress, with room to spare. */
static size_t body_limit(uint32_t max)
{
	return (size_t)max + max / 4 + 65536;
}

/* Rounds of requests that each connect and stall, the backoffs between them at their longest. */
unsigned chunks_patience_s(const struct fetch_config *cfg, unsigned nstores)
{
	struct fetch_config c = fetch_defaults(cfg);
	uint64_t s = (uint64_t)c.attempts * nstores * (c.connect_s + c.stall_s);
	for (unsigned k = 1; k < c.attempts; k++)
		s += (k < 6 ? 1u << (k - 1) : 30u) * 3 / 2 + 1;
	s += 30;
	return s < 86400 ? (unsigned)s : 86400;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata);

/* Slot S's transfer with the options every request of E shares (its URL is set per request). */
static int slot_init(struct chunks *e, struct slot *s)
{
	s->limit = e->limit;
	if (!(s->h = curl_easy_init()))
		return -ENOMEM;
	fetch_curl_setup(s->h, &e->cfg, e->rq->stores->base[0], s->err);
	curl_easy_setopt(s->h, CURLOPT_BUFFERSIZE, 256L * 1024); /* a chunk in few reads */
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_TIME, (long)e->cfg.stall_s);
	curl_easy_setopt(s->h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->limit);
	return 0;
}

/* A new engine; NULL after a line when out of memory. */
struct chunks *chunks_new(struct chunks_req *rq)
{
	struct chunks *e = calloc(1, sizeof(*e));
	const struct ca_index *ix = rq->ix;
	if (!e)
		goto oom;
	e->rq = rq;
	e->ix = ix;
	e->cfg = fetch_defaults(rq->cfg);
	e->nslots = rq->inflight ? rq->inflight : CHUNKS_INFLIGHT;
	e->limit = body_limit(ix->max);
	e->slots = calloc(e->nslots, sizeof(*e->slots));
	e->cs = calloc(ix->n, sizeof(*e->cs));
	e->queue = calloc(ix->n, sizeof(*e->queue));
	e->wait = calloc(ix->n, sizeof(*e->wait));
	e->pool = chunk_pool_new(ix->digest, chunk_pool_threads());
	e->multi = curl_multi_init();
	e->no_cache = curl_slist_append(NULL, "Cache-Control: no-cache");
	if (e->no_cache && !curl_slist_append(e->no_cache, "Pragma: no-cache")) {
		curl_slist_free_all(e->no_cache);
		e->no_cache = NULL;
	}
	if (!e->slots || !e->cs || !e->queue || !e->wait || !e->pool || !e->multi || !e->no_cache)
		goto oom;
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, (long)e->nslots * 2);
	for (unsigned i = 0; i < e->nslots; i++)
		if (slot_init(e, &e->slots[i]) < 0)
			goto oom;
	return e;
oom:
	chunks_free(e);
	log_err(-ENOMEM, "chunks: out of memory for the engine of %zu chunks", ix->n);
	return NULL;
}

/* Free everything. */
void chunks_free(struct chunks *e)
{
	if (!e)
		return;
	for (unsigned i = 0; e->slots && i < e->nslots; i++) {
		if (e->slots[i].h && e->multi)
			curl_multi_remove_handle(e->multi, e->slots[i].h);
		if (e->slots[i].h)
			curl_easy_cleanup(e->slots[i].h);
		free(e->slots[i].buf);
	}
	if (e->multi)
		curl_multi_cleanup(e->multi);
	curl_slist_free_all(e->no_cache);
	chunk_pool_free(e->pool);
	free(e->slots);
	free(e->cs);
	free(e->queue);
	free(e->wait);
	free(e);
}

/* Chunk I at the back of the queue (FRONT: at its front). */
static void enqueue(struct chunks *e, size_t i, bool front)
{
	size_t n = e->ix->n;
	e->cs[i].state = C_QUEUED;
	if (front)
		e->qhead = (e->qhead + n - 1) % n;
	e->queue[front ? e->qhead : (e->qhead + e->qlen) % n] = i;
	e->qlen++;
}

/* Queue chunk I (at the FRONT or the back) unless it is queued, in flight or waiting. */
static void want(struct chunks *e, size_t i, bool front)
{
	if (i < e->ix->n && (e->cs[i].state == C_IDLE || e->cs[i].state == C_DONE)) {
		e->cs[i].tried = e->cs[i].rounds = e->cs[i].soft = e->cs[i].fresh = 0;
		enqueue(e, i, front);
	}
}

/* Ask for chunk I. */
void chunks_want(struct chunks *e, size_t i)
{
	want(e, i, false);
}

/* Ask for chunk I first. */
void chunks_want_first(struct chunks *e, size_t i)
{
	want(e, i, true);
}

/* Slots free and not spoken for by the queue. */
unsigned chunks_idle(const struct chunks *e)
{
	size_t free_slots = e->nslots - e->active;
	return e->qlen >= free_slots ? 0 : (unsigned)(free_slots - e->qlen);
}

/* Chunks the engine is busy with. */
size_t chunks_busy(const struct chunks *e)
{
	return e->qlen + e->active + e->nwait + e->checking;
}

/* libcurl body callback: keep the bytes, growing the buffer, up to the slot's limit (a short
 * count ends the transfer; the completion finds len past the limit). */
static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct slot *s = userdata;
	size_t n = size * nmemb;
	if (n > s->limit - s->len) {
		s->len = s->limit + 1;
		return 0;
	}
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		while (cap < s->len + n)
			cap *= 2;
		uint8_t *b = realloc(s->buf, cap);
		if (!b)
			return 0;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return n;
}

/* The store chunk C tries next in this round: the first it has not tried that has neither failed
 * nor asked to be left alone for now (Retry-After), else the first not tried that has not asked
 * that, else the first not tried; -1 when it tried them all. */
static int next_store(const struct chunks *e, const struct cstate *c)
{
	int best = 3, pick = -1;
	uint64_t now = now_ms();
	for (unsigned s = 0; s < e->rq->stores->n && best; s++) {
		if (c->tried & (1u << s))
			continue;
		int rank = (e->store_hold[s] > now) * 2 + e->store_down[s];
		rank = rank > 2 ? 2 : rank;
		if (pick < 0 || rank < best)
			best = rank, pick = (int)s;
	}
	return pick;
}

/* Chunk I waits until AT (ms) for its next request, no round counted. */
static void park(struct chunks *e, size_t i, uint64_t at)
{
	e->cs[i].state = C_WAIT;
	e->wait[e->nwait++] = (struct waiter){i, at};
}

/* Start slot S on chunk I at store ST; 0 or a negative errno (after a line). */
static int start(struct chunks *e, struct slot *s, size_t i, unsigned st)
{
	const struct ca_chunk *c = &e->ix->chunk[i];
	char path[CA_ID_HEX + 16];
	ca_chunk_path(c, path, sizeof(path));
	int n = snprintf(s->url, sizeof(s->url), "%s%s", e->rq->stores->base[st], path);
	if (n < 0 || (size_t)n >= sizeof(s->url))
		return log_err(-ENAMETOOLONG, "chunks %s: URL too long", e->rq->stores->base[st]);
	s->chunk = i;
	s->store = st;
	s->len = 0;
	s->err[0] = '\0';
	e->cs[i].state = C_ACTIVE;
	e->cs[i].tried |= 1u << st;
	fetch_curl_url(s->h, s->url);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, e->cs[i].fresh & (1u << st) ? e->no_cache : NULL);
	if (curl_multi_add_handle(e->multi, s->h) != CURLM_OK)
		return log_err(-ENOMEM, "chunks %s: cannot start the transfer", s->url);
	s->busy = true;
	e->active++;
	return 0;
}

/* Fill free slots from the queue, while the chunks waiting for their check are not more than
 * the slots (the memory they hold stays bounded when checking is slower than the network); a
 * chunk whose store asked to be left alone waits for it instead. */
static int fill(struct chunks *e)
{
	uint64_t now = now_ms();
	for (unsigned k = 0; k < e->nslots && e->qlen && e->checking <= e->nslots;) {
		struct slot *s = &e->slots[k];
		if (s->busy) {
			k++;
			continue;
		}
		size_t i = e->queue[e->qhead];
		e->qhead = (e->qhead + 1) % e->ix->n;
		e->qlen--;
		int st = next_store(e, &e->cs[i]);
		unsigned at = st < 0 ? 0 : (unsigned)st;
		if (e->store_hold[at] > now) {
			park(e, i, e->store_hold[at]);
			continue;
		}
		int r = start(e, s, i, at);
		if (r < 0)
			return r;
		k++;
	}
	return 0;
}

/* Chunk I's name for lines: its id and the bytes it holds, into OUT. */
static const char *chunk_name(const struct chunks *e, size_t i, char *out, size_t cap)
{
	const struct ca_chunk *c = &e->ix->chunk[i];
	char hex[CA_ID_HEX];
	ca_id_hex(c->id, hex);
	snprintf(out, cap, "%s (bytes %" PRIu64 "-%" PRIu64 ")", hex, c->start, c->start + c->size - 1);
	return out;
}

/* Chunk I failed a round at every store with R (WHY the last cause): wait for the next round, or
 * give up within the policy. */
static int round_failed(struct chunks *e, size_t i, int r, const char *why)
{
	struct cstate *c = &e->cs[i];
	char name[CA_ID_HEX + 64];
	c->rounds++;
	if (!c->soft || c->rounds >= e->cfg.attempts) {
		c->state = C_IDLE;
		if (c->soft)
			log_err(r, "chunk %s: %s; giving up after %u attempts", chunk_name(e, i, name, sizeof(name)), why, c->rounds);
		else
			log_err(r, "chunk %s: %s at every store", chunk_name(e, i, name, sizeof(name)), why);
		return e->rq->done(e->rq->ctx, i, NULL, r);
	}
	uint64_t wait = fetch_backoff(c->rounds);
	log_info("chunk %s: %s (attempt %u); retrying in %" PRIu64 ".%01" PRIu64 " s", chunk_name(e, i, name, sizeof(name)), why,
		 c->rounds, wait / 1000, wait % 1000 / 100);
	c->state = C_WAIT;
	c->tried = c->soft = 0;
	e->wait[e->nwait++] = (struct waiter){i, now_ms() + wait};
	return 0;
}

/* Chunk I from store ST failed with R (WHY): when its bytes were bad, the same store again past
 * its caches (once); else the next store at once, else the round failed. */
static int refused(struct chunks *e, size_t i, unsigned st, int r, const char *why)
{
	char at[2300], name[CA_ID_HEX + 64];
	struct cstate *c = &e->cs[i];
	snprintf(at, sizeof(at), "%s from %s", why, e->rq->stores->base[st]);
	if ((r == -EILSEQ || r == -EBADMSG) && !(c->fresh & (1u << st))) {
		c->fresh |= 1u << st;
		c->tried &= ~(1u << st);
		log_info("chunk %s: %s; asking %s again with Cache-Control: no-cache", chunk_name(e, i, name, sizeof(name)), at,
			 e->rq->stores->base[st]);
		enqueue(e, i, true);
		return 0;
	}
	if (fetch_retryable(r))
		c->soft = 1;
	int next = next_store(e, &e->cs[i]);
	if (next < 0)
		return round_failed(e, i, r, at);
	log_info("chunk %s: %s; next store: %s", chunk_name(e, i, name, sizeof(name)), at, e->rq->stores->base[next]);
	enqueue(e, i, true);
	return 0;
}

/* A checked job J: its chunk handed on, or asked elsewhere. */
static int checked(struct chunks *e, struct chunk_job *j)
{
	size_t i = j->chunk;
	int r;
	e->checking--;
	if (j->r < 0) {
		r = refused(e, i, j->store, j->r, j->why);
	} else {
		if (e->cs[i].fresh & (1u << j->store)) {
			char name[CA_ID_HEX + 64];
			log_info("chunk %s: good from %s past the caches (Cache-Control: no-cache): a cache there held a bad copy",
				 chunk_name(e, i, name, sizeof(name)), e->rq->stores->base[j->store]);
		}
		e->store_down[j->store] = false;
		e->cs[i].state = C_DONE;
		e->rq->bytes += j->len;
		e->rq->chunks++;
		e->rq->per_store[j->store]++;
		r = e->rq->done(e->rq->ctx, i, j->out, 0);
	}
	chunk_job_free(j);
	return r;
}

/* Hand on every chunk the pool has checked: 0, or what rq->done returned. */
static int drain(struct chunks *e)
{
	struct chunk_job *j;
	while ((j = chunk_pool_get(e->pool))) {
		int r = checked(e, j);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Slot S's answer (HTTP STATUS) asked, a 503 or 429 with Retry-After, that its store be left
 * alone for a while: no request to it until then, and one line when the hold begins. */
static void hold(struct chunks *e, const struct slot *s, long status)
{
	unsigned told;
	uint64_t ms = fetch_retry_after(s->h, &told), now = now_ms();
	if (!ms || e->store_hold[s->store] > now)
		return;
	e->store_hold[s->store] = now + ms;
	log_info("chunks %s: HTTP %ld, Retry-After %u s: no request to it for %" PRIu64 ".%01" PRIu64 " s", e->rq->stores->base[s->store],
		 status, told, ms / 1000, ms % 1000 / 100);
}

/* The transfer of slot S ended with RES: a whole answer goes to be checked (the slot's buffer
 * with it), anything else is refused at once. */
static int finished(struct chunks *e, struct slot *s, CURLcode res)
{
	size_t i = s->chunk;
	long status = 0;
	char why[CURL_ERROR_SIZE + 160];
	int r = 0;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(e->multi, s->h);
	e->active--;
	s->busy = false;
	if (s->len > s->limit || res == CURLE_FILESIZE_EXCEEDED) {
		r = -EFBIG;
		snprintf(why, sizeof(why), "more than the %zu bytes a chunk of at most %" PRIu32 " bytes may take", s->limit, e->ix->max);
	} else if (res != CURLE_OK && !(status >= 300)) {
		r = fetch_curl_errno(res);
		log_clean(s->err[0] ? s->err : curl_easy_strerror(res), why, sizeof(why));
		e->store_down[s->store] = true;
	} else if (status != 200) {
		r = fetch_http_errno(status);
		snprintf(why, sizeof(why), "HTTP %ld", status);
		hold(e, s, status);
	}
	if (r < 0)
		return refused(e, i, s->store, r, why);
	struct chunk_job *j = calloc(1, sizeof(*j));
	if (!j)
		return refused(e, i, s->store, -ENOMEM, "out of memory");
	*j = (struct chunk_job){.chunk = i, .store = s->store, .c = &e->ix->chunk[i], .in = s->buf, .len = s->len};
	s->buf = NULL;
	s->cap = 0;
	e->checking++;
	chunk_pool_put(e->pool, j);
	return drain(e);
}

/* Waiters whose time came go to the front of the queue; the time until the next one into *MS
 * (lowered, never raised). */
static void wake(struct chunks *e, int *ms)
{
	uint64_t now = now_ms();
	for (size_t k = 0; k < e->nwait;) {
		struct waiter w = e->wait[k];
		if (w.at <= now) {
			e->wait[k] = e->wait[--e->nwait];
			enqueue(e, w.chunk, true);
			continue;
		}
		if (w.at - now < (uint64_t)*ms)
			*ms = (int)(w.at - now);
		k++;
	}
}

/* Run the transfers, then hand on every one that completed: how many did, or the negative errno
 * rq->done returned. */
static int run(struct chunks *e)
{
	int running, n = 0, r;
	CURLMsg *m;
	curl_multi_perform(e->multi, &running);
	while ((m = curl_multi_info_read(e->multi, &running))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct slot *s;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		if ((r = finished(e, s, m->data.result)) < 0)
			return r;
		n++;
	}
	return n;
}

/* Move the transfers on: start what is queued, take what completed; wait only when nothing did
 * (a transfer that completes within one run leaves libcurl no socket to wait on). */
int chunks_step(struct chunks *e, int fd, int timeout_ms)
{
	int r;
	wake(e, &timeout_ms);
	if ((r = fill(e)) < 0 || (r = run(e)) < 0)
		return r;
	struct curl_waitfd wfd[2] = {{.fd = chunk_pool_fd(e->pool), .events = CURL_WAIT_POLLIN}, {.fd = fd, .events = CURL_WAIT_POLLIN}};
	unsigned first = wfd[0].fd < 0, n = 2 - first - (fd < 0);
	if (r > 0 || (e->qlen && e->active < e->nslots))
		timeout_ms = 0;
	curl_multi_poll(e->multi, n ? wfd + first : NULL, n, timeout_ms, NULL);
	if ((r = run(e)) < 0 || (r = drain(e)) < 0)
		return r;
	return fd >= 0 && (wfd[1].revents & CURL_WAIT_POLLIN) ? 1 : 0;
}
