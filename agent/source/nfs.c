/* nfs.c - the NFS root source's I/O: an NFS export as the root, or the share holding archiso's image.
 *
 * Where: the command line's syntax (nfs_spec.c) completed with what the network stage learnt
 * (DHCP option 17; the server defaulting to the one ip= names, else the DHCP next-server / server
 * id; %s). How: nfs_mount.c (versions, bounded attempts, pxeroot.nfs_timeout=). The export is the
 * root as it is (ro unless the kernel's `rw`), or the read-only lower layer of a tmpfs overlay
 * with pxeroot.overlay=1. archiso_nfs_srv=: the share is mounted read-only, and its
 * <archisobasedir>/<arch>/airootfs.sfs (else .erofs) is checked as requested while it is copied
 * into RAM, or, with copytoram=n, checked where it is and loop-mounted from the share. */
#define _GNU_SOURCE
#include "source/nfs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "modules.h"
#include "net/net.h"
#include "paths.h"
#include "source/archiso.h"
#include "source/nfs_mount.h"
#include "source/nfs_spec.h"
#include "url.h"

/* The first configured interface's lease (the one DHCP or ip= gave). */
static const struct dhcp_lease *lease_of(const struct net_result *net)
{
	return net->n ? &net->ifs[0].lease : NULL;
}

/* This machine's address on the first interface ("" when none), for v4's clientaddr=. */
static const char *client_of(const struct net_result *net)
{
	static char ip[INET_ADDRSTRLEN];
	const struct dhcp_lease *l = lease_of(net);
	ip[0] = '\0';
	if (l)
		inet_ntop(AF_INET, &l->addr, ip, sizeof(ip));
	return ip;
}

/* The export for the kernel's syntax: option 17's options first, then nfsroot='s; the path and
 * the server of nfsroot= over those of option 17. */
static int kernel_spec(const struct nfs_opts *o, const char *root_path, struct nfs_spec *s)
{
	struct nfs_spec dhcp = {0};
	char why[160];
	const char *name = o->value ? "nfsroot" : "DHCP root-path";
	bool have_rp = root_path && root_path[0];
	if (have_rp && nfs_parse_kernel(root_path, &dhcp, why, sizeof(why)) < 0)
		return log_err(-EINVAL, "dhcp root-path \"%s\": %s", root_path, why);
	if (!o->value) {
		*s = dhcp;
		return have_rp ? 0 : nfs_parse_kernel("", s, why, sizeof(why));
	}
	if (nfs_parse_kernel(o->value, s, why, sizeof(why)) < 0)
		return log_err(-EINVAL, "cmdline %s=\"%s\": %s", name, o->value, why);
	char mine[NFS_OPTS_MAX];
	snprintf(mine, sizeof(mine), "%s", s->opts);
	snprintf(s->opts, sizeof(s->opts), "%s", dhcp.opts);
	if (!s->server[0])
		snprintf(s->server, sizeof(s->server), "%s", dhcp.server);
	if (nfs_add_opts(s, mine) < 0)
		return log_err(-E2BIG, "cmdline nfsroot=\"%s\": with the root-path's options, longer than %d bytes", o->value, NFS_OPTS_MAX - 1);
	return 0;
}

/* The export for dracut's syntax: root=, or option 17 for root=dhcp (nfs: assumed without a
 * prefix, as dracut does). */
static int dracut_spec(const struct nfs_opts *o, const char *root_path, struct nfs_spec *s)
{
	char why[160], buf[NFS_PATH_MAX + NFS_OPTS_MAX];
	const char *v = o->value;
	if (o->form == NFS_DHCP) {
		if (!root_path || !root_path[0])
			return log_err(-ENOENT, "cmdline root=dhcp: the DHCP server sent no root-path (option 17)");
		bool prefixed = !strncmp(root_path, "nfs:", 4) || !strncmp(root_path, "nfs4:", 5) || !strncmp(root_path, "nfs://", 6);
		snprintf(buf, sizeof(buf), "%s%s", prefixed ? "" : "nfs:", root_path);
		v = buf;
	}
	int r = nfs_parse_dracut(v, s, why, sizeof(why));
	if (r == -ENOENT)
		snprintf(why, sizeof(why), "not an nfs:, nfs4: or nfs:// root");
	if (r < 0)
		return log_err(-EINVAL, "%s \"%s\": %s", o->form == NFS_DHCP ? "dhcp root-path" : "cmdline root=", v, why);
	return 0;
}

