/* image.c - an image over HTTP(S) in one pass: its companions from the image's mirrors, then a
 * single transfer whose bytes go to every check (verify/checks.c) as served and to the file
 * unpacked (inflate.c: gzip, zstd and xz, told by their magic), then the verdicts. A file that changed on the server mid-way is fetched again from zero. */
#define _GNU_SOURCE
#include "fetch/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inflate.h"
#include "log.h"
#include "verify/checks.h"

#define IMAGE_PASSES 3  /* downloads from zero before giving up on a file that keeps changing */

/* struct companions get: fetch NAME (a path under the image's mirrors) into BUF, refused when it
 * does not fit (the byte for the NUL kept). */
static long companion_get(void *ctx, const char *name, char *buf, size_t cap, char *where)
{
	const struct fetch_req *img = ctx;
	struct mem_sink ms;
	struct fetch_req rq = {.cfg = img->cfg, .m = img->m, .path = name, .sinks = &ms.s, .max = cap - 1};
	int r, tries = 0;
	do {
		mem_sink_init(&ms, buf, cap);
		r = fetch_file(&rq);
	} while (r == -ESTALE && ++tries < 3);
	snprintf(where, 2048, "%s", rq.url);
	if (r < 0)
		return r;
	buf[ms.len] = '\0';
	return (long)ms.len;
}

/* Put INF first in RQ's chain: the bytes as served go on to CHECKS, the unpacked ones to FILE. */
static void unpack_start(struct inflate *inf, struct fetch_req *rq, struct sink *file, struct sink *checks)
{
	inflate_init(inf, file, rq->url);
	inf->budget = rq->on_unpacked;
	inf->ctx = rq->ctx;
	inf->s.next = checks;
	rq->sinks = &inf->s;
	rq->unpacked = &inf->unpacked;
}

/* The transfer's result R with the unpacking's: a stream cut short refuses the image. One that
 * broke mid-way stopped the transfer: its -EBADMSG becomes -EPROTO, as the checks saw part of the
 * bytes and their verdicts (heard on -EBADMSG) would say nothing. */
static int unpack_end(struct inflate *inf, struct fetch_req *rq, int r)
{
	if (r == 0)
		r = inflate_finish(inf);
	else if (r == -EBADMSG && inf->err == r)
		r = -EPROTO;
	inflate_free(inf);
	rq->unpacked = NULL;
	return r;
}

/* Download RQ into FILE: the file is written on this thread (unpacked when the image came
 * compressed), the checks take the bytes as served on threads of their own. */
static int transfer(struct fetch_req *rq, const char *file, struct sink *checks)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_errno(-errno, "fetch %s: create %s", rq->url, file);
	struct file_sink fs;
	struct inflate inf;
	file_sink_init(&fs, fd, file);
	unpack_start(&inf, rq, &fs.s, checks);
	fetch_first_url(rq, rq->url, sizeof(rq->url)); /* the companions may have skipped a mirror */
	log_info("fetch %s", rq->url);
	int r = unpack_end(&inf, rq, fetch_file(rq));
	if (close(fd) < 0 && r == 0)
		r = log_errno(-errno, "fetch %s: close %s", rq->url, file);
	if (r == 0)
		log_mark("download");
	return r;
}

/* Companions, transfer, verdicts; -ESTALE when the image has to be fetched again from zero. */
static int image_pass(struct fetch_req *rq, const struct trust *t, const char *file)
{
	struct companions src = {.get = companion_get, .ctx = rq, .verb = "fetched"};
	struct checks cs;
	int r = checks_begin(&cs, t, rq->url, rq->path, &src);
	if (r < 0)
		return r;
	if ((r = checks_end(&cs, transfer(rq, file, cs.sink), rq->url)) == 0)
		log_mark("checks");
	return r;
}

/* The whole one-pass fetch; started again (companions too) when the file changed under it. */
int image_fetch(struct fetch_req *rq, const struct trust *t, const char *file)
{
	int r = fetch_first_url(rq, rq->url, sizeof(rq->url));
	if (r < 0)
		return log_err(r, "fetch %s: URL too long", rq->path);
	for (int pass = 1; (r = image_pass(rq, t, file)) == -ESTALE; pass++) {
		if (pass == IMAGE_PASSES) {
			r = log_err(-ESTALE, "fetch %s: started over %d times and still could not finish; giving up", rq->url, pass);
			break;
		}
	}
	if (r < 0)
		unlink(file);
	return r;
}
