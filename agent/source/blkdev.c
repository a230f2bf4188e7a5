/* blkdev.c - walk /sys/class/block and probe each device with libblkid. No udev is needed: the
 * kernel's devtmpfs has the nodes, sysfs has the list and whether a disk is removable. */
#define _GNU_SOURCE
#include "source/blkdev.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fsutil.h"

#define SYS_BLOCK "/sys/class/block"

/* The value of NAME that probe PR found into OUT, or "". */
static void probe_value(blkid_probe pr, const char *name, char *out, size_t cap)
{
	const char *v = NULL;
	out[0] = '\0';
	if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
		snprintf(out, cap, "%s", v);
}

/* Filesystem and partition-entry values of D->dev. */
static void probe(struct devinfo *d)
{
	blkid_probe pr = blkid_new_probe_from_filename(d->dev);
	if (!pr)
		return; /* no medium in the drive, or gone */
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_safeprobe(pr) == 0) {
		probe_value(pr, "TYPE", d->type, sizeof(d->type));
		probe_value(pr, "LABEL", d->label, sizeof(d->label));
		probe_value(pr, "UUID", d->uuid, sizeof(d->uuid));
		probe_value(pr, "PART_ENTRY_UUID", d->partuuid, sizeof(d->partuuid));
		probe_value(pr, "PART_ENTRY_NAME", d->partlabel, sizeof(d->partlabel));
	}
	blkid_free_probe(pr);
}

/* Whether sysfs says the disk of NAME (itself, or the disk a partition is on) is removable. */
static bool removable(const char *name)
{
	char path[320], c = '0';
	snprintf(path, sizeof(path), SYS_BLOCK "/%s/removable", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(path, sizeof(path), SYS_BLOCK "/%s/../removable", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '0';
		close(fd);
	}
	return c == '1';
}

/* Devices pxeroot never looks for a medium on. */
static bool skipped(const char *name)
{
	return name[0] == '.' || !strncmp(name, "loop", 4) || !strncmp(name, "ram", 3) || !strncmp(name, "zram", 4);
}

/* One pass, in name order, over the devices whose removable flag is WANT. */
static int walk(bool want, blkdev_fn fn, void *ctx)
{
	struct dirent **names = NULL;
	int n = scandir(SYS_BLOCK, &names, NULL, alphasort), r = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct devinfo d = {.removable = want};
		if (r == 0 && !skipped(name) && removable(name) == want &&
		    (size_t)snprintf(d.dev, sizeof(d.dev), "/dev/%s", name) < sizeof(d.dev)) {
			for (char *p = d.dev + 5; *p; p++)
				if (*p == '!')
					*p = '/'; /* sysfs writes cciss/c0d0 as cciss!c0d0 */
			probe(&d);
			r = fn(&d, ctx);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* Removable devices, then the others. */
int blkdev_each(blkdev_fn fn, void *ctx)
{
	int r = walk(true, fn, ctx);
	return r ? r : walk(false, fn, ctx);
}

/* Set DEV's read-only flag to RO; its former flag into *WAS (when WAS is not NULL). 0 or -errno. */
static int set_ro(const char *dev, bool ro, bool *was)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK), old = 0, want = ro, r = 0;
	if (fd < 0)
		return -errno;
	if ((was && ioctl(fd, BLKROGET, &old) < 0) || ioctl(fd, BLKROSET, &want) < 0)
		r = -errno;
	close(fd);
	if (was)
		*was = old != 0;
	return r;
}

/* The device read-only, then the mount (ext3/4 without their journal). */
int blkdev_mount_ro(const char *dev, const char *dir, const char *type, bool *was_ro)
{
	bool journal = !strcmp(type, "ext3") || !strcmp(type, "ext4");
	int r = set_ro(dev, true, was_ro);
	if (r < 0)
		return r;
	if (mount(dev, dir, type, MS_RDONLY | MS_NODEV | MS_NOSUID, journal ? "noload" : NULL) < 0) {
		r = -errno;
		if (!*was_ro)
			set_ro(dev, false, NULL);
	}
	return r;
}

/* Unmounted, and the flag as it was. */
void blkdev_unmount(const char *dev, const char *dir, bool was_ro)
{
	umount_quiet(dir);
	if (!was_ro)
		set_ro(dev, false, NULL);
}
