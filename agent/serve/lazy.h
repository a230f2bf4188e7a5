/* lazy.h - a chunked image served to the kernel as it is read: each request of the NBD device
 * answered from checked chunks, fetched on demand; a RAM cache of chunks under a budget; a
 * background fill that reads every chunk in order while reads are idle (once tick, when given,
 * has returned false: the root is handed over), until the budget is full or the whole image is
 * in RAM. */
#ifndef PXEROOT_LAZY_H
#define PXEROOT_LAZY_H

#include <stdbool.h>
#include <stdint.h>

#include "fetch/chunks.h"
#include "verify/caindex.h"

struct lazy_req {
	struct chunks_req *cr;   /* the index, stores and policy (its done and ctx are set here) */
	uint64_t cache_max;      /* the budget of the chunk cache, in bytes */
	int sock;                /* the server's end of the NBD socket */
	const char *dev;         /* the device, for lines */
	/* Optional: called at least once a second while it returns true; once it returned false, the
	 * server may sleep until a request comes (when it has nothing else to do). */
	bool (*tick)(void *ctx);
	void *tick_ctx;
};

/* Serve until the kernel disconnects (or closes its end): 0; or a negative errno after a line
 * when the socket breaks. A chunk that cannot be had fails the reads that need it with EIO, after
 * the line naming it; nothing unchecked is ever answered. */
int lazy_serve(struct lazy_req *rq);

#endif
