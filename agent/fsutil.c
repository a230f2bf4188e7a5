/* fsutil.c - directories, tmpfs mounts and small files read whole, as every stage uses them */
#define _GNU_SOURCE
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* mkdir -p. */
int mkdir_p(const char *dir)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s", dir);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Mount a tmpfs for WHAT at DIR. */
int mount_tmpfs(const char *dir, const char *size, const char *what)
{
	char opts[64];
	int r = mkdir_p(dir);
	if (r < 0)
		return log_errno(r, "mount %s tmpfs %s: mkdir", what, dir);
	snprintf(opts, sizeof(opts), "size=%s,mode=0755", size);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return log_errno(-errno, "mount %s tmpfs %s (%s)", what, dir, opts);
	log_debug("mount: tmpfs on %s (%s)", dir, opts);
	return 0;
}

/* Unmount DIR if mounted. */
void umount_quiet(const char *dir)
{
	if (umount2(dir, 0) == 0 || errno == EINVAL || errno == ENOENT)
		return;
	if (umount2(dir, MNT_DETACH) < 0)
		log_errno(-errno, "umount %s", dir);
}

/* Read PATH until its end, growing the buffer, at most MAX bytes. */
int read_whole(const char *path, size_t max, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e = 0;
	if (fd < 0)
		return -errno;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf && !e) {
		if (n + 1 == cap) { /* room for one byte past MAX, to tell a larger file */
			size_t want = cap * 2 > max + 2 ? max + 2 : cap * 2;
			uint8_t *more = realloc(buf, want);
			if (!more) {
				e = -ENOMEM;
				break;
			}
			buf = more;
			cap = want;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno != EINTR)
			e = -errno;
		else if (r == 0)
			break;
		else if (r > 0 && (n += (size_t)r) > max)
			e = -EFBIG;
	}
	close(fd);
	if (!buf || e) {
		free(buf);
		return buf ? e : -ENOMEM;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}
