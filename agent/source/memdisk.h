/* memdisk.h - the ISO that syslinux MEMDISK left in RAM (pxeroot.memdisk) */
#ifndef PXEROOT_SOURCE_MEMDISK_H
#define PXEROOT_SOURCE_MEMDISK_H

#include <stdbool.h>

#include "source/source.h"

/* The options of the MEMDISK source, as its claim read them. */
struct memdisk_opts {
	bool copytoram;       /* copytoram=y: the image copied out of the ISO into RAM (default: used in place) */
	const char *ram_size; /* copytoram_size=: the image tmpfs */
};

extern const struct source memdisk_source;

#endif
