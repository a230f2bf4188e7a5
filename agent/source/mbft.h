/* mbft.h - finding the disk image syslinux MEMDISK left in RAM: its mBFT (an ACPI-style table,
 * "mBFT", followed by the safe hook and the MEMDISK info structure) in base memory */
#ifndef PXEROOT_MBFT_H
#define PXEROOT_MBFT_H

#include <stddef.h>
#include <stdint.h>

#define MBFT_BASE_END 0xa0000u /* base memory ends at 640 KiB */

struct mbft {
	uint64_t at;    /* physical address of the table */
	uint32_t start; /* physical address of the disk image (the MDI's diskbuf) */
	uint64_t size;  /* its size in bytes: disksize << sector_shift (0 means 9) */
	uint8_t shift;  /* the sector shift used */
};

/* Scan the LEN bytes at WIN, which hold physical memory from BASE on, from physical address FROM
 * in 16-byte steps for the first valid mBFT: signature "mBFT", length at least 66, within the
 * window, equal to the MDI's own length + 40, all its bytes summing to 0 (mod 256). 1 with *OUT
 * filled, or 0 when there is none. */
int mbft_scan(const uint8_t *win, size_t len, uint64_t base, uint64_t from, struct mbft *out);
/* The end of the last "System RAM" range of /proc/iomem's TEXT that starts below 640 KiB, at most
 * 640 KiB; 0 when there is none. */
uint64_t mbft_low_ram_end(const char *text);
/* Look in this machine's base memory (/proc/iomem, then /dev/mem from the BIOS's free base memory
 * mark, or the end of low RAM when that is higher, to 640 KiB), as syslinux's memdiskfind does.
 * 1 found, 0 not found, or a negative errno after a line naming what could not be read. */
int mbft_find(struct mbft *out);

#endif
