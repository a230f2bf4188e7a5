/* mbft.c - the mBFT that syslinux MEMDISK leaves in base memory, found as memdiskfind finds it.
 *
 * Layout (little-endian, packed): a 36-byte ACPI description header (signature "mBFT" at 0,
 * length u32 at 4, checksum over the whole table), the safe hook u32 at 36, then the MEMDISK info
 * structure at 40: its length u16 at 40, diskbuf u32 at 44, disksize u32 (sectors) at 48 and
 * sector_shift u8 at 67 (0 means 512-byte sectors). The search runs in 16-byte steps from the
 * BIOS's free base memory mark (the word at 0x413, in KiB; MEMDISK lowers it to hide itself) or
 * the end of low RAM in /proc/iomem, whichever is higher, up to 640 KiB. */
#define _GNU_SOURCE
#include "source/mbft.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "source/acpi.h"

#define MBFT_MIN 66           /* header 36 + safe hook 4 + the oldest MDI, 26 */
#define MDI_AT 40             /* the MDI's offset in the table */
#define SHIFT_AT (MDI_AT + 27) /* sector_shift's */
#define BIOS_FBM 0x413        /* the BIOS data area word: free base memory, KiB */
#define IOMEM_MAX (1u << 20)  /* /proc/iomem is a few KiB */

/* Whether the SPACE bytes at P start with a valid mBFT. */
static int valid(const uint8_t *p, size_t space)
{
	if (space < MBFT_MIN || memcmp(p, "mBFT", 4))
		return 0;
	uint32_t len = acpi_le32(p + 4);
	if (len < MBFT_MIN || len > space || len != (uint32_t)acpi_le16(p + MDI_AT) + MDI_AT)
		return 0;
	return acpi_sum_ok(p, len);
}

/* The first valid table from FROM on. */
int mbft_scan(const uint8_t *win, size_t len, uint64_t base, uint64_t from, struct mbft *out)
{
	if (from < base)
		from = base;
	for (uint64_t off = from - base; off < len; off += 16) {
		const uint8_t *p = win + off;
		if (!valid(p, len - off))
			continue;
		uint8_t shift = off + SHIFT_AT < len ? p[SHIFT_AT] : 0; /* read as memdiskfind reads it */
		*out = (struct mbft){.at = base + off, .start = acpi_le32(p + MDI_AT + 4), .shift = shift ? shift : 9};
		out->size = out->shift < 64 ? (uint64_t)acpi_le32(p + MDI_AT + 8) << out->shift : 0;
		return 1;
	}
	return 0;
}

/* The last System RAM range below 640 KiB. */
uint64_t mbft_low_ram_end(const char *text)
{
	uint64_t end = 0;
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long long a, b;
		int n = 0;
		if (sscanf(line, "%llx-%llx : %n", &a, &b, &n) != 2 || !n || strncmp(line + n, "System RAM", 10) ||
		    (line[n + 10] != '\n' && line[n + 10] != '\0') || a >= MBFT_BASE_END)
			continue;
		end = b >= MBFT_BASE_END ? MBFT_BASE_END : b + 1;
	}
	return end;
}

/* LEN bytes of physical memory at ADDR (page-aligned) from /dev/mem (FD) into BUF, through a
 * mapping: read() shows zeros for a low page that holds any System RAM (x86's STRICT_DEVMEM),
 * and the table may share its page with RAM (under iPXE it does). */
static int mem_read(int fd, uint64_t addr, uint8_t *buf, size_t len)
{
	void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)addr);
	if (map == MAP_FAILED)
		return log_errno(-errno, "memdisk: map /dev/mem at %#" PRIx64 ", %zu bytes", addr, len);
	memcpy(buf, map, len);
	munmap(map, len);
	return 0;
}

/* memdiskfind's search on this machine. */
int mbft_find(struct mbft *out)
{
	uint8_t *iomem;
	size_t len;
	int r = read_whole("/proc/iomem", IOMEM_MAX, &iomem, &len);
	if (r < 0)
		return log_errno(r, "memdisk: read /proc/iomem");
	long page = sysconf(_SC_PAGESIZE);
	uint64_t base = mbft_low_ram_end((const char *)iomem) & ~(uint64_t)(page > 0 ? page - 1 : 4095);
	free(iomem);
	if (!base)
		return log_err(-ENODEV, "memdisk: /proc/iomem shows no System RAM below 640 KiB (not a PC?)");
	int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == EPERM || errno == EACCES))
		return log_errno(-errno, "memdisk: open /dev/mem (kernel lockdown, as under Secure Boot, forbids reading memory)");
	if (fd < 0)
		return log_errno(-errno, "memdisk: open /dev/mem");
	uint8_t page0[BIOS_FBM + 2];
	r = mem_read(fd, 0, page0, sizeof(page0));
	uint64_t fbm = (uint64_t)acpi_le16(page0 + BIOS_FBM) << 10;
	if (r == 0 && fbm < base)
		fbm = base;
	uint8_t *win = NULL;
	if (r == 0 && fbm >= 64 * 1024 && fbm < MBFT_BASE_END) {
		if (!(win = malloc(MBFT_BASE_END - base)))
			r = log_err(-ENOMEM, "memdisk: out of memory");
		else if ((r = mem_read(fd, base, win, MBFT_BASE_END - base)) == 0)
			r = mbft_scan(win, MBFT_BASE_END - base, base, fbm, out);
	}
	free(win);
	close(fd);
	return r;
}
