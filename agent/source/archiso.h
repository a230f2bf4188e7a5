/* archiso.h - archiso's image on a mounted medium, checked, copied into RAM or used in place */
#ifndef PXEROOT_SOURCE_ARCHISO_H
#define PXEROOT_SOURCE_ARCHISO_H

#include <stdbool.h>

#include "mount/mount.h"

struct cmdline;
struct plan;

/* copytoram= and copytoram_size= for a source that takes archiso's image from a medium: *COPY
 * gets y/n (auto and absent: DEF, the source's choice for its medium), *SIZE the tmpfs size
 * (default 75%). 0, or -EINVAL after the line quoting the bad value. */
int archiso_claim_copy(const struct cmdline *cl, bool def, bool *copy, const char **size);

/* Find <archisobasedir>/<arch>/airootfs.sfs (else .erofs) under MNT and make it ROOT (an image):
 * with COPY, read once into the image tmpfs (of RAM_SIZE, tmpfs syntax) while every check PLAN
 * asks for runs on the same bytes; without, checked where it is (read once) and used from there.
 * 0, or a negative errno after the line naming the image and the cause, nothing left behind. */
int archiso_take(const struct plan *plan, const char *mnt, bool copy, const char *ram_size, struct root *root);

#endif
