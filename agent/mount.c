/* mount.c - from an image file to an overlay root: image type (libblkid), squashfs sanity
 * (libsquashfs), loop device (LOOP_CTL_GET_FREE + LOOP_CONFIGURE, read-only, autoclear), the
 * read-only lower mount and the overlay whose upper/work live on a tmpfs of cow_spacesize. */
#define _GNU_SOURCE
#include "mount.h"

#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "modules.h"

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
		return log_err(r, "mount %s tmpfs %s: mkdir: %s", what, dir, strerror(-r));
	snprintf(opts, sizeof(opts), "size=%s,mode=0755", size);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return log_err(-errno, "mount %s tmpfs %s (%s): %s", what, dir, opts, strerror(errno));
	log_debug("mount: tmpfs on %s (%s)", dir, opts);
	return 0;
}

/* Unmount DIR if mounted. */
void umount_quiet(const char *dir)
{
	if (umount2(dir, 0) == 0 || errno == EINVAL || errno == ENOENT)
		return;
	if (umount2(dir, MNT_DETACH) < 0)
		log_info("umount %s: %s", dir, strerror(errno));
}

/* libblkid's idea of what PATH holds. */
int image_type(const char *path, char *type, size_t cap)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	if (!pr) {
		int e = errno ? errno : EIO;
		return log_err(-e, "image %s: cannot probe: %s", path, strerror(e));
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	int r = blkid_do_safeprobe(pr);
	const char *t = NULL;
	if (r == 0 && blkid_probe_lookup_value(pr, "TYPE", &t, NULL) == 0 && t)
		snprintf(type, cap, "%s", t);
	blkid_free_probe(pr);
	if (r != 0 || !t)
		return log_err(-EINVAL, "image %s: no known filesystem in it (not a squashfs, erofs, ext4 or iso9660 image)", path);
	return 0;
}

/* Read the root directory inode of an opened squashfs, proving the tables are readable. */
static int sqfs_read_root(sqfs_file_t *file, const sqfs_super_t *super, sqfs_compressor_t *cmp)
{
	sqfs_dir_reader_t *dr = sqfs_dir_reader_create(super, cmp, file, 0);
	if (!dr)
		return SQFS_ERROR_ALLOC;
	sqfs_inode_generic_t *root = NULL;
	int r = sqfs_dir_reader_get_root_inode(dr, &root);
	if (r == 0 && root->base.type != SQFS_INODE_DIR && root->base.type != SQFS_INODE_EXT_DIR)
		r = SQFS_ERROR_NOT_DIR;
	sqfs_free(root);
	sqfs_destroy(dr);
	return r;
}

/* Superblock, compressor and root inode of the squashfs at PATH. */
int squashfs_check(const char *path)
{
	sqfs_file_t *file = sqfs_open_file(path, SQFS_FILE_OPEN_READ_ONLY);
	if (!file)
		return log_err(-EIO, "image %s: cannot open", path);
	sqfs_super_t super;
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp = NULL;
	const char *stage = "superblock";
	int r = sqfs_super_read(&super, file);
	if (r == 0) {
		stage = "compressor";
		sqfs_compressor_config_init(&cfg, super.compression_id, super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
		r = sqfs_compressor_create(&cfg, &cmp);
	}
	if (r == 0) {
		stage = "root directory";
		r = sqfs_read_root(file, &super, cmp);
	}
	if (cmp)
		sqfs_destroy(cmp);
	sqfs_destroy(file);
	if (r != 0)
		return log_err(-EINVAL, "image %s: not a usable squashfs (%s: libsquashfs error %d)", path, stage, r);
	return 0;
}

/* Attach PATH to a free loop device, read-only, cleared when the last user goes; returns the
 * open loop fd, which the caller keeps until the mount holds the device (closing it earlier
 * would trigger the autoclear at once). */
int loop_attach(const char *path, char *dev, size_t cap)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return log_err(-errno, "loop /dev/loop-control: %s", strerror(errno));
	int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	int err = errno;
	close(ctl);
	if (nr < 0)
		return log_err(-err, "loop: no free device: %s", strerror(err));
	snprintf(dev, cap, "/dev/loop%d", nr);

	int ffd = open(path, O_RDONLY | O_CLOEXEC);
	if (ffd < 0)
		return log_err(-errno, "loop %s: open %s: %s", dev, path, strerror(errno));
	int lfd = open(dev, O_RDONLY | O_CLOEXEC);
	if (lfd < 0) {
		err = errno;
		close(ffd);
		return log_err(-err, "loop %s: open: %s", dev, strerror(err));
	}
	struct loop_config lc = {.fd = (unsigned)ffd};
	lc.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
	snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name), "%s", path);
	int r = ioctl(lfd, LOOP_CONFIGURE, &lc) < 0 ? -errno : 0;
	close(ffd);
	if (r < 0) {
		close(lfd);
		return log_err(r, "loop %s: attach %s: %s", dev, path, strerror(-r));
	}
	log_debug("loop: %s on %s", path, dev);
	return lfd;
}

