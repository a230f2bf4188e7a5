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

#endif