/* The share for archiso_nfs_srv= (${pxeserver} replaced) and archiso_nfs_opt=. */
static int archiso_spec(const struct nfs_opts *o, const char *pxeserver, struct nfs_spec *s)
{
	char srv[NFS_SERVER_MAX + NFS_PATH_MAX], why[160];
	int r = url_expand_pxeserver(o->value, pxeserver, srv, sizeof(srv));
	if (r == -ENXIO)
		return log_err(-EINVAL, "cmdline archiso_nfs_srv=\"%s\": uses ${pxeserver} but no boot server is known (DHCP next-server or the server field of ip=)", o->value);
	if (r < 0 || nfs_parse_archiso(srv, o->archiso_opt, s, why, sizeof(why)) < 0)
		return log_err(-EINVAL, "cmdline archiso_nfs_srv=\"%s\": %s", o->value, r < 0 ? "too long" : why);
	return 0;
}

/* The whole spec for O after the network stage: syntax, server default, %s. */
static int build_spec(const struct nfs_opts *o, const struct net_result *net, struct nfs_spec *s)
{
	const struct dhcp_lease *l = lease_of(net);
	int r = o->form == NFS_KERNEL    ? kernel_spec(o, l ? l->root_path : NULL, s)
		: o->form == NFS_ARCHISO ? archiso_spec(o, net->pxeserver, s)
					 : dracut_spec(o, l ? l->root_path : NULL, s);
	if (r < 0)
		return r;
	if (!s->server[0] && net->pxeserver[0] && strcmp(net->pxeserver, "0.0.0.0"))
		snprintf(s->server, sizeof(s->server), "%s", net->pxeserver);
	if (!s->server[0])
		return log_err(-EINVAL, "nfs %s: no server named, and none known from ip= or DHCP", s->path);
	char ip[INET_ADDRSTRLEN] = "";
	if (l)
		inet_ntop(AF_INET, &l->addr, ip, sizeof(ip));
	if (nfs_expand_path(s, l && l->hostname[0] ? l->hostname : ip) < 0)
		return log_err(-ENAMETOOLONG, "nfs %s: path too long once %%s is replaced", s->path);
	return 0;
}

/* archiso over NFS: the share read-only, its image checked and copied into RAM (the share then
 * unmounted), or with copytoram=n checked and used where it is. */
static int archiso_get(const struct source_ctx *ctx, const struct nfs_opts *o, const struct nfs_spec *s,
		       struct root *root)
{
	struct archiso_medium m = {.who = "nfs", .mode = o->copytoram, .ram_size = o->ram_size};
	int r = nfs_mount(s, true, o->timeout_s, client_of(ctx->net));
	if (r < 0 || (r = archiso_take(ctx, NFS_DIR, &m, root)) < 0) {
		umount_quiet(NFS_DIR);
		return r;
	}
	const char *name = strrchr(root->path, '/') + 1;
	if (root->copied) {
		umount_quiet(NFS_DIR); /* the copy is what boots */
		log_info("nfs: %s copied into RAM; the share is unmounted", name);
	} else {
		root->on_net = true;
		log_info("nfs: copytoram=n: %s is mounted from the share", name);
	}
	return 0;
}

/* Mount the export; ROOT is the directory, the root as it is or the overlay's lower layer (or
 * archiso's image on the share). */
static int nfs_get(const struct source_ctx *ctx, struct root *root)
{
	const struct nfs_opts *o = (const struct nfs_opts *)ctx->opts->b;
	const struct net_result *net = ctx->net;
	struct nfs_spec s;
	int r;
	if ((r = build_spec(o, net, &s)) < 0)
		return r;
	if ((r = mod_load("nfs")) < 0)
		return r;
	mod_load("nfsv4"); /* a kernel without one version still mounts the other; its line is out */
	mod_load("nfsv3");
	if (o->form == NFS_ARCHISO)
		return archiso_get(ctx, o, &s, root);
	bool ro = o->overlay || !(ctx->rw || nfs_opt_last(&s, "rw", "ro"));
	if ((r = nfs_mount(&s, ro, o->timeout_s, client_of(net))) < 0)
		return r;
	*root = (struct root){.kind = ROOT_DIR, .as_is = !o->overlay, .on_net = true};
	snprintf(root->path, sizeof(root->path), "%s", NFS_DIR);
	return 0;
}

/* The image copy and the share go. */
static void nfs_undo(void)
{
	umount_quiet(IMG_DIR);
	umount_quiet(NFS_DIR);
}

const struct source_io nfs_io = {
	.source = &nfs_source,
	.get = nfs_get,
	.undo = nfs_undo,
};
