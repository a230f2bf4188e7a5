/* meminfo.h - what /proc/meminfo says about free memory */
#ifndef PXEROOT_MEMINFO_H
#define PXEROOT_MEMINFO_H

#include <stddef.h>
#include <stdint.h>

/* MemTotal and MemAvailable in KiB; 0 or a negative errno. */
int meminfo(uint64_t *total_kb, uint64_t *avail_kb);
/* Memory in use (MemTotal - MemAvailable) in KiB; 0 when it cannot be read. */
uint64_t mem_used_kb(void);

#define RAM_HEADROOM (32ull << 20) /* beyond an image in RAM: the overlay's first writes, buffers */

/* Whether an image of SIZE bytes fits in RAM before any byte of it is kept: in MemAvailable with
 * RAM_HEADROOM to spare, and in the image tmpfs (mounted at IMG_DIR; TMPFS_OPT names its size
 * option for the line, "copytoram_size=75%"). 0, or -EFBIG after one line starting with WHO
 * ("fetch URL", "archiso FILE") that gives the sizes. */
int image_fits_ram(const char *who, uint64_t size, const char *tmpfs_opt);
/* image_fits_ram without the line: 0, or -EFBIG with the reason in WHY (CAP bytes). */
int image_room(uint64_t size, const char *tmpfs_opt, char *why, size_t cap);
/* A size in tmpfs syntax (256M, 2G, 4096k, 25%: of MemTotal) in bytes; 0 when V is not one. */
uint64_t mem_size_bytes(const char *v);

#endif
