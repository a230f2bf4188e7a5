/* copytoram.h - archiso's copytoram= and copytoram_size= for a source that takes archiso's image
 * from a medium, and archiso's copytoram=auto rule */
#ifndef PXEROOT_SOURCE_COPYTORAM_H
#define PXEROOT_SOURCE_COPYTORAM_H

#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"

/* copytoram=: y, n, or auto (archiso's default: copied when copytoram_auto says so). */
enum copy_mode { COPY_N, COPY_Y, COPY_AUTO };

/* copytoram= and copytoram_size= from CL: *COPY gets y or n, or AUTO_IS for auto and when absent
 * (the source's meaning of auto for its medium), *SIZE the tmpfs size (default 75%). 0, or
 * -EINVAL after the line quoting the bad value. */
int copytoram_claim(const struct cmdline *cl, enum copy_mode auto_is, enum copy_mode *copy, const char **size);
/* archiso's copytoram=auto rule for an image of SIZE bytes with AVAIL_KB of MemAvailable: copy
 * when it is under 4 GiB and the memory exceeds its size plus 2 GiB. */
bool copytoram_auto(uint64_t size, uint64_t avail_kb);

#endif
