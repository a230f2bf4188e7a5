/* memdisk.h - the ISO that syslinux MEMDISK left in RAM (pxeroot.memdisk) */
#ifndef PXEROOT_SOURCE_MEMDISK_H
#define PXEROOT_SOURCE_MEMDISK_H

#include <stdbool.h>
#include <stddef.h>

#include "source/copytoram.h"
#include "source/source.h"

/* Why copytoram=auto never copies from MEMDISK's ISO. */
#define MEMDISK_KEPT "MEMDISK's ISO is in RAM already"

/* The options of the MEMDISK source, as its claim read them. */
struct memdisk_opts {
	enum copy_mode copytoram; /* copytoram=y: the image copied out of the ISO into RAM (auto, default: used in place) */
	const char *ram_size;     /* copytoram_size=: the image tmpfs */
};

/* Find the mBFT syslinux MEMDISK left in base memory and map the ISO it describes with phram and
 * mtdblock; its block device into DEV. 1 when mapped; when ASKED (pxeroot.memdisk), a negative
 * errno after the line naming why not (not x86, no mBFT, /dev/mem unreadable, 4 GiB or more);
 * when not asked, 0 where there is no MEMDISK to find (one line when /dev/mem is unreadable). A
 * failure to map a found image is a negative errno in both cases. */
int memdisk_map(bool asked, char *dev, size_t cap);

extern const struct source memdisk_source;  /* memdisk_opts.c */
extern const struct source_io memdisk_io;   /* memdisk.c */

#endif
