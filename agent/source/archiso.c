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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "meminfo.h"
#include "modules.h"
#include "paths.h"
#include "plan.h"
#include "sink.h"
#include "verify/file.h"

/* archiso's image on the medium mounted at MNT: <archisobasedir>/<arch>/airootfs.sfs, else .erofs, into
 * PATH and its file name into *NAME. */
static int archiso_image(const struct plan *plan, const char *mnt, char *path, size_t cap, const char **name)
{
	static const char *const names[] = {"airootfs.sfs", "airootfs.erofs"};
	char rel[400];
	if (plan_archiso(plan, rel, sizeof(rel)) < 0)
		return log_err(-ENAMETOOLONG, "cmdline archisobasedir=\"%s\": path too long", plan->basedir);
	for (size_t i = 0; i < 2; i++) {
		struct stat st;
		if ((size_t)snprintf(path, cap, "%s/%s/%s", mnt, rel, names[i]) >= cap)
			return log_err(-ENAMETOOLONG, "archiso %s: archisobasedir= path too long", mnt);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			*name = names[i];
			return 0;
		}
	}
	return log_err(-ENOENT, "archiso %s: no archiso image there: neither /%s/%s nor /%s/%s", mnt, rel, names[0], rel, names[1]);
}

/* Copy SRC into the image tmpfs as DST (CAP bytes), checked as T asks in the same read. */
static int copy_to_ram(const char *src, const char *name, const struct trust *t, const char *size, char *dst, size_t cap)
{
	struct stat st;
	struct statvfs vfs;
	int r = mount_tmpfs(IMG_DIR, size, "image");
	if (r < 0)
		return r;
	snprintf(dst, cap, "%s/%s", IMG_DIR, name);
	uint64_t mib = 1024 * 1024, room = 0;
	if (stat(src, &st) == 0 && statvfs(IMG_DIR, &vfs) == 0 && (uint64_t)st.st_size > (room = (uint64_t)vfs.f_bavail * vfs.f_frsize)) {
		umount_quiet(IMG_DIR);
		return log_err(-EFBIG, "archiso %s: the image is %" PRIu64 " MiB but the image tmpfs (copytoram_size=%s) has %" PRIu64 " MiB free",
			       src, ((uint64_t)st.st_size + mib - 1) / mib, size, room / mib);
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

/* copytoram= and copytoram_size=. */
int archiso_claim_copy(const struct cmdline *cl, enum copy_mode auto_is, enum copy_mode *copy, const char **size)
{
	const char *c = cmdline_get(cl, "copytoram");
	bool y = false;
	int r;
	*copy = auto_is;
	*size = cmdline_get(cl, "copytoram_size");
	if (c && strcmp(c, "auto")) {
		if ((r = plan_get_bool(cl, "copytoram", &y)) < 0)
			return r;
		*copy = y ? COPY_Y : COPY_N;
	}
	if (*size && (r = plan_check_size("copytoram_size", *size)) < 0)
		return r;
	if (!*size)
		*size = "75%";
	return 0;
}

/* archiso's rule: under 4 GiB, and MemAvailable above the image's size (KiB, rounded up, as
 * du -k counts it) plus 2 GiB. */
bool archiso_auto_copies(uint64_t size, uint64_t avail_kb)
{
	uint64_t kb = (size + 1023) / 1024;
	return kb < 4 * 1024 * 1024 && avail_kb > kb + 2 * 1024 * 1024;
}

/* copytoram=auto for the image SRC: archiso's rule, unless the medium rules it out (KEPT_WHY). */
static bool auto_copy(const char *src, const char *kept_why)
{
	struct stat st;
	uint64_t total = 0, avail = 0, mib = 1024 * 1024;
	if (kept_why) {
		log_info("archiso: copytoram=auto: %s is used in place: %s", src, kept_why);
		return false;
	}
	if (stat(src, &st) < 0 || meminfo(&total, &avail) < 0) {
		log_info("archiso: copytoram=auto: %s is used in place: its size or the free memory cannot be read", src);
		return false;
	}
	bool copy = archiso_auto_copies((uint64_t)st.st_size, avail);
	log_info("archiso: copytoram=auto: %s is %s: %" PRIu64 " MiB, %" PRIu64 " MiB of memory available (copied under 4 GiB with 2 GiB to spare)",
		 src, copy ? "copied into RAM" : "used in place", ((uint64_t)st.st_size + mib - 1) / mib, avail / 1024);
	return copy;
}

/* The image on MNT, checked, copied or not, as ROOT. */
int archiso_take(const struct plan *plan, const char *mnt, enum copy_mode mode, const char *ram_size, const char *kept_why,
		 struct root *root)
{
	char src[sizeof(root->path)];
	const char *name = NULL;
	const struct trust *t = &plan->trust;
	int r = archiso_image(plan, mnt, src, sizeof(src), &name);
	*root = (struct root){.kind = ROOT_IMAGE};
	if (r < 0)
		return r;
	bool copy = mode == COPY_Y || (mode == COPY_AUTO && auto_copy(src, kept_why));
	root->copied = copy;
	if (copy)
		return copy_to_ram(src, name, t, ram_size, root->path, sizeof(root->path));
	if ((t->sha512 || t->cms || t->gpg) && (r = verify_file(src, t, NULL, name)) < 0)
		return r;
	memcpy(root->path, src, sizeof(src));
	return 0;
}

/* DEV read-only on MEDIA_DIR, the image taken from it; the medium is unmounted once copied. */
int archiso_from_device(const struct plan *plan, const char *who, const char *dev, const char *type, enum copy_mode mode,
			const char *ram_size, const char *kept_why, struct root *root)
{
	int r;
	mod_load_fs(type);
	if ((r = mkdir_p(MEDIA_DIR)) < 0)
		return log_errno(r, "%s: mkdir %s", who, MEDIA_DIR);
	if (mount(dev, MEDIA_DIR, type, MS_RDONLY, NULL) < 0)
		return log_errno(-errno, "%s: mount %s (%s) on %s", who, dev, type, MEDIA_DIR);
	log_info("%s: %s (%s) on %s read-only", who, dev, type, MEDIA_DIR);
	if ((r = archiso_take(plan, MEDIA_DIR, mode, ram_size, kept_why, root)) < 0) {
		umount_quiet(MEDIA_DIR);
		return r;
	}
	if (root->copied) {
		umount_quiet(MEDIA_DIR); /* the copy is what boots: the medium may go */
		log_info("%s: the image is in RAM; %s is unmounted", who, dev);
	}
	return 0;
}
