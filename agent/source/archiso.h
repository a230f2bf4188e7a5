/* archiso.h - archiso's image on a mounted medium, checked, copied into RAM or used in place */
#ifndef PXEROOT_SOURCE_ARCHISO_H
#define PXEROOT_SOURCE_ARCHISO_H

#include <stdbool.h>
#include <stdint.h>

#include "mount/mount.h"
#include "source/copytoram.h"
#include "source/source.h"

/* A medium archiso's image is taken from, and what may be done with its image. */
struct archiso_medium {
	const char *who;      /* starts the log lines: "media", "memdisk", "nfs" */
	enum copy_mode mode;  /* copytoram= */
	const char *ram_size; /* copytoram_size=: the image tmpfs (tmpfs syntax) */
	const char *kept_why; /* why copytoram=auto never copies from it (NULL: archiso's rule decides) */
	bool in_ram;          /* the medium is RAM (MEMDISK's ISO): an image checked there may be used there */
};

/* Find <archisobasedir>/<arch>/airootfs.sfs (else .erofs) under MNT and make it ROOT (an image):
 * copied (COPY_Y; COPY_AUTO when archiso's rule says so and M->kept_why is NULL; and whenever
 * CTX asks for a check and the medium is not RAM, so that what boots is what was checked), read
 * once into the image tmpfs (of M->ram_size) while every check runs on the same bytes, refused
 * when it does not fit in the memory or the tmpfs; else checked where it is (read once) and used
 * from there. ROOT->copied says which. 0, or a negative errno after the line naming the image and
 * the cause, nothing left behind. */
int archiso_take(const struct source_ctx *ctx, const char *mnt, const struct archiso_medium *m, struct root *root);
/* Mount DEV (filesystem TYPE, as libblkid names it; its module loaded) read-only on MEDIA_DIR,
 * the device itself read-only (blkdev_mount_ro), and take archiso's image from it as
 * archiso_take does; unmounted again when the image was copied or refused. */
int archiso_from_device(const struct source_ctx *ctx, const char *dev, const char *type, const struct archiso_medium *m,
			struct root *root);

#endif
