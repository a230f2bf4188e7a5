/* fanout.h - a sink that feeds other sinks, each on its own thread */
#ifndef PXEROOT_FANOUT_H
#define PXEROOT_FANOUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sink.h"

#define FANOUT_MAX 4
#define FANOUT_SLOTS 16
#define FANOUT_SLOT_SIZE (256 * 1024)

struct fanout;

/* One consumer thread. */
struct fanout_worker {
	struct fanout *f;
	struct sink *target;
	uint64_t done;          /* chunks consumed */
	int err;                /* the first error of target->write */
	pthread_t thread;
};

/* Chunks are copied once into a ring of slots; every worker consumes every chunk in order; a
 * slot is reused when all workers are past it. The writer blocks only when the slowest worker is
 * FANOUT_SLOTS chunks behind. */
struct fanout {
	struct sink s;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *slot[FANOUT_SLOTS];
	size_t len[FANOUT_SLOTS];
	uint64_t written;       /* chunks published */
	size_t fill;            /* bytes in the slot being filled (number `written`) */
	bool closed;
	int n;
	struct fanout_worker w[FANOUT_MAX];
};

/* Start one thread per sink of TARGETS[0..N). 0 or negative errno. */
int fanout_start(struct fanout *f, struct sink **targets, int n);
/* Let the workers drain, join them, free the ring; the first error any target returned, else 0. */
int fanout_finish(struct fanout *f);

#endif
