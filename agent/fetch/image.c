/* image.c - an image over HTTP(S) in one pass: its companions from the image's mirrors, then a
 * single transfer whose bytes go to the file and to every check (verify/checks.c), then the
 * verdicts. A file that changed on the server mid-way is fetched again from zero. */
#define _GNU_SOURCE
#include "fetch/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "verify/checks.h"

#define IMAGE_PASSES 3  /* downloads from zero before giving up on a file that keeps changing */

/* struct companions get: fetch NAME (a path under the image's mirrors) into BUF. */
static long companion_get(void *ctx, const char *name, char *buf, size_t cap, char *where)
{
	const struct fetch_req *img = ctx;
	struct mem_sink ms;
	struct fetch_req rq = {.cfg = img->cfg, .m = img->m, .path = name, .sinks = &ms.s};
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

/* Download RQ into FILE: the file is written on this thread, the checks take the same bytes. */
static int transfer(struct fetch_req *rq, const char *file, struct sink *checks)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_errno(-errno, "fetch %s: create %s", rq->url, file);
	struct file_sink fs;
	file_sink_init(&fs, fd, file);
	fs.s.next = checks;
	rq->sinks = &fs.s;
	fetch_first_url(rq, rq->url, sizeof(rq->url)); /* the companions may have skipped a mirror */
	log_info("fetch %s", rq->url);
	int r = fetch_file(rq);
	if (close(fd) < 0 && r == 0)
		r = log_errno(-errno, "fetch %s: close %s", rq->url, file);
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
	return checks_end(&cs, transfer(rq, file, cs.sink), rq->url);
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
