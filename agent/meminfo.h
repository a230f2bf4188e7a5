/* meminfo.h - what /proc/meminfo says about free memory */
#ifndef PXEROOT_MEMINFO_H
#define PXEROOT_MEMINFO_H

#include <stdint.h>

/* MemTotal and MemAvailable in KiB; 0 or a negative errno. */
int meminfo(uint64_t *total_kb, uint64_t *avail_kb);
/* Memory in use (MemTotal - MemAvailable) in KiB; 0 when it cannot be read. */
uint64_t mem_used_kb(void);

#endif
