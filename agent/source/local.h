/* local.h - archiso's medium on a local block device: a CD, a USB stick, a disk partition, or the
 * ISO syslinux MEMDISK left in RAM, named by archiso's device options or dracut's root=live:LABEL= */
#ifndef PXEROOT_SOURCE_LOCAL_H
#define PXEROOT_SOURCE_LOCAL_H

#include <stdbool.h>

#include "source/copytoram.h"
#include "source/devspec.h"
#include "source/source.h"

/* The options of the local-media source, as its claim read them. */
struct local_opts {
	bool has_dev;
	struct devspec dev;       /* archisodevice=, archisolabel=, root=live:… or UUID=<archisosearchuuid=> */
	const char *search;       /* archisosearchfilename= (default /boot/<archisosearchuuid>.uuid); NULL: none */
	const char *option;       /* the option that named the medium, for messages */
	enum copy_mode copytoram; /* default auto, archiso's rule (never from a CD drive or MEMDISK's RAM) */
	const char *ram_size;     /* copytoram_size= */
	unsigned wait_s;          /* rootdelay=: how long the medium is waited for */
};

extern const struct source local_source;  /* local_opts.c */
extern const struct source_io local_io;   /* local.c */

/* What O looks for, for messages ("LABEL=X (archisolabel=)"), into BUF (CAP bytes); BUF. */
const char *local_wanted(const struct local_opts *o, char *buf, size_t cap);

#endif
