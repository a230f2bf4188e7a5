/* mount.c - from an image file to a root: image type (libblkid: squashfs, erofs, ext2/3/4, iso9660),
 * squashfs sanity (libsquashfs), loop device (LOOP_CTL_GET_FREE + LOOP_CONFIGURE, read-only,
 * autoclear), the read-only lower mount (for an ISO: the archiso airootfs.sfs/.erofs inside it)
 * and the overlay whose upper/work live on a tmpfs of cow_spacesize; with `rw`, an ext2/3/4 image
 * read-write as the root itself. */
#define _GNU_SOURCE
#include "mount/mount.h"

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

#include "fsutil.h"
#include "layout.h"
#include "log.h"
#include "modules.h"

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
		return log_err(-EINVAL, "image %s: no known filesystem in it (not a squashfs, erofs, ext2/3/4 or iso9660 image)", path);
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

/* A filesystem pxeroot boots: libblkid's type (the kernel's name too), its module, whether `rw`
 * may make it the root read-write. */
struct fs_kind {
	const char *type;
	const char *module;
	bool writable;
};

static const struct fs_kind fs_kinds[] = {
	{"squashfs", "squashfs", false},
	{"erofs", "erofs", false},
	{"ext4", "ext4", true},
	{"ext3", "ext4", true}, /* the ext4 driver mounts ext2 and ext3 too */
	{"ext2", "ext4", true},
	{"iso9660", "isofs", false},
};

/* The kind for libblkid's TYPE, or NULL. */
static const struct fs_kind *fs_kind_of(const char *type)
{
	for (size_t i = 0; i < sizeof(fs_kinds) / sizeof(fs_kinds[0]); i++)
		if (!strcmp(fs_kinds[i].type, type))
			return &fs_kinds[i];
	return NULL;
}

/* Attach PATH to a free loop device, read-only unless RW, cleared when the last user goes;
 * returns the open loop fd, which the caller keeps until the mount holds the device (closing it
 * earlier would trigger the autoclear at once). */
int loop_attach(const char *path, bool rw, char *dev, size_t cap)
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

	int mode = rw ? O_RDWR : O_RDONLY;
	int ffd = open(path, mode | O_CLOEXEC);
	if (ffd < 0)
		return log_err(-errno, "loop %s: open %s: %s", dev, path, strerror(errno));
	int lfd = open(dev, mode | O_CLOEXEC);
	if (lfd < 0) {
		err = errno;
		close(ffd);
		return log_err(-err, "loop %s: open: %s", dev, strerror(err));
	}
	struct loop_config lc = {.fd = (unsigned)ffd};
	lc.info.lo_flags = (rw ? 0 : LO_FLAGS_READ_ONLY) | LO_FLAGS_AUTOCLEAR;
	snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name), "%s", path);
	int r = ioctl(lfd, LOOP_CONFIGURE, &lc) < 0 ? -errno : 0;
	close(ffd);
	if (r < 0) {
		close(lfd);
		return log_err(r, "loop %s: attach %s: %s", dev, path, strerror(-r));
	}
	log_debug("loop: %s on %s%s", path, dev, rw ? " read-write" : "");
	return lfd;
}

/* Mount SRC, an image file (through a loop device) or a block device (LOOP false), of kind K at
 * DIR, read-only unless RW. */
static int mount_fs(const char *src, bool loop, const struct fs_kind *k, const char *dir, bool rw)
{
	char dev[32];
	int r, lfd = -1;
	if ((loop && (r = mod_load("loop")) < 0) || (r = mod_load(k->module)) < 0)
		return r;
	if ((r = mkdir_p(dir)) < 0)
		return log_errno(r, "mount %s: mkdir %s", src, dir);
	if (loop && (lfd = loop_attach(src, rw, dev, sizeof(dev))) < 0)
		return lfd;
	if (!loop)
		snprintf(dev, sizeof(dev), "%s", src);
	r = mount(loop ? dev : src, dir, k->type, rw ? 0 : MS_RDONLY, NULL) < 0 ? -errno : 0;
	if (lfd >= 0)
		close(lfd); /* the mount holds the device now; without one, autoclear detaches it here */
	const char *via = loop ? src : "";
	if (r < 0)
		return log_errno(r, "mount %s (%s%s%s) on %s", loop ? dev : src, via, loop ? ", " : "", k->type, dir);
	log_info("mount: %s (%s%s%s) on %s %s", loop ? dev : src, via, loop ? ", " : "", k->type, dir, rw ? "read-write" : "read-only");
	return 0;
}

/* Check that IMAGE holds the filesystem WANT (libblkid; libsquashfs for a squashfs). */
static int image_expect(const char *image, const char *want)
{
	char type[32];
	int r = image_type(image, type, sizeof(type));
	if (r < 0)
		return r;
	if (strcmp(type, want) != 0)
		return log_err(-EINVAL, "image %s: is %s, not %s", image, type, want);
	return strcmp(type, "squashfs") ? 0 : squashfs_check(image);
}

/* The archiso root inside the ISO mounted at ISO_DIR (archiso's layout under DIR); its path into
 * PATH and its type into *TYPE. -ENOENT naming both images when absent. */
static int iso_find_root(const char *dir, const char *iso, char *path, size_t cap, const char **type)
{
	int i = layout_find(ISO_DIR, dir, path, cap);
	if (i == -ENAMETOOLONG)
		return log_err(-ENAMETOOLONG, "image %s: archisobasedir=/arch= path too long", iso);
	if (i < 0)
		return log_err(-ENOENT, "image %s (iso9660): no archiso root in it: neither /%s/%s nor /%s/%s", iso, dir,
			       layout_images[0].name, dir, layout_images[1].name);
	*type = layout_images[i].fstype;
	return 0;
}

