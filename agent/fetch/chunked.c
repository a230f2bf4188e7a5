/* chunked.c - a chunked image in whole mode: the index fetched and checked, then every chunk
 * fetched with several requests in flight, checked, and written in place into the image file. A
 * broken transfer costs only the chunk it carried: that chunk alone is asked again. Chunks that
 * repeat (the same id and size at several places: runs of zeros, files stored twice) are fetched
 * once and written at each place. The chunks are asked for from a random place of the index on,
 * round to where it began: machines that boot together through one HTTP cache then mostly ask
 * it for different chunks, instead of all waiting on the one it is fetching. */
#define _GNU_SOURCE
#include "fetch/chunked.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/curl.h"
#include "fetch/image.h"
#include "fsutil.h"
#include "log.h"
#include "url.h"

/* The index, checked, into FILE and IX. */
int chunked_index(struct fetch_req *rq, const struct trust *t, const char *file, struct ca_index *ix, uint8_t **raw,
		  size_t *rawlen)
{
	uint8_t *p = NULL;
	size_t len;
	char why[160];
	rq->max = CA_INDEX_MAX;
	int r = image_fetch(rq, t, file);
	if (r < 0)
		return r;
	if ((r = read_whole(file, CA_INDEX_MAX, &p, &len)) < 0) {
		unlink(file);
		return log_errno(r, "chunks %s: read %s", rq->url, file);
	}
	r = ca_index_parse(p, len, ix, why, sizeof(why));
	if (r == 0 && raw)
		*raw = p, *rawlen = len;
	else
		free(p);
	if (r < 0) {
		unlink(file);
		return log_err(r, "chunks %s: not a casync blob index: %s", rq->url, why);
	}
	log_info("chunks %s: %zu chunks of %" PRIu32 "-%" PRIu32 " bytes (%" PRIu32 " on average), %s ids, an image of %" PRIu64 " bytes",
		 rq->url, ix->n, ix->min, ix->max, ix->avg, ca_digest_name(ix->digest), ix->size);
	return 0;
}

/* What the whole fetch keeps. */
struct whole {
	int fd;
	const char *image;
	const struct ca_index *ix;
	size_t *same;    /* the next place of the same chunk, SIZE_MAX for none */
	bool *repeat;    /* a place whose chunk an earlier place has */
	struct progress prog;
	uint64_t done;
	size_t left;
};

/* qsort_r: places A and B of index IX in the order of their chunks' ids and sizes, then places. */
static int by_chunk(const void *a, const void *b, void *ix)
{
	const struct ca_chunk *x = &((const struct ca_index *)ix)->chunk[*(const size_t *)a];
	const struct ca_chunk *y = &((const struct ca_index *)ix)->chunk[*(const size_t *)b];
	int r = memcmp(x->id, y->id, CA_ID_LEN);
	if (!r)
		r = (x->size > y->size) - (x->size < y->size);
	return r ? r : (x->start > y->start) - (x->start < y->start);
}

/* Link the places of W's index that hold the same chunk (w->same, w->repeat): how many places
 * repeat an earlier one, or -ENOMEM. */
static ssize_t link_repeats(struct whole *w)
{
	size_t n = w->ix->n, k, repeats = 0, *order = malloc(n * sizeof(*order));
	w->same = malloc(n * sizeof(*w->same));
	w->repeat = calloc(n, sizeof(*w->repeat));
	if (!order || !w->same || !w->repeat) {
		free(order);
		return -ENOMEM;
	}
	for (k = 0; k < n; k++)
		order[k] = k, w->same[k] = SIZE_MAX;
	qsort_r(order, n, sizeof(*order), by_chunk, (void *)w->ix);
	for (k = 1; k < n; k++) {
		const struct ca_chunk *a = &w->ix->chunk[order[k - 1]], *b = &w->ix->chunk[order[k]];
		if (a->size == b->size && !memcmp(a->id, b->id, CA_ID_LEN)) {
			w->same[order[k - 1]] = order[k];
			w->repeat[order[k]] = true;
			repeats++;
		}
	}
	free(order);
	return (ssize_t)repeats;
}

/* chunks_req.done: a checked chunk goes to its offset and to every later place of the same
 * chunk; a failed one ends the fetch. */
static int write_chunk(void *ctx, size_t i, const uint8_t *data, int err)
{
	struct whole *w = ctx;
	if (!data)
		return err;
	for (size_t p = i; p != SIZE_MAX; p = w->same[p]) {
		const struct ca_chunk *c = &w->ix->chunk[p];
		for (size_t off = 0; off < c->size;) {
			ssize_t n = pwrite(w->fd, data + off, c->size - off, (off_t)(c->start + off));
			if (n < 0)
				return log_errno(-errno, "chunks: write %s at byte %" PRIu64, w->image, c->start + off);
			off += (size_t)n;
		}
		w->done += c->size;
		w->left--;
	}
	progress_update(&w->prog, w->done, w->ix->size);
	return 0;
}

