/* archiso.c - archiso's image on a mounted medium (an NFS share, an ISO in RAM, a CD or a stick):
 * <archisobasedir>/<arch>/airootfs.sfs, else .erofs, read once for the checks the command line
 * asks for (companions from beside it) while it is copied into the image tmpfs, or checked where
 * it is and used from there (copytoram=n). A refused image leaves nothing behind. */
#define _GNU_SOURCE
#include "source/archiso.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "meminfo.h"
#include "modules.h"
#include "paths.h"
#include "sink.h"
#include "source/blkdev.h"
#include "verify/file.h"

/* archiso's image on the medium mounted at MNT under the layout L into PATH and its file name
 * into *NAME. */
static int archiso_image(const struct layout *l, const char *mnt, char *path, size_t cap, const char **name)
{
	char dir[400];
	int r = layout_dir(l, dir, sizeof(dir));
	if (r < 0)
		return r;
	int i = layout_find(mnt, dir, path, cap);
	if (i == -ENAMETOOLONG)
		return log_err(-ENAMETOOLONG, "archiso %s: archisobasedir= path too long", mnt);
	if (i < 0)
		return log_err(-ENOENT, "archiso %s: no archiso image there: neither /%s/%s nor /%s/%s", mnt, dir, layout_images[0].name,
			       dir, layout_images[1].name);
	*name = layout_images[i].name;
	return 0;
}

/* Copy SRC into the image tmpfs as DST (CAP bytes), checked as T asks in the same read; refused
 * before a byte is copied when it does not fit in the memory or the tmpfs. */
static int copy_to_ram(const char *src, const char *name, const struct trust *t, const char *size, char *dst, size_t cap)
{
	struct stat st;
	char who[600], opt[80];
	int r = mount_tmpfs(IMG_DIR, size, "image");
	if (r < 0)
		return r;
	snprintf(dst, cap, "%s/%s", IMG_DIR, name);
	snprintf(who, sizeof(who), "archiso %s", src);
	snprintf(opt, sizeof(opt), "copytoram_size=%s", size);
	if (stat(src, &st) == 0 && (r = image_fits_ram(who, (uint64_t)st.st_size, opt)) < 0) {
		umount_quiet(IMG_DIR);
		return r;
	}
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = log_errno(-errno, "archiso: create %s", dst);
	} else {
		struct file_sink fs;
		file_sink_init(&fs, fd, dst);
		r = verify_file(src, t, &fs.s, name);
		if (close(fd) < 0 && r == 0)
			r = log_errno(-errno, "archiso: close %s", dst);
	}
	if (r < 0) {
		unlink(dst);
		umount_quiet(IMG_DIR);
	}
	return r;
}

/* copytoram=auto for the image SRC: archiso's rule, unless the medium rules it out (KEPT_WHY),
 * into WHY ("used in place: ...", "copied into RAM: ..."); true when it copies. */
static bool auto_rule(const char *src, const char *kept_why, char *why, size_t cap)
{
	struct stat st;
	uint64_t total = 0, avail = 0, mib = 1024 * 1024;
	if (kept_why) {
		snprintf(why, cap, "used in place: %s", kept_why);
		return false;
	}
	if (stat(src, &st) < 0 || meminfo(&total, &avail) < 0) {
		snprintf(why, cap, "used in place: its size or the free memory cannot be read");
		return false;
	}
	bool copy = copytoram_auto((uint64_t)st.st_size, avail);
	snprintf(why, cap, "%s: %" PRIu64 " MiB, %" PRIu64 " MiB of memory available (copied under 4 GiB with 2 GiB to spare)",
		 copy ? "copied into RAM" : "used in place", ((uint64_t)st.st_size + mib - 1) / mib, avail / 1024);
	return copy;
}

/* Whether the image SRC on medium M is copied: copytoram=, except that a checked image on a
 * medium that is not RAM is always copied (the checks cover the copy, which is what boots; the
 * medium is never read again). copytoram=n with checks was refused before: here checks on a
 * medium that is not RAM come with y or auto. */
static bool copies(const struct archiso_medium *m, const struct trust *t, const char *src)
{
	char why[300], opts[64];
	if (m->mode == COPY_Y)
		return true;
	bool checked = trust_any(t) && !m->in_ram;
	if (m->mode == COPY_AUTO && auto_rule(src, m->kept_why, why, sizeof(why))) {
		log_info("archiso: copytoram=auto: %s is %s", src, why);
		return true;
	}
	if (checked)
		log_info("archiso: %s is copied into RAM: %s asked for checks, and a medium that is not RAM could serve other bytes after them; the copy is checked as it is made, and it is what boots (copytoram=auto alone: %s)",
			 src, trust_options(t, opts, sizeof(opts)), why);
	else if (m->mode == COPY_AUTO)
		log_info("archiso: copytoram=auto: %s is %s", src, why);
	return checked;
}

/* The image on MNT, checked, copied or not, as ROOT. */
int archiso_take(const struct source_ctx *ctx, const char *mnt, const struct archiso_medium *m, struct root *root)
{
	char src[sizeof(root->path)];
	const char *name = NULL;
	const struct trust *t = ctx->trust;
	int r = archiso_image(ctx->layout, mnt, src, sizeof(src), &name);
	*root = (struct root){.kind = ROOT_IMAGE};
	if (r < 0)
		return r;
	if (m->mode == COPY_N && trust_any(t) && !m->in_ram)
		return log_err(-EPERM, "archiso %s: copytoram=n: a checked image is never read from the medium again", src);
	bool copy = copies(m, t, src);
	root->copied = copy;
	if (copy)
		return copy_to_ram(src, name, t, m->ram_size, root->path, sizeof(root->path));
	if (trust_any(t) && (r = verify_file(src, t, NULL, name)) < 0)
		return r;
	memcpy(root->path, src, sizeof(src));
	return 0;
}

/* DEV read-only on MEDIA_DIR, the image taken from it; the medium is unmounted once copied. */
int archiso_from_device(const struct source_ctx *ctx, const char *dev, const char *type, const struct archiso_medium *m,
			struct root *root)
{
	const char *who = m->who;
	bool was_ro = false;
	int r;
	mod_load_fs(type);
	if ((r = mkdir_p(MEDIA_DIR)) < 0)
		return log_errno(r, "%s: mkdir %s", who, MEDIA_DIR);
	if ((r = blkdev_mount_ro(dev, MEDIA_DIR, type, &was_ro)) < 0)
		return log_errno(r, "%s: mount %s (%s) on %s", who, dev, type, MEDIA_DIR);
	log_info("%s: %s (%s) on %s read-only", who, dev, type, MEDIA_DIR);
	if ((r = archiso_take(ctx, MEDIA_DIR, m, root)) < 0) {
		blkdev_unmount(dev, MEDIA_DIR, was_ro);
		return r;
	}
	if (root->copied) {
		blkdev_unmount(dev, MEDIA_DIR, was_ro); /* the copy is what boots: the medium may go */
		log_info("%s: the image is in RAM; %s is unmounted", who, dev);
	}
	return 0;
}
