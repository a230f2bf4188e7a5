/* switchroot.h - hand the machine over to the new root */
#ifndef PXEROOT_SWITCHROOT_H
#define PXEROOT_SWITCHROOT_H

#include <stddef.h>

struct stat;

/* PATH inside NEWROOT with its symlinks followed inside NEWROOT, as a host path into OUT (CAP
 * bytes), its lstat into ST. 0, or a negative errno (a missing file, a loop). */
int switchroot_resolve(const char *newroot, const char *path, char *out, size_t cap, struct stat *st);
/* Pick the init to run inside NEWROOT: WANTED (init=) or the default list. Its path (inside the
 * new root) into OUT. -ENOENT (logged) if none is executable. */
int switchroot_pick_init(const char *newroot, const char *wanted, char *out, unsigned cap);
/* Move /dev /proc /sys /run into NEWROOT, free the initramfs, make NEWROOT the root, call
 * BEFORE_EXEC (when not NULL) there and exec INIT with ARGV. Returns only on failure (logged): a negative errno with everything moved back,
 * or -ENOTRECOVERABLE once the initramfs's files are gone (the caller stops the machine). */
int switch_root(const char *newroot, const char *init, char *const argv[], void (*before_exec)(void));

#endif
