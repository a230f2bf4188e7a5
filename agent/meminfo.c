/* meminfo.c - MemTotal and MemAvailable from /proc/meminfo. A tmpfs holding the image counts as
 * used (it is shared memory that cannot be reclaimed), which is what the RAM budget needs. */
#define _GNU_SOURCE
#include "meminfo.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"

/* The KiB value of KEY ("MemTotal:") in the text BUF, or 0. */
static uint64_t field_kb(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	unsigned long long v = 0;
	if (p && sscanf(p + strlen(key), " %llu", &v) != 1)
		v = 0;
	return v;
}

/* Read both values with one read of the file. */
int meminfo(uint64_t *total_kb, uint64_t *avail_kb)
{
	char buf[1024];
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	if (n <= 0)
		return n < 0 ? -e : -EIO;
	buf[n] = '\0';
	*total_kb = field_kb(buf, "MemTotal:");
	*avail_kb = field_kb(buf, "MemAvailable:");
	return *total_kb ? 0 : -EIO;
}

/* Total minus available. */
uint64_t mem_used_kb(void)
{
	uint64_t t, a;
	return meminfo(&t, &a) == 0 && t > a ? t - a : 0;
}

/* MemAvailable with the headroom, then the image tmpfs's free space. */
int image_room(uint64_t size, const char *tmpfs_opt, char *why, size_t cap)
{
	struct statvfs vfs;
	uint64_t total, avail, mib = 1024 * 1024, need = size + RAM_HEADROOM;
	if (meminfo(&total, &avail) == 0 && need > avail * 1024) {
		snprintf(why, cap, "the image is %" PRIu64 " MiB; it needs %" PRIu64 " MiB of RAM (the image and %d MiB for the overlay and buffers) but %" PRIu64 " MiB are available",
			 (size + mib - 1) / mib, (need + mib - 1) / mib, (int)(RAM_HEADROOM / mib), avail / 1024);
		return -EFBIG;
	}
	if (statvfs(IMG_DIR, &vfs) == 0 && size > (uint64_t)vfs.f_bavail * vfs.f_frsize) {
		snprintf(why, cap, "the image is %" PRIu64 " MiB but the image tmpfs (%s) has %" PRIu64 " MiB free", (size + mib - 1) / mib,
			 tmpfs_opt, (uint64_t)vfs.f_bavail * vfs.f_frsize / mib);
		return -EFBIG;
	}
	return 0;
}

/* image_room with its line. */
int image_fits_ram(const char *who, uint64_t size, const char *tmpfs_opt)
{
	char why[300];
	int r = image_room(size, tmpfs_opt, why, sizeof(why));
	return r < 0 ? log_err(r, "%s: %s", who, why) : 0;
}

/* The number, times its unit or its share of MemTotal. */
uint64_t mem_size_bytes(const char *v)
{
	char *end;
	uint64_t n = strtoull(v, &end, 10), total, avail;
	switch (*end) {
	case 'k': case 'K': return n << 10;
	case 'm': case 'M': return n << 20;
	case 'g': case 'G': return n << 30;
	case '%': return meminfo(&total, &avail) == 0 ? total * 1024 / 100 * n : 0;
	default: return n;
	}
}
