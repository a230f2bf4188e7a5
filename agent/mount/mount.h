/* mount.h - from a source's root to the new root: image checks, loop devices, the read-only lower
 * layer and the overlay */
#ifndef PXEROOT_MOUNT_H
#define PXEROOT_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "paths.h"

/* What a root source hands to the mount stage. */
enum root_kind {
	ROOT_IMAGE, /* an image file: attached to a loop device, mounted read-only (an ISO: its archiso root) */
	ROOT_BLOCK, /* a block device holding the filesystem: mounted as it is */
	ROOT_DIR,   /* a directory the source mounted itself (e.g. an NFS export): the overlay's lower */
};

struct root {
	enum root_kind kind;
	char path[512];     /* the image file, device node or directory */
	char archiso[320];  /* <archisobasedir>/<arch>: where an ISO holds airootfs.sfs / .erofs */
	bool as_is;         /* ROOT_DIR: the root as mounted (read-only or read-write), no overlay */
	bool on_net;        /* the mounted root keeps reading from the network: the NIC stays as it is */
	bool copied;        /* ROOT_IMAGE: the image was copied into RAM (its medium can go) */
};

/* How the root is mounted. */
struct mount_opts {
	bool rw;              /* the kernel's rw: an ext2/3/4 root read-write as /, no overlay */
	const char *cow_size; /* the overlay's tmpfs (tmpfs size syntax: 256M, 75%) */
};

/* Filesystem type of the image file PATH as libblkid sees it into TYPE; -EINVAL if unknown. */
int image_type(const char *path, char *type, size_t cap);
/* Check that PATH is a squashfs the kernel can mount (superblock, compressor, root inode). */
int squashfs_check(const char *path);
/* Attach PATH to a free loop device, read-only unless RW; its name into DEV. Returns the open loop
 * fd to close once mounted. */
int loop_attach(const char *path, bool rw, char *dev, size_t cap);
/* Mount ROOT on NEWROOT (a directory): an image file or block device holding squashfs, erofs,
 * ext2/3/4, or an ISO with archiso's ROOT->archiso/airootfs.sfs (or .erofs), or a directory, as
 * the read-only lower layer under an overlay; with MO->rw an ext2/3/4 filesystem (or a directory)
 * is mounted read-write on NEWROOT instead, and a directory ROOT->as_is is bound on NEWROOT as
 * it is. On failure, everything it mounted is undone. */
int mount_root(const struct root *root, const struct mount_opts *mo, const char *newroot);
/* Undo mount_root (for a retry or a refusal); what the source set up is the source's to undo. */
void mount_undo(const char *newroot);
/* The kernel modules the mount stage may load into OUT (at most MAX); returns how many. */
size_t mount_modules(const char **out, size_t max);
/* Log every line of /proc/mounts as "mounts: ..." (debug dumps before a final action). */
void mounts_dump(void);

#endif
