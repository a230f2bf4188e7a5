/* blkdev.h - the block devices the kernel has, as libblkid sees them */
#ifndef PXEROOT_SOURCE_BLKDEV_H
#define PXEROOT_SOURCE_BLKDEV_H

#include "source/devspec.h"

/* Called for each device; a nonzero return stops the walk and is returned by blkdev_each. */
typedef int (*blkdev_fn)(const struct devinfo *d, void *ctx);

/* Every block device in /sys/class/block but loop, ram and zram devices, removable ones first
 * (USB sticks and CD drives, as archiso searches), each group in name order, each probed with libblkid (filesystem type,
 * label, UUID; partition UUID and name). A device that cannot be opened (a CD drive without a
 * disc) is passed with an empty type. Returns the first nonzero FN result, else 0. */
int blkdev_each(blkdev_fn fn, void *ctx);
/* Mount DEV (filesystem TYPE, libblkid's name) read-only on DIR without writing a byte to it: the
 * device is set read-only (BLKROSET) first, its former flag into *WAS_RO, and ext3/ext4 are
 * mounted with noload, so a dirty journal is not replayed. 0, or a negative errno (nothing
 * logged; the flag is given back). */
int blkdev_mount_ro(const char *dev, const char *dir, const char *type, bool *was_ro);
/* Unmount DIR, then give DEV its former read-only flag back. */
void blkdev_unmount(const char *dev, const char *dir, bool was_ro);

#endif
