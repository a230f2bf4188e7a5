/* nfs_spec.h - where an NFS root is, in the syntaxes users already write: the kernel's
 * (root=/dev/nfs nfsroot=, DHCP option 17), dracut's (root=nfs:, nfs4:, nfs://, root=dhcp) and
 * archiso's (archiso_nfs_srv=, archiso_nfs_opt=). Pure text work: no network, no mount. */
#ifndef PXEROOT_NFS_SPEC_H
#define PXEROOT_NFS_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define NFS_SERVER_MAX 256
#define NFS_PATH_MAX 1024
#define NFS_OPTS_MAX 1024

struct nfs_spec {
	char server[NFS_SERVER_MAX]; /* host name or IPv4 address; "" until known */
	char path[NFS_PATH_MAX];     /* the export (may still hold one %s) */
	char opts[NFS_OPTS_MAX];     /* the kernel's text mount options, comma-separated, as written */
	bool v4;                     /* dracut's nfs4: (NFSv4 only) */
};

/* The kernel's nfsroot= value (or option 17 for root=/dev/nfs): [<server-ip>:]<path>[,<options>];
 * a value that starts with neither '/', ',' nor a digit is a path under /tftpboot/. 0, or -EINVAL
 * with the reason in WHY. */
int nfs_parse_kernel(const char *v, struct nfs_spec *out, char *why, size_t cap);
/* dracut's nfs:[<server>:]<path>[:<options>], nfs4:… and nfs://<server>/<path>. 0, -ENOENT when V
 * has none of these prefixes, or -EINVAL with the reason in WHY. */
int nfs_parse_dracut(const char *v, struct nfs_spec *out, char *why, size_t cap);
/* archiso's archiso_nfs_srv=[<server>:]<path> with archiso_nfs_opt=OPT (NULL: none). 0 or -EINVAL. */
int nfs_parse_archiso(const char *srv, const char *opt, struct nfs_spec *out, char *why, size_t cap);
/* Append the options MORE (comma-separated, may be NULL or "") after S's own. 0 or -E2BIG. */
int nfs_add_opts(struct nfs_spec *s, const char *more);
/* Replace the first %s of S's path with WHO (the host name, else the client's address), as the
 * kernel and dracut do. 0 or -ENAMETOOLONG. */
int nfs_expand_path(struct nfs_spec *s, const char *who);
/* The NFS version S's options ask for ("3", "4.1", ...) into OUT, or "" when none; dracut's nfs4:
 * gives "4". The last vers=, nfsvers= or vN word wins. */
void nfs_opt_vers(const struct nfs_spec *s, char *out, size_t cap);
/* Whether option NAME (a word like "lock", or "name=" for a keyed one) is among S's options;
 * the last of NAME and its opposite OFF (NULL: none) wins: 1 NAME, 0 OFF or absent. */
int nfs_opt_last(const struct nfs_spec *s, const char *name, const char *off);

#endif
