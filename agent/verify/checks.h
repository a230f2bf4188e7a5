/* checks.h - every requested check over one pass of an image's bytes, whatever produces them (an
 * HTTP transfer, a file read once from a share or a device): the companion files first, so a
 * missing signature fails before any byte is read, then one sink that feeds all the checks, then
 * the verdicts. A requested check that cannot run refuses the image: there is no way to skip one. */
#ifndef PXEROOT_VERIFY_CHECKS_H
#define PXEROOT_VERIFY_CHECKS_H

#include <stddef.h>

#include "sink.h"
#include "verify/fanout.h"
#include "verify/trust.h"

#define CHECKS_MAX 3
#define COMPANION_MAX (64 * 1024) /* the largest companion file read, fetched or stored (bytes) */

/* Where the companion files of an image come from: the same place as the image. */
struct companions {
	/* Read the companion NAME (the image's name with a companion rule applied, image_companion_url)
	 * into BUF (CAP bytes, room for a NUL kept) and its full URL or path into WHERE (2048 bytes).
	 * Returns its length, or a negative errno after the line that says why. */
	long (*get)(void *ctx, const char *name, char *buf, size_t cap, char *where);
	void *ctx;
	const char *verb;   /* how a failed get is told: "fetched", "read" */
};

/* The checks of one pass. */
struct checks {
	struct check *c[CHECKS_MAX];
	int n;
	int lead[CHECKS_MAX];   /* for each check, the one whose digest it shares (itself: none) */
	struct fanout fo;
	struct sink *sink;      /* what the producer feeds; NULL when nothing was asked for */
	char *buf;              /* companion file buffer (COMPANION_MAX and a NUL) */
};

/* Read the companions T asks for through SRC (their names derived from NAME, the image as SRC
 * names it) and start the checks; IMAGE names the image in messages. 0, or a negative errno
 * after the line naming the image, the check and the option that asked for it. */
int checks_begin(struct checks *cs, const struct trust *t, const char *image, const char *name,
		 const struct companions *src);
/* After the producer ended with R: let the checks drain, then hear every verdict (when R is 0).
 * Returns R, or the first failure: -EBADMSG after the line saying why the image is refused. */
int checks_end(struct checks *cs, int r, const char *image);

#endif
