/* room.c - the RAM budget while an image is unpacked into the image tmpfs. Before the download
 * only the size as served is known (http.c's check); the unpacked size shows as it grows, and
 * every byte of it written takes a byte of the tmpfs and of RAM (a tmpfs is memory that cannot
 * be reclaimed), so the budget is asked again as it grows, sooner as room runs out. */
#define _GNU_SOURCE
#include "source/room.h"

#include <errno.h>
#include <sys/statvfs.h>

#include "log.h"
#include "meminfo.h"
#include "paths.h"
#include "plan.h"
#include "source/http.h"

#define MIB (1024.0 * 1024.0)

/* Lower *NEXT to AT. */
static void ask_by(uint64_t *next, uint64_t at)
{
	if (at < *next)
		*next = at;
}

/* The tmpfs must hold UNPACKED; the RAM still available must keep RAM_HEADROOM. */
int http_unpacked_fits(void *ctx, const char *url, uint64_t served, uint64_t unpacked, uint64_t *next)
{
	const struct plan *plan = ctx;
	struct statvfs vfs;
	uint64_t total_kb, avail_kb;
	if (statvfs(IMG_DIR, &vfs) == 0) {
		uint64_t cap = (uint64_t)vfs.f_blocks * vfs.f_frsize;
		if (unpacked > cap)
			return log_err(-EFBIG, "fetch %s: the image unpacks to more than the %.1f MiB the image tmpfs holds (archiso_http_spc=%s; %.1f MiB served so far)",
				       url, (double)cap / MIB, plan->http_spc, (double)served / MIB);
		ask_by(next, cap);
	}
	if (meminfo(&total_kb, &avail_kb) == 0) {
		uint64_t avail = avail_kb * 1024;
		if (avail < RAM_HEADROOM)
			return log_err(-EFBIG, "fetch %s: the image unpacks to at least %.1f MiB (%.1f MiB served so far) and %.1f MiB of RAM are left, less than the %.0f MiB kept for the overlay and buffers",
				       url, (double)unpacked / MIB, (double)served / MIB, (double)avail / MIB, (double)RAM_HEADROOM / MIB);
		ask_by(next, unpacked + (avail - RAM_HEADROOM));
	}
	return 0;
}
