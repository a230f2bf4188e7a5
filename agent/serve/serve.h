/* serve.h - the serve stage: a root that keeps being read from the network after switch_root
 * (a chunked image in lazy mode) is served by a process of its own. It runs from a copy of
 * pxeroot's binary in memory and its root is an empty directory of /run, so it holds no file of
 * the initramfs; its argv[0] is "@pxeroot" (systemd's mark for a storage daemon of the root,
 * which shutdown leaves alone); it ignores the signals that end ordinary processes. */
#ifndef PXEROOT_SERVE_H
#define PXEROOT_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch/fetch.h"

/* What the server needs. */
struct serve_req {
	const struct fetch_config *cfg; /* the transfer policy */
	const struct mirrors *stores;   /* the chunk stores, in order */
	const uint8_t *index;           /* the index's bytes, as checked */
	size_t index_len;
	uint64_t cache_max;             /* the chunk cache's budget */
};

/* Start the server of RQ (one at a time) and wait, at most SERVE_START_S, until its device is
 * live; the device's path into DEV (CAP bytes). 0, or a negative errno after the line naming the
 * cause (the server's own line when it failed). */
#define SERVE_START_S 30
int serve_start(const struct serve_req *rq, char *dev, size_t cap);
/* Stop the server (the device it serves must not be mounted any more) and reap it; nothing when
 * none runs. */
void serve_stop(void);
/* The stage before switch_root: the server, if one was started, is still there; it is told the
 * root is handed over, and says so. 0, or -ESRCH after a line. */
int serve_handover(void);
/* The server process's main (argv[0] "@pxeroot"): never returns while the device is served;
 * the exit status when it ends. */
int serve_main(void);

#endif
