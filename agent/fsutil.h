/* fsutil.h - directories and tmpfs mounts */
#ifndef PXEROOT_FSUTIL_H
#define PXEROOT_FSUTIL_H

/* Create DIR and its parents (mode 0755); 0 or negative errno. */
int mkdir_p(const char *dir);
/* Mount a tmpfs of SIZE (tmpfs syntax: 256M, 75%) at DIR, creating DIR. */
int mount_tmpfs(const char *dir, const char *size, const char *what);
/* Unmount DIR if it is mounted (lazily if busy); logs a failure. */
void umount_quiet(const char *dir);

#endif
