/* chunkpool.h - chunks checked (chunk_decode) on threads of their own, so the transfers go on
 * meanwhile: a job goes in with a chunk's bytes as served, and comes out with its bytes unpacked
 * and checked, or the reason it was refused. A descriptor is readable while finished jobs wait.
 * With no thread asked for (one CPU), a job is checked at once on the caller's thread. */
#ifndef PXEROOT_CHUNKPOOL_H
#define PXEROOT_CHUNKPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "verify/caindex.h"

struct chunk_job {
	size_t chunk;              /* the caller's: which chunk */
	unsigned store;            /* the caller's: where it came from */
	const struct ca_chunk *c;
	uint8_t *in;               /* the bytes as served (malloc'd; the job owns them) */
	size_t len;
	/* Filled in: */
	uint8_t *out;              /* c->size checked bytes when r == 0 (malloc'd; the job owns them) */
	int r;                     /* chunk_decode's result */
	char why[256];             /* its reason when r < 0 */
	struct chunk_job *next;
};

struct chunk_pool;

/* A pool of THREADS threads (0: none, jobs checked on the caller's thread) checking chunks of
 * an index whose ids are digests DG; NULL when out of memory (nothing logged). */
struct chunk_pool *chunk_pool_new(enum ca_digest dg, unsigned threads);
/* Stop the threads; free the pool and every job still in it. */
void chunk_pool_free(struct chunk_pool *p);
/* The descriptor readable while finished jobs wait (-1 without threads: chunk_pool_get has them
 * at once). */
int chunk_pool_fd(const struct chunk_pool *p);
/* Check job J (the pool owns it until chunk_pool_get hands it back). */
void chunk_pool_put(struct chunk_pool *p, struct chunk_job *j);
/* A finished job, or NULL. */
struct chunk_job *chunk_pool_get(struct chunk_pool *p);
/* Free job J and the bytes it holds. */
void chunk_job_free(struct chunk_job *j);
/* The threads to use on this machine: none with one CPU, else one per CPU, at most 4. */
unsigned chunk_pool_threads(void);

#endif
