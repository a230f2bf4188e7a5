/* copytoram.c - copytoram=, copytoram_size= and archiso's copytoram=auto rule (no I/O) */
#include "source/copytoram.h"

#include <string.h>

#include "options.h"

/* copytoram= and copytoram_size=. */
int copytoram_claim(const struct cmdline *cl, enum copy_mode auto_is, enum copy_mode *copy, const char **size)
{
	const char *c = opt_get(cl, OPT_COPYTORAM);
	bool y = false;
	int r;
	*copy = auto_is;
	if (c && strcmp(c, "auto")) {
		if ((r = opt_bool(cl, OPT_COPYTORAM, &y)) < 0)
			return r;
		*copy = y ? COPY_Y : COPY_N;
	}
	return opt_size(cl, OPT_COPYTORAM_SIZE, size);
}

/* archiso's rule: under 4 GiB, and MemAvailable above the image's size (KiB, rounded up, as
 * du -k counts it) plus 2 GiB. */
bool copytoram_auto(uint64_t size, uint64_t avail_kb)
{
	uint64_t kb = (size + 1023) / 1024;
	return kb < 4 * 1024 * 1024 && avail_kb > kb + 2 * 1024 * 1024;
}
