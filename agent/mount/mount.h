/* mount.h - kernel modules, loop devices, image checks, the overlay root */
#ifndef PXEROOT_MOUNT_H
#define PXEROOT_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

#include "paths.h"


/* Filesystem type of the image file PATH as libblkid sees it into TYPE; -EINVAL if unknown. */
int image_type(const char *path, char *type, size_t cap);
/* Check that PATH is a squashfs the kernel can mount (superblock, compressor, root inode). */
int squashfs_check(const char *path);
/* Attach PATH to a free loop device, read-only unless RW; its name into DEV. Returns the open loop
 * fd to close once mounted. */
int loop_attach(const char *path, bool rw, char *dev, size_t cap);
/* Mount image file IMAGE (squashfs, erofs, ext2/3/4, or an ISO holding archiso's
 * <basedir>/<arch>/airootfs.sfs or .erofs) as the read-only lower layer and an overlay on NEWROOT
 * (a directory); with plan->rw an ext2/3/4 image is mounted read-write on NEWROOT instead. On failure,
 * everything it mounted is undone. */
int mount_root(const struct plan *plan, const char *image, const char *newroot);
/* Undo mount_root and the image tmpfs (for a retry or a refusal). */
void mount_undo(const char *newroot);
/* Log every line of /proc/mounts as "mounts: ..." (debug dumps before a final action). */
void mounts_dump(void);

#endif
