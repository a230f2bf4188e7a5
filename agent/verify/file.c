/* file.c - a local file as the producer of the one-pass checks: read once, in large chunks, with
 * the progress line of a download. */
#define _GNU_SOURCE
#include "verify/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "verify/checks.h"

#define CHUNK (256 * 1024)

/* Every byte of FD into CHAIN, drawing the progress line P (NULL: none). */
static int pump(int fd, const char *path, struct sink *chain, struct progress *p)
{
	uint8_t *buf = malloc(CHUNK);
	if (!buf)
		return log_err(-ENOMEM, "read %s: out of memory", path);
	uint64_t done = 0;
	ssize_t n;
	int r = 0;
	while (r == 0 && (n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = log_errno(-errno, "read %s", path);
			break;
		}
		r = sink_feed(chain, buf, (size_t)n);
		done += (uint64_t)n;
		if (p)
			progress_update(p, done, p->total);
	}
	free(buf);
	return r;
}

/* struct companions get: read the file NAME into BUF through a bounded memory sink. */
static long companion_read(void *ctx, const char *name, char *buf, size_t cap, char *where)
{
	(void)ctx;
	snprintf(where, 2048, "%s", name);
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "read %s", name);
	struct mem_sink ms;
	mem_sink_init(&ms, buf, cap);
	int r = pump(fd, name, &ms.s, NULL);
	close(fd);
	if (r == -EFBIG) /* the memory sink's refusal; read errors are logged by pump */
		return log_errno(r, "read %s", name);
	if (r < 0)
		return r;
	buf[ms.len] = '\0';
	return (long)ms.len;
}

/* Companions, one read, verdicts. */
int verify_file(const char *path, const struct trust *t, struct sink *out, const char *label)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int r = log_errno(-errno, "read %s", path);
		if (fd >= 0)
			close(fd);
		return r;
	}
	struct companions src = {.get = companion_read, .verb = "read"};
	struct checks cs;
	int r = checks_begin(&cs, t, path, path, &src);
	if (r < 0) {
		close(fd);
		return r;
	}
	struct sink *chain = cs.sink;
	if (out) { /* OUT's own chain is its business: it goes first, the checks after the last of it */
		struct sink *last = out;
		while (last->next)
			last = last->next;
		last->next = cs.sink;
		chain = out;
	}
	struct progress p;
	if (label)
		progress_start(&p, label, (uint64_t)st.st_size);
	r = chain ? pump(fd, path, chain, label ? &p : NULL) : 0;
	if (label)
		progress_end(&p, r == 0);
	close(fd);
	return checks_end(&cs, r, path);
}
