/* image.h - download an image with every requested check in one pass */
#ifndef PXEROOT_IMAGE_H
#define PXEROOT_IMAGE_H

#include <stddef.h>

#include "fetch/fetch.h"
#include "verify/trust.h"

/* Fetch the companion files T asks for (sha512 list, .cms.sig, .sig) from RQ's mirrors first,
 * then RQ into FILE feeding every check as the bytes arrive, then ask each for its verdict. RQ's
 * sinks are set here; its label, size callback and mirrors are the caller's. 0 when everything
 * requested passed; otherwise a negative errno after the lines naming the file and the check,
 * and FILE removed. A file that changed on the server mid-way is fetched again from zero, with
 * its companions. */
int image_fetch(struct fetch_req *rq, const struct trust *t, const char *file);

#endif
