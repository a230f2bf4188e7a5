/* layout.h - archiso's layout: an archiso tree (on a server, a share, an ISO or a stick) keeps the
 * root image at <archisobasedir>/<arch>/airootfs.sfs, else airootfs.erofs (or, chunked, the
 * index airootfs.caibx). Every source and the
 * mount stage take the rule from here. */
#ifndef PXEROOT_LAYOUT_H
#define PXEROOT_LAYOUT_H

#include <stddef.h>

/* archisobasedir= and arch= as the plan read them. */
struct layout {
	const char *basedir; /* archisobasedir= (default "arch") */
	const char *arch;    /* arch=; NULL: the machine's */
};

/* The image names, in the order they are looked for, and the filesystem each holds. */
#define LAYOUT_IMAGES 2
struct layout_image {
	const char *name;   /* airootfs.sfs */
	const char *fstype; /* squashfs */
};
extern const struct layout_image layout_images[LAYOUT_IMAGES];
/* A chunked image (pxeroot.chunks=): casync's index of it beside the images, its chunk store
 * beside the index with the suffix ".castr/" for ".caibx". */
#define LAYOUT_INDEX "airootfs.caibx"

/* The machine's architecture as uname reports it (x86_64), read once. */
const char *layout_machine(void);
/* <basedir>/<arch or the machine's> into OUT; 0, or -ENAMETOOLONG after the line naming the
 * options. */
int layout_dir(const struct layout *l, char *out, size_t cap);
/* The image archiso's layout puts under TOP (a mounted tree) in DIR (<basedir>/<arch>): the first
 * of layout_images that is a regular file there, its path into PATH (CAP bytes). Its index, or
 * -ENOENT (none there) or -ENAMETOOLONG; nothing logged (the caller names the medium). */
int layout_find(const char *top, const char *dir, char *path, size_t cap);
/* <basedir>/<arch, or "<machine>" when arch= was not given>, for the plan's lines (a static
 * buffer). */
const char *layout_shown(const struct layout *l);

#endif
