/* fwdisk.h - the RAM disk UEFI firmware leaves to the OS after an HTTP boot of a whole ISO or disk
 * image: described in the ACPI NFIT table (nfit.c), a pmem block device once the kernel's nfit and
 * nd_pmem drivers are loaded */
#ifndef PXEROOT_SOURCE_FWDISK_H
#define PXEROOT_SOURCE_FWDISK_H

#include <stddef.h>

/* Why copytoram=auto never copies from the firmware's RAM disk. */
#define FWDISK_KEPT "the firmware's RAM disk is in RAM already"
#define FWDISK_DEV_MAX 32

/* When the firmware published an NFIT table with RAM disks: load nfit and nd_pmem, wait for each
 * disk's pmem block device, put their nodes into DEVS (at most MAX), one line per disk. Returns
 * how many were found; NONE (cap NONE_CAP) says what was looked for, for when none is found.
 * Never fails the boot: a table that cannot be read or a disk with no device is a line. */
int fwdisk_map(char (*devs)[FWDISK_DEV_MAX], size_t max, char *none, size_t none_cap);

#endif
