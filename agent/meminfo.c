/* meminfo.c - MemTotal and MemAvailable from /proc/meminfo. A tmpfs holding the image counts as
 * used (it is shared memory that cannot be reclaimed), which is what the RAM budget needs. */
#define _GNU_SOURCE
#include "meminfo.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
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
int image_fits_ram(const char *who, uint64_t size, const char *tmpfs_opt)
{
	struct statvfs vfs;
	uint64_t total, avail, mib = 1024 * 1024, need = size + RAM_HEADROOM;
	if (meminfo(&total, &avail) == 0 && need > avail * 1024)
		return log_err(-EFBIG, "%s: the image is %" PRIu64 " MiB; it needs %" PRIu64 " MiB of RAM (the image and %d MiB for the overlay and buffers) but %" PRIu64 " MiB are available",
			       who, (size + mib - 1) / mib, (need + mib - 1) / mib, (int)(RAM_HEADROOM / mib), avail / 1024);
	if (statvfs(IMG_DIR, &vfs) == 0 && size > (uint64_t)vfs.f_bavail * vfs.f_frsize)
		return log_err(-EFBIG, "%s: the image is %" PRIu64 " MiB but the image tmpfs (%s) has %" PRIu64 " MiB free", who,
			       (size + mib - 1) / mib, tmpfs_opt, (uint64_t)vfs.f_bavail * vfs.f_frsize / mib);
	return 0;
}
