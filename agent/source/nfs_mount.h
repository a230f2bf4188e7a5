/* nfs_mount.h - one NFS export mounted on NFS_DIR, versions tried in turn, each attempt bounded */
#ifndef PXEROOT_NFS_MOUNT_H
#define PXEROOT_NFS_MOUNT_H

#include <stdbool.h>

#include "source/nfs_spec.h"

/* Mount S (its server resolved here when it is a name) on NFS_DIR, read-only when RO, each attempt
 * at most TIMEOUT_S; CLIENT is this machine's IPv4 address for v4's clientaddr= ("": none).
 * 0, or a negative errno after the one line naming server, path and cause. */
int nfs_mount(const struct nfs_spec *s, bool ro, unsigned timeout_s, const char *client);

#endif
