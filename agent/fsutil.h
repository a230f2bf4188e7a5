/* fsutil.h - directories, tmpfs mounts and small files read whole */
#ifndef PXEROOT_FSUTIL_H
#define PXEROOT_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Create DIR and its parents (mode 0755); 0 or negative errno. */
int mkdir_p(const char *dir);
/* Mount a tmpfs of SIZE (tmpfs syntax: 256M, 75%) at DIR, creating DIR. */
int mount_tmpfs(const char *dir, const char *size, const char *what);
/* Unmount DIR if it is mounted (lazily if busy); logs a failure. */
void umount_quiet(const char *dir);

/* The whole of PATH (a small file; /proc and sysfs files too, read until their end) into *OUT
 * (malloc'd, NUL-terminated one byte past *LEN). 0, -EFBIG when it holds more than MAX bytes, or
 * the negative errno of open or read; nothing logged, *OUT untouched on failure. */
int read_whole(const char *path, size_t max, uint8_t **out, size_t *len);

#endif
