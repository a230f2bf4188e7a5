/* mountroot.c - the mount stage on the host, for mount_kinds_host.sh (run it in a private mount
 * namespace with a tmpfs on /run): mount_root on a root handle given on the command line, or
 * mount_undo.
 *
 *   mountroot image|block|dir PATH NEWROOT [rw] [ARCHISO]
 *   mountroot undo NEWROOT
 *
 * Exit 0 when mount_root succeeded, 1 when it failed (its line on stderr). The host kernel has
 * the filesystems built in or loaded: mod_load here only checks /proc/filesystems. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "modules.h"
#include "mount/mount.h"

/* Stand-in for modules.c on a host without /lib/modules: the filesystem must be there already. */
int mod_load(const char *name)
{
	(void)name;
	return 0;
}

/* Parse the arguments into a root handle and mount it. */
int main(int argc, char **argv)
{
	static const char *const kinds[] = {"image", "block", "dir"};
	if (argc == 3 && !strcmp(argv[1], "undo")) {
		mount_undo(argv[2]);
		return 0;
	}
	if (argc < 4) {
		fputs("usage: mountroot image|block|dir PATH NEWROOT [rw] [ARCHISO] | undo NEWROOT\n", stderr);
		return 2;
	}
	struct root root = {0};
	size_t k = 0;
	while (k < 3 && strcmp(argv[1], kinds[k]))
		k++;
	if (k == 3)
		return 2;
	root.kind = (enum root_kind)k;
	snprintf(root.path, sizeof(root.path), "%s", argv[2]);
	snprintf(root.archiso, sizeof(root.archiso), "%s", argc > 5 ? argv[5] : "arch/x86_64");
	struct mount_opts mo = {.rw = argc > 4 && !strcmp(argv[4], "rw"), .cow_size = "64M"};
	return mount_root(&root, &mo, argv[3]) < 0 ? 1 : 0;
}
