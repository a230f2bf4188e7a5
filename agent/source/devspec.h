/* devspec.h - which block device the command line names (archisodevice=, archisolabel=,
 * root=live:CDLABEL=…), and whether a probed device is it. Pure: no I/O. */
#ifndef PXEROOT_SOURCE_DEVSPEC_H
#define PXEROOT_SOURCE_DEVSPEC_H

#include <stdbool.h>
#include <stddef.h>

enum devspec_kind { DEV_PATH, DEV_LABEL, DEV_UUID, DEV_PARTUUID, DEV_PARTLABEL };

struct devspec {
	enum devspec_kind kind;
	char value[256]; /* the device node (DEV_PATH) or the tag's value, unescaped */
};

/* What libblkid said about one block device (empty strings: not there). */
struct devinfo {
	char dev[64];        /* /dev/NAME */
	char type[32];       /* filesystem: iso9660, vfat, ext4, squashfs, … */
	char label[256];
	char uuid[128];
	char partuuid[64];
	char partlabel[128];
	bool removable;      /* the disk says so in sysfs (USB sticks, CD drives) */
};

/* Parse S: LABEL=x, CDLABEL=x (dracut), UUID=x, PARTUUID=x, PARTLABEL=x, their udev links
 * /dev/disk/by-label/x (\xHH escapes undone), by-uuid, by-partuuid, by-partlabel, or a node
 * /dev/NAME. 0, or -EINVAL (nothing logged) for anything else, an empty value or one too long. */
int devspec_parse(const char *s, struct devspec *d);
/* Whether the device D describes is the one SPEC names (UUIDs compare without case). */
bool devspec_match(const struct devspec *spec, const struct devinfo *d);
/* SPEC as text ("LABEL=ARCH_202611", "/dev/sr0") into BUF; returns BUF. */
const char *devspec_str(const struct devspec *spec, char *buf, size_t cap);

#endif