/* Mount the image at LOWER_DIR read-only via a loop device. */
static int mount_lower(const char *image)
{
	char type[32], dev[32];
	int r = image_type(image, type, sizeof(type));
	if (r < 0)
		return r;
	if (strcmp(type, "squashfs") != 0)
		return log_err(-EINVAL, "image %s: is %s, not a squashfs", image, type);
	if ((r = squashfs_check(image)) < 0)
		return r;
	if ((r = mod_load("loop")) < 0 || (r = mod_load("squashfs")) < 0)
		return r;
	if ((r = mkdir_p(LOWER_DIR)) < 0)
		return log_err(r, "mount %s: mkdir %s: %s", image, LOWER_DIR, strerror(-r));
	int lfd = loop_attach(image, dev, sizeof(dev));
	if (lfd < 0)
		return lfd;
	r = mount(dev, LOWER_DIR, type, MS_RDONLY, NULL) < 0 ? -errno : 0;
	close(lfd); /* the mount holds the device now; without one, autoclear detaches it here */
	if (r < 0)
		return log_err(r, "mount %s (%s) on %s: %s", dev, type, LOWER_DIR, strerror(-r));
	log_info("mount: %s (%s, %s) on %s read-only", dev, image, type, LOWER_DIR);
	return 0;
}

/* The overlay on NEWROOT: lower = the image, upper/work on a tmpfs of the plan's size. */
static int mount_overlay(const struct plan *plan, const char *newroot)
{
	int r = mod_load("overlay");
	if (r < 0 || (r = mount_tmpfs(COW_DIR, plan->cow_size, "overlay")) < 0)
		return r;
	if ((r = mkdir_p(COW_DIR "/upper")) < 0 || (r = mkdir_p(COW_DIR "/work")) < 0 || (r = mkdir_p(newroot)) < 0)
		return log_err(r, "mount overlay: mkdir: %s", strerror(-r));
	const char *opts = "lowerdir=" LOWER_DIR ",upperdir=" COW_DIR "/upper,workdir=" COW_DIR "/work";
	if (mount("overlay", newroot, "overlay", 0, opts) < 0)
		return log_err(-errno, "mount overlay on %s (%s): %s", newroot, opts, strerror(errno));
	log_info("mount: overlay on %s (tmpfs %s for changes)", newroot, plan->cow_size);
	return 0;
}

/* Lower + overlay; undo on failure. */
int mount_root(const struct plan *plan, const char *image, const char *newroot)
{
	int r = mount_lower(image);
	if (r == 0)
		r = mount_overlay(plan, newroot);
	if (r < 0)
		mount_undo(newroot);
	return r;
}

/* Unmount in reverse order; the loop device goes away by itself (autoclear). */
void mount_undo(const char *newroot)
{
	umount_quiet(newroot);
	umount_quiet(COW_DIR);
	umount_quiet(LOWER_DIR);
	umount_quiet(IMG_DIR);
}

/* Dump /proc/mounts into the log. */
void mounts_dump(void)
{
	FILE *f = fopen("/proc/mounts", "re");
	char line[512];
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		log_info("mounts: %s", line);
	}
	fclose(f);
}