/* The figures of a whole fetch that took MS milliseconds. */
static void summary(const struct chunks_req *cr, uint64_t ms)
{
	char per[160] = "";
	size_t at = 0;
	for (unsigned s = 0; s < cr->stores->n && cr->stores->n > 1 && at < sizeof(per); s++)
		at += (size_t)snprintf(per + at, sizeof(per) - at, "%s%" PRIu64, s ? "/" : "; per store ", cr->per_store[s]);
	log_info("chunks: %" PRIu64 " chunks checked, %" PRIu64 " bytes received for %" PRIu64 " in %" PRIu64 ".%03" PRIu64 " s%s",
		 cr->chunks, cr->bytes, cr->ix->size, ms / 1000, ms % 1000, per);
}

/* Fetch every chunk into IMAGE. */
int chunked_fetch(struct chunks_req *cr, const char *image, const char *label)
{
	struct whole w = {.image = image, .ix = cr->ix, .left = cr->ix->n};
	uint64_t t0 = now_ms(), deadline = cr->cfg && cr->cfg->deadline_s ? t0 + cr->cfg->deadline_s * 1000ull : 0;
	int r = 0;
	w.fd = open(image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w.fd < 0)
		return log_errno(-errno, "chunks: create %s", image);
	if (ftruncate(w.fd, (off_t)cr->ix->size) < 0)
		r = log_errno(-errno, "chunks: size %s to %" PRIu64 " bytes", image, cr->ix->size);
	cr->done = write_chunk;
	cr->ctx = &w;
	ssize_t repeats = r < 0 ? 0 : link_repeats(&w);
	if (repeats < 0)
		r = log_err(-ENOMEM, "chunks: out of memory for the places of %zu chunks", cr->ix->n);
	else if (repeats > 0)
		log_info("chunks: %zd places repeat a chunk of another: each chunk fetched once, written at each place", repeats);
	struct chunks *e = r < 0 ? NULL : chunks_new(cr);
	if (!e && r == 0)
		r = -ENOMEM;
	progress_start(&w.prog, label, cr->ix->size);
	size_t n = cr->ix->n, first = n ? fetch_random() % n : 0;
	for (size_t k = 0; e && r == 0 && w.left;) {
		for (; k < n && chunks_idle(e); k++)
			if (!w.repeat[(first + k) % n])
				chunks_want(e, (first + k) % n);
		if (deadline && now_ms() >= deadline)
			r = log_err(-ETIMEDOUT, "chunks %s: not done after %u s (pxeroot.timeout=)", label, cr->cfg->deadline_s);
		else
			r = chunks_step(e, -1, 1000);
	}
	chunks_free(e);
	free(w.same);
	free(w.repeat);
	progress_end(&w.prog, r == 0);
	if (close(w.fd) < 0 && r == 0)
		r = log_errno(-errno, "chunks: close %s", image);
	if (r < 0) {
		unlink(image);
		return r;
	}
	summary(cr, now_ms() - t0);
	return 0;
}

/* The store beside URL: the index's name with URL_INDEX_SUFFIX made URL_STORE_SUFFIX. */
static int store_of(const char *url, char *out, size_t cap)
{
	size_t n = strlen(url) - (url_is_index(url) ? strlen(URL_INDEX_SUFFIX) : 0);
	int w = snprintf(out, cap, "%.*s" URL_STORE_SUFFIX, (int)n, url);
	if (!url_is_index(url) || w < 0 || (size_t)w >= cap)
		return log_err(-EINVAL, "chunks %s: no store beside it (an index URL ends in " URL_INDEX_SUFFIX ")", url);
	return 0;
}

/* Every store, in order. */
int chunked_stores(const struct mirrors *m, const char *path, const char *const *x, unsigned nx, struct mirrors *st,
		   char (*b)[2048])
{
	char url[4096];
	*st = (struct mirrors){.n = m->n + nx};
	if (st->n > MIRRORS_MAX)
		return log_err(-E2BIG, "chunks %s: more than %d stores and mirrors", path, MIRRORS_MAX);
	for (unsigned k = 0; k < m->n; k++) {
		snprintf(url, sizeof(url), "%s%s", m->base[k], path);
		int r = store_of(url, b[k ? nx + k : 0], sizeof(b[0]));
		if (r < 0)
			return r;
	}
	for (unsigned i = 0; i < nx; i++) {
		size_t n = strlen(x[i]);
		int w = snprintf(b[1 + i], sizeof(b[0]), "%s%s", x[i], n && x[i][n - 1] == '/' ? "" : "/");
		if (w < 0 || (size_t)w >= sizeof(b[0]))
			return log_err(-EINVAL, "chunks: store %s: URL too long", x[i]);
	}
	for (unsigned i = 0; i < st->n; i++)
		st->base[i] = b[i];
	return 0;
}
