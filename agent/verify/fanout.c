/* fanout.c - run the checks' hashing on other cores while the transfer goes on: with SHA-512,
 * CMS and OpenPGP each on their own thread, a download is bound by the slowest check, not by their
 * sum. */
#define _GNU_SOURCE
#include "verify/fanout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Wait until the slot for chunk number f->written is free (every worker is past its last use). */
static void wait_room(struct fanout *f)
{
	pthread_mutex_lock(&f->mu);
	for (;;) {
		uint64_t slowest = f->written;
		for (int i = 0; i < f->n; i++)
			if (f->w[i].done < slowest)
				slowest = f->w[i].done;
		if (f->written - slowest < FANOUT_SLOTS)
			break;
		pthread_cond_wait(&f->cv, &f->mu);
	}
	pthread_mutex_unlock(&f->mu);
}

/* Hand the slot being filled to the workers. */
static void publish(struct fanout *f)
{
	f->len[f->written % FANOUT_SLOTS] = f->fill;
	f->fill = 0;
	pthread_mutex_lock(&f->mu);
	f->written++;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* Append to the slot being filled (no worker reads it until it is published); publish full
 * slots. Small network chunks are gathered so the threads hand over whole slots. */
static int fanout_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct fanout *f = (struct fanout *)s;
	while (n) {
		if (f->fill == 0)
			wait_room(f);
		size_t part = FANOUT_SLOT_SIZE - f->fill;
		if (part > n)
			part = n;
		memcpy(f->slot[f->written % FANOUT_SLOTS] + f->fill, p, part);
		f->fill += part;
		p += part;
		n -= part;
		if (f->fill == FANOUT_SLOT_SIZE)
			publish(f);
	}
	return 0;
}

/* A worker: feed its sink every chunk in order until the writer closes and all are consumed. */
static void *fanout_worker(void *arg)
{
	struct fanout_worker *w = arg;
	struct fanout *f = w->f;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (w->done == f->written && !f->closed)
			pthread_cond_wait(&f->cv, &f->mu);
		if (w->done == f->written)
			break;
		size_t k = w->done % FANOUT_SLOTS;
		pthread_mutex_unlock(&f->mu);
		if (!w->err)
			w->err = w->target->write(w->target, f->slot[k], f->len[k]);
		pthread_mutex_lock(&f->mu);
		w->done++;
		pthread_cond_broadcast(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* Free the ring. */
static void free_slots(struct fanout *f)
{
	for (int i = 0; i < FANOUT_SLOTS; i++) {
		free(f->slot[i]);
		f->slot[i] = NULL;
	}
}

/* Set up the ring and the threads. */
int fanout_start(struct fanout *f, struct sink **targets, int n)
{
	memset(f, 0, sizeof(*f));
	f->s.write = fanout_write;
	if (n > FANOUT_MAX)
		return -E2BIG;
	for (int i = 0; i < FANOUT_SLOTS; i++)
		if (!(f->slot[i] = malloc(FANOUT_SLOT_SIZE))) {
			free_slots(f);
			return -ENOMEM;
		}
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	for (int i = 0; i < n; i++) {
		f->w[i] = (struct fanout_worker){.f = f, .target = targets[i]};
		int r = pthread_create(&f->w[i].thread, NULL, fanout_worker, &f->w[i]);
		if (r != 0) {
			fanout_finish(f);
			return -r;
		}
		f->n = i + 1;
	}
	return 0;
}

/* Publish the last partial slot, close, drain, join. */
int fanout_finish(struct fanout *f)
{
	if (f->fill)
		publish(f);
	pthread_mutex_lock(&f->mu);
	f->closed = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	int err = 0;
	for (int i = 0; i < f->n; i++) {
		pthread_join(f->w[i].thread, NULL);
		if (!err)
			err = f->w[i].err;
	}
	f->n = 0;
	free_slots(f);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	return err;
}
