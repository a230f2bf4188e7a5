/* chunkpool.c - a queue of jobs in and one of jobs out, each under its own mutex; the threads
 * wait on the first, an eventfd says the second has jobs. */
#define _GNU_SOURCE
#include "verify/chunkpool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "verify/chunk.h"

#define THREADS_MAX 4

/* A list of jobs, oldest first. */
struct jobs {
	struct chunk_job *head, *tail;
};

struct chunk_pool {
	enum ca_digest dg;
	pthread_mutex_t lock;     /* in, stop */
	pthread_cond_t more;
	struct jobs in;
	pthread_mutex_t out_lock; /* out */
	struct jobs out;
	int efd;
	bool stop;
	unsigned nthreads;
	pthread_t threads[THREADS_MAX];
	struct chunk_dec *dec;    /* without threads: the caller's decoders */
};

/* J at the end of list L. */
static void push(struct jobs *l, struct chunk_job *j)
{
	j->next = NULL;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

/* The oldest job of L, or NULL. */
static struct chunk_job *pop(struct jobs *l)
{
	struct chunk_job *j = l->head;
	if (j && !(l->head = j->next))
		l->tail = NULL;
	return j;
}

/* Check J with the decoders D. */
static void check(struct chunk_dec *d, enum ca_digest dg, struct chunk_job *j)
{
	j->out = malloc(j->c->size ? j->c->size : 1);
	if (!j->out) {
		j->r = -ENOMEM;
		strcpy(j->why, "out of memory");
		return;
	}
	j->r = chunk_decode(d, dg, j->c, j->in, j->len, j->out, j->why, sizeof(j->why));
}

/* Hand J back: on the out list, the eventfd told. */
static void done(struct chunk_pool *p, struct chunk_job *j)
{
	uint64_t one = 1;
	pthread_mutex_lock(&p->out_lock);
	push(&p->out, j);
	pthread_mutex_unlock(&p->out_lock);
	if (p->efd >= 0)
		(void)!write(p->efd, &one, sizeof(one));
}

/* A thread: take jobs until told to stop. */
static void *worker(void *arg)
{
	struct chunk_pool *p = arg;
	struct chunk_dec *d = chunk_dec_new();
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->stop && !p->in.head)
			pthread_cond_wait(&p->more, &p->lock);
		struct chunk_job *j = p->stop ? NULL : pop(&p->in);
		pthread_mutex_unlock(&p->lock);
		if (!j)
			break;
		if (d)
			check(d, p->dg, j);
		else
			j->r = -ENOMEM, strcpy(j->why, "out of memory");
		done(p, j);
	}
	chunk_dec_free(d);
	return NULL;
}

/* The pool. */
struct chunk_pool *chunk_pool_new(enum ca_digest dg, unsigned threads)
{
	struct chunk_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->dg = dg;
	p->efd = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->out_lock, NULL);
	pthread_cond_init(&p->more, NULL);
	if (!threads) {
		if (!(p->dec = chunk_dec_new()))
			goto fail;
		return p;
	}
	if ((p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		goto fail;
	for (; p->nthreads < threads && p->nthreads < THREADS_MAX; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p))
			break;
	if (p->nthreads)
		return p;
fail:
	chunk_pool_free(p);
	return NULL;
}

/* Free a job. */
void chunk_job_free(struct chunk_job *j)
{
	if (!j)
		return;
	free(j->in);
	free(j->out);
	free(j);
}

/* Stop, join, free. */
void chunk_pool_free(struct chunk_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	struct chunk_job *j;
	while ((j = pop(&p->in)))
		chunk_job_free(j);
	while ((j = pop(&p->out)))
		chunk_job_free(j);
	if (p->efd >= 0)
		close(p->efd);
	chunk_dec_free(p->dec);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->out_lock);
	pthread_cond_destroy(&p->more);
	free(p);
}

/* The eventfd. */
int chunk_pool_fd(const struct chunk_pool *p)
{
	return p->efd;
}

/* Queue J, or check it now. */
void chunk_pool_put(struct chunk_pool *p, struct chunk_job *j)
{
	if (!p->nthreads) {
		check(p->dec, p->dg, j);
		done(p, j);
		return;
	}
	pthread_mutex_lock(&p->lock);
	push(&p->in, j);
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
}

/* A finished job; the eventfd drained when the list is empty. */
struct chunk_job *chunk_pool_get(struct chunk_pool *p)
{
	uint64_t n;
	pthread_mutex_lock(&p->out_lock);
	struct chunk_job *j = pop(&p->out);
	if (!j && p->efd >= 0)
		(void)!read(p->efd, &n, sizeof(n));
	pthread_mutex_unlock(&p->out_lock);
	return j;
}

/* One thread per CPU beyond none, at most THREADS_MAX. */
unsigned chunk_pool_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n <= 1 ? 0 : n > THREADS_MAX ? THREADS_MAX : (unsigned)n;
}