/* Mount the ISO at ISO_DIR, then the archiso root file inside it at LOWER_DIR. */
static int mount_iso_lower(const struct root *root, bool loop)
{
	char file[512];
	const char *type = NULL;
	int r = mount_fs(root->path, loop, fs_kind_of("iso9660"), ISO_DIR, false);
	if (r < 0 || (r = iso_find_root(root->archiso, root->path, file, sizeof(file), &type)) < 0 ||
	    (r = image_expect(file, type)) < 0)
		return r;
	return mount_fs(file, true, fs_kind_of(type), LOWER_DIR, false);
}

/* Mount the root at LOWER_DIR read-only: directly, or through the ISO's archiso layout. */
static int mount_lower(const struct root *root, const struct fs_kind *k)
{
	bool loop = root->kind == ROOT_IMAGE;
	int r;
	if (!strcmp(k->type, "iso9660"))
		return mount_iso_lower(root, loop);
	if (!strcmp(k->type, "squashfs") && (r = squashfs_check(root->path)) < 0)
		return r;
	return mount_fs(root->path, loop, k, LOWER_DIR, false);
}

/* The overlay on NEWROOT: LOWER read-only under upper/work dirs on a tmpfs of COW_SIZE. */
static int mount_overlay(const char *lower, const char *cow_size, const char *newroot)
{
	char opts[600];
	int r = mod_load("overlay");
	if (r < 0 || (r = mount_tmpfs(COW_DIR, cow_size, "overlay")) < 0)
		return r;
	if ((r = mkdir_p(COW_DIR "/upper")) < 0 || (r = mkdir_p(COW_DIR "/work")) < 0 || (r = mkdir_p(newroot)) < 0)
		return log_errno(r, "mount overlay: mkdir");
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=" COW_DIR "/upper,workdir=" COW_DIR "/work", lower);
	if (mount("overlay", newroot, "overlay", 0, opts) < 0)
		return log_errno(-errno, "mount overlay on %s (%s)", newroot, opts);
	log_info("mount: overlay on %s (tmpfs %s for changes)", newroot, cow_size);
	return 0;
}

/* The filesystem's kind, refused by name when pxeroot cannot boot it. */
static int root_kind(const char *path, const struct fs_kind **k)
{
	char type[32];
	int r = image_type(path, type, sizeof(type));
	if (r < 0)
		return r;
	if (!(*k = fs_kind_of(type)))
		return log_err(-EINVAL, "image %s: is %s; pxeroot boots squashfs, erofs, ext2/3/4 and iso9660 images", path, type);
	return 0;
}

/* A directory root: bound on NEWROOT as it is (as_is) or read-write (rw), else the lower layer
 * of the overlay. */
static int mount_dir_root(const struct root *root, const struct mount_opts *mo, const char *newroot)
{
	int r;
	if (!mo->rw && !root->as_is)
		return mount_overlay(root->path, mo->cow_size, newroot);
	if ((r = mkdir_p(newroot)) < 0)
		return log_errno(r, "mount %s: mkdir %s", root->path, newroot);
	if (mount(root->path, newroot, NULL, MS_BIND, NULL) < 0)
		return log_errno(-errno, "mount %s on %s (bind)", root->path, newroot);
	if (root->as_is)
		log_info("mount: %s is / as it is, no overlay", root->path);
	else
		log_info("mount: rw: %s is / read-write, no overlay", root->path);
	return 0;
}

/* A file or device root: rw + ext2/3/4 read-write on NEWROOT; otherwise lower + overlay. */
static int mount_fs_root(const struct root *root, const struct mount_opts *mo, const char *newroot)
{
	const struct fs_kind *k;
	int r = root_kind(root->path, &k);
	if (r < 0)
		return r;
	if (mo->rw && k->writable) {
		r = mount_fs(root->path, root->kind == ROOT_IMAGE, k, newroot, true);
		if (r == 0)
			log_info("mount: rw: %s is / read-write, no overlay (changes stay in RAM)", k->type);
		return r;
	}
	if (mo->rw)
		log_info("mount: rw ignored: a %s image is read-only; changes go to the overlay", k->type);
	if ((r = mount_lower(root, k)) < 0)
		return r;
	return mount_overlay(LOWER_DIR, mo->cow_size, newroot);
}

/* The root on NEWROOT as its kind says; undone on failure. */
int mount_root(const struct root *root, const struct mount_opts *mo, const char *newroot)
{
	int r = root->kind == ROOT_DIR ? mount_dir_root(root, mo, newroot) : mount_fs_root(root, mo, newroot);
	if (r < 0)
		mount_undo(newroot);
	return r;
}

/* Unmount in reverse order; the loop devices go away by themselves (autoclear). */
void mount_undo(const char *newroot)
{
	umount_quiet(newroot);
	umount_quiet(COW_DIR);
	umount_quiet(LOWER_DIR);
	umount_quiet(ISO_DIR);
}

/* loop, overlay, then each filesystem's module once. */
size_t mount_modules(const char **out, size_t max)
{
	size_t n = 0;
	const char *fixed[] = {"loop", "overlay"};
	for (size_t i = 0; i < 2 && n < max; i++)
		out[n++] = fixed[i];
	for (size_t i = 0; i < sizeof(fs_kinds) / sizeof(fs_kinds[0]) && n < max; i++) {
		size_t j = 0;
		while (j < n && strcmp(out[j], fs_kinds[i].module))
			j++;
		if (j == n)
			out[n++] = fs_kinds[i].module;
	}
	return n;
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
