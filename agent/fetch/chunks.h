/* chunks.h - the chunks of a casync index over HTTP(S): several GETs in flight (libcurl's multi
 * interface), each chunk from the first store that serves it and checked (verify/chunk.c) before
 * a byte of it is handed on. A store that fails is skipped until every store has failed, as
 * mirrors are (fetch.h); a chunk that failed at every store is asked again after a backoff, as
 * many times as the transfer policy allows, and then reported failed with one line naming it.
 * Plain GETs of immutable files with names of their own: any HTTP cache can keep them. */
#ifndef PXEROOT_CHUNKS_H
#define PXEROOT_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/fetch.h"
#include "verify/caindex.h"

#define CHUNKS_INFLIGHT 8  /* requests in flight when the caller does not say */

struct chunks;

struct chunks_req {
	const struct fetch_config *cfg; /* the transfer policy; NULL: the defaults */
	const struct mirrors *stores;   /* the stores' base URLs, each ending in '/', in order */
	const struct ca_index *ix;
	unsigned inflight;              /* requests at once (0: CHUNKS_INFLIGHT) */
	/* Chunk I is ready: DATA holds its ix->chunk[I].size checked bytes (valid during the call);
	 * or DATA is NULL and ERR the negative errno after the line naming the chunk and the cause.
	 * 0, or a negative errno that chunks_step returns at once. */
	int (*done)(void *ctx, size_t i, const uint8_t *data, int err);
	void *ctx;
	/* Counted as chunks arrive: */
	uint64_t bytes;                 /* bytes received for the chunks that passed their check */
	uint64_t chunks;                /* chunks that passed */
	uint64_t per_store[MIRRORS_MAX]; /* chunks each store gave */
};

/* The longest a chunk can take under the policy CFG (NULL: the defaults) with NSTORES stores,
 * in seconds, with a margin: every round at every store connecting and then stalling, and the
 * backoffs between rounds. A read waits no longer, so the kernel's timeout of a request is set to
 * it. */
unsigned chunks_patience_s(const struct fetch_config *cfg, unsigned nstores);
/* An engine for RQ (kept by the engine; its counters are updated). NULL after a line when out of
 * memory. */
struct chunks *chunks_new(struct chunks_req *rq);
/* Stop every transfer and free the engine. */
void chunks_free(struct chunks *e);
/* Ask for chunk I (i < ix->n): queued behind the chunks asked for before, started as a request
 * slot frees. A chunk queued, in flight or waiting for its retry is not asked twice. */
void chunks_want(struct chunks *e, size_t i);
/* chunks_want, at the front of the queue (a read waits for it). */
void chunks_want_first(struct chunks *e, size_t i);
/* Request slots not in use and no chunk queued for them: how many more chunks could start now. */
unsigned chunks_idle(const struct chunks *e);
/* Chunks queued, in flight or waiting for a retry. */
size_t chunks_busy(const struct chunks *e);
/* Move the transfers on: wait at most TIMEOUT_MS for network activity (or, when FD >= 0, for FD
 * to be readable), then hand every chunk that completed to rq->done. 1 when FD is readable, 0
 * otherwise, or the negative errno rq->done returned. */
int chunks_step(struct chunks *e, int fd, int timeout_ms);

#endif
