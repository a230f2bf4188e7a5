/* switchroot.c - the last step: make the new root "/" and exec its init.
 *
 * Checks first, while nothing is changed yet: "/" must be the initramfs (ramfs or tmpfs), NEWROOT
 * a different filesystem, the init executable. Then: move the API filesystems into the new root,
 * delete the initramfs's files (never crossing into another filesystem, so nothing mounted is
 * touched), MS_MOVE the new root onto "/", chroot, exec. */
#define _GNU_SOURCE
#include "switchroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"

/* Follow PATH's symlinks inside NEWROOT by hand (an absolute target resolves against the current
 * root otherwise). */
int switchroot_resolve(const char *newroot, const char *path, char *out, size_t cap, struct stat *st)
{
	snprintf(out, cap, "%s%s", newroot, path);
	for (int hops = 0; hops < 8; hops++) {
		if (lstat(out, st) < 0)
			return -errno;
		if (!S_ISLNK(st->st_mode))
			return 0;
		char target[256], next[512];
		ssize_t n = readlink(out, target, sizeof(target) - 1);
		if (n <= 0)
			return -EINVAL;
		target[n] = '\0';
		if (target[0] == '/') {
			snprintf(next, sizeof(next), "%s%s", newroot, target);
		} else {
			char *slash = strrchr(out, '/');
			snprintf(next, sizeof(next), "%.*s%s", (int)(slash - out) + 1, out, target);
		}
		snprintf(out, cap, "%s", next);
	}
	return -ELOOP;
}

/* Whether PATH inside NEWROOT is an executable regular file. */
static int executable_in(const char *newroot, const char *path)
{
	char full[512];
	struct stat st;
	return switchroot_resolve(newroot, path, full, sizeof(full), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* Choose init. */
int switchroot_pick_init(const char *newroot, const char *wanted, char *out, unsigned cap)
{
	static const char *const defaults[] = {"/sbin/init", "/usr/lib/systemd/systemd", "/init"};
	if (wanted) {
		if (!executable_in(newroot, wanted))
			return log_err(-ENOENT, "switch_root: init=%s is not an executable file in the new root", wanted);
		snprintf(out, cap, "%s", wanted);
		return 0;
	}
	for (unsigned i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (executable_in(newroot, defaults[i])) {
			snprintf(out, cap, "%s", defaults[i]);
			return 0;
		}
	}
	return log_err(-ENOENT, "switch_root: no init in the new root (tried /sbin/init, /usr/lib/systemd/systemd, /init)");
}

/* Delete everything in directory FD that lives on device DEV, not descending into other
 * filesystems; closes FD. */
static void remove_tree(int fd, dev_t dev)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				remove_tree(sub, dev);
			unlinkat(fd, e->d_name, AT_REMOVEDIR); /* fails for mount points: fine */
		} else {
			unlinkat(fd, e->d_name, 0);
		}
	}
	closedir(d);
}

/* The safety checks that must pass before anything is changed; the device of "/" into *ROOTDEV.
 * 0 or a negative errno (logged). */
static int preflight(const char *newroot, dev_t *rootdev)
{
	struct statfs sfs;
	struct stat root, nr;
	if (statfs("/", &sfs) < 0 || stat("/", &root) < 0)
		return log_errno(-errno, "switch_root: stat /");
	if (sfs.f_type != RAMFS_MAGIC && sfs.f_type != TMPFS_MAGIC)
		return log_err(-EPERM, "switch_root: / is not an initramfs (ramfs/tmpfs); refusing to delete its files");
	if (stat(newroot, &nr) < 0)
		return log_errno(-errno, "switch_root: %s", newroot);
	if (nr.st_dev == root.st_dev)
		return log_err(-EINVAL, "switch_root: %s is not a mounted filesystem", newroot);
	*rootdev = root.st_dev;
	return 0;
}

/* Move one API filesystem into the new root. */
static int move_api(const char *newroot, const char *what)
{
	char target[256];
	snprintf(target, sizeof(target), "%s%s", newroot, what);
	mkdir(target, 0755);
	if (mount(what, target, NULL, MS_MOVE, NULL) < 0)
		return log_errno(-errno, "switch_root: move %s to %s", what, target);
	return 0;
}

static const char *const api[] = {"/dev", "/proc", "/sys", "/run"};
#define N_API (sizeof(api) / sizeof(api[0]))

/* Move the first N API filesystems back from the new root to where they were, last first, so a
 * failed switch leaves the initramfs as it was and the stage can be tried again. */
static void move_api_back(const char *newroot, unsigned n)
{
	while (n--) {
		char from[256];
		snprintf(from, sizeof(from), "%s%s", newroot, api[n]);
		if (mount(from, api[n], NULL, MS_MOVE, NULL) < 0)
			log_errno(-errno, "switch_root: moving %s back to %s", from, api[n]);
		else
			log_info("switch_root: moved %s back to %s", from, api[n]);
	}
}

/* Move the API filesystems into the new root; on a failure, move back those already moved. */
static int move_apis(const char *newroot)
{
	for (unsigned i = 0; i < N_API; i++) {
		int r = move_api(newroot, api[i]);
		if (r < 0) {
			move_api_back(newroot, i);
			return r;
		}
	}
	return 0;
}

/* Switch and exec. A failure before the initramfs's files are deleted leaves everything as it was
 * and returns its negative errno; one after that returns -ENOTRECOVERABLE: there is no initramfs
 * to go back to (nor a rescue shell of its own), and the caller must stop the machine. */
int switch_root(const char *newroot, const char *init, char *const argv[], void (*before_exec)(void))
{
	dev_t rootdev;
	int r = preflight(newroot, &rootdev);
	if (r < 0)
		return r;
	int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_errno(-errno, "switch_root: open /");

	log_info("switch_root: into %s, exec %s", newroot, init);
	if ((r = move_apis(newroot)) == 0 && chdir(newroot) < 0) {
		r = log_errno(-errno, "switch_root: chdir %s", newroot);
		move_api_back(newroot, N_API);
	}
	if (r < 0) {
		close(rootfd);
		return r;
	}
	remove_tree(rootfd, rootdev); /* the point of no return */
	const char *step = "move the new root to /";
	if (mount(".", "/", NULL, MS_MOVE, NULL) == 0) {
		step = "chroot";
		if (chroot(".") == 0 && chdir("/") == 0) {
			step = "exec";
			if (before_exec)
				before_exec();
			execv(init, argv);
		}
	}
	log_info("switch_root: %s %s: %s; the initramfs is already deleted, nothing to go back to", step, init, strerror(errno));
	return -ENOTRECOVERABLE;
}
