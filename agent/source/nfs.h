/* nfs.h - an NFS export as the root (the kernel's root=/dev/nfs nfsroot=, dracut's root=nfs:,
 * nfs4:, nfs:// and root=dhcp), or the share holding archiso's image (archiso_nfs_srv=) */
#ifndef PXEROOT_SOURCE_NFS_H
#define PXEROOT_SOURCE_NFS_H

#include <stdbool.h>

#include "source/copytoram.h"
#include "source/source.h"

enum nfs_form {
	NFS_KERNEL, /* root=/dev/nfs: nfsroot=, else DHCP option 17, else /tftpboot/%s */
	NFS_DRACUT, /* root=nfs:…, nfs4:…, nfs://… */
	NFS_DHCP,   /* root=dhcp: option 17 read as a dracut root */
	NFS_ARCHISO, /* archiso_nfs_srv=: the share holds <archisobasedir>/<arch>/airootfs.sfs */
};

/* The options of the NFS source, as its claim read them (the values stay in the command line). */
struct nfs_opts {
	enum nfs_form form;
	const char *value;    /* nfsroot=, root= or archiso_nfs_srv= (NULL: from DHCP) */
	const char *archiso_opt; /* archiso_nfs_opt= */
	enum copy_mode copytoram; /* archiso: the image is copied into RAM (auto too; copytoram=n: loop-mounted on the share) */
	const char *ram_size; /* copytoram_size=: the image tmpfs (default 75%) */
	bool overlay;         /* pxeroot.overlay= / rd.live.overlay.overlayfs=: a tmpfs overlay over a read-only export */
	unsigned timeout_s;   /* pxeroot.nfs_timeout=: the longest one mount attempt may take */
};

extern const struct source nfs_source;  /* nfs_opts.c */
extern const struct source_io nfs_io;   /* nfs.c */

#endif
