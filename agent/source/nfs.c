/* nfs.c - the NFS root source: an NFS export as the root, or the share holding archiso's image.
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
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "modules.h"
#include "net/net.h"
#include "paths.h"
#include "plan.h"
#include "source/archiso.h"
#include "source/nfs_mount.h"
#include "source/nfs_spec.h"
#include "url.h"

#define NFS_TIMEOUT_S 60   /* default pxeroot.nfs_timeout= */

static_assert(sizeof(struct nfs_opts) <= SOURCE_OPTS_MAX, "nfs_opts fits in the plan");

static const char *const nfs_modules[] = {"nfs", "nfsv3", "nfsv4", NULL};

/* The options in PLAN. */
static const struct nfs_opts *opts_of(const struct plan *plan)
{
	return (const struct nfs_opts *)plan->src_opts.b;
}

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

/* The whole spec for PLAN after the network stage: syntax, server default, %s. */
static int build_spec(const struct plan *plan, const struct net_result *net, struct nfs_spec *s)
{
	const struct nfs_opts *o = opts_of(plan);
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
static int archiso_get(const struct plan *plan, const struct nfs_opts *o, const struct nfs_spec *s,
		       const struct net_result *net, struct root *root)
{
	struct archiso_medium m = {.who = "nfs", .mode = o->copytoram, .ram_size = o->ram_size};
	int r = nfs_mount(s, true, o->timeout_s, client_of(net));
	if (r < 0 || (r = archiso_take(plan, NFS_DIR, &m, root)) < 0) {
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
static int nfs_get(const struct plan *plan, const struct net_result *net, struct root *root)
{
	const struct nfs_opts *o = opts_of(plan);
	struct nfs_spec s;
	int r;
	if ((r = build_spec(plan, net, &s)) < 0)
		return r;
	if ((r = mod_load("nfs")) < 0)
		return r;
	mod_load("nfsv4"); /* a kernel without one version still mounts the other; its line is out */
	mod_load("nfsv3");
	if (o->form == NFS_ARCHISO)
		return archiso_get(plan, o, &s, net, root);
	bool ro = o->overlay || !(plan->mount.rw || nfs_opt_last(&s, "rw", "ro"));
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

/* archiso_nfs_srv= (its syntax checked with ${pxeserver} standing for an address),
 * archiso_nfs_opt=, copytoram= (y, n or auto; auto copies, as archiso does for a share) and
 * copytoram_size=. */
static int archiso_claim(const struct cmdline *cl, struct nfs_opts *o)
{
	char srv[NFS_SERVER_MAX + NFS_PATH_MAX], why[160] = "";
	struct nfs_spec s;
	if (url_expand_pxeserver(o->value, "0.0.0.0", srv, sizeof(srv)) < 0 ||
	    nfs_parse_archiso(srv, o->archiso_opt, &s, why, sizeof(why)) < 0)
		return log_err(-EINVAL, "cmdline archiso_nfs_srv=\"%s\"%s%s%s: %s", o->value, o->archiso_opt ? " archiso_nfs_opt=\"" : "",
			       o->archiso_opt ? o->archiso_opt : "", o->archiso_opt ? "\"" : "", why[0] ? why : "too long");
	return archiso_claim_copy(cl, COPY_Y, &o->copytoram, &o->ram_size);
}

/* root=/dev/nfs (nfsroot=), root=nfs:/nfs4:/nfs://, root=dhcp; checked here, completed with what
 * the network stage learns. */
static int nfs_claim(const struct cmdline *cl, struct source_opts *opts)
{
	struct nfs_opts *o = (struct nfs_opts *)opts->b;
	const char *root = cmdline_get(cl, "root");
	struct nfs_spec s;
	char why[160];
	int r;
	*o = (struct nfs_opts){.timeout_s = NFS_TIMEOUT_S, .copytoram = COPY_Y, .ram_size = "75%"};
	const char *srv = cmdline_get(cl, "archiso_nfs_srv");
	if (srv) {
		o->form = NFS_ARCHISO;
		o->value = srv;
		o->archiso_opt = cmdline_get(cl, "archiso_nfs_opt");
		if ((r = archiso_claim(cl, o)) < 0)
			return r;
	} else if (!root) {
		return 0;
	} else if (!strcmp(root, "/dev/nfs")) {
		o->form = NFS_KERNEL;
		o->value = cmdline_get(cl, "nfsroot");
		if (o->value && nfs_parse_kernel(o->value, &s, why, sizeof(why)) < 0)
			return log_err(-EINVAL, "cmdline nfsroot=\"%s\": %s", o->value, why);
	} else if (!strcmp(root, "dhcp")) {
		o->form = NFS_DHCP;
	} else if ((r = nfs_parse_dracut(root, &s, why, sizeof(why))) != -ENOENT) {
		if (r < 0)
			return log_err(-EINVAL, "cmdline root=\"%s\": %s", root, why);
		o->form = NFS_DRACUT;
		o->value = root;
	} else {
		return 0;
	}
	if ((r = plan_get_bool(cl, "rd.live.overlay.overlayfs", &o->overlay)) < 0 ||
	    (r = plan_get_bool(cl, "pxeroot.overlay", &o->overlay)) < 0 ||
	    (r = plan_get_uint(cl, "pxeroot.nfs_timeout", 3600, &o->timeout_s)) < 0)
		return r;
	if (!o->timeout_s)
		return log_err(-EINVAL, "cmdline pxeroot.nfs_timeout=0: must be at least 1");
	return 1;
}

/* The export as written, and how it is mounted. */
static void nfs_explain(const struct plan *plan)
{
	const struct nfs_opts *o = opts_of(plan);
	static const char *const form[] = {"kernel nfsroot", "dracut", "dracut root=dhcp", "archiso"};
	log_info("plan: root NFS (%s syntax) %s", form[o->form], o->value ? o->value : "from DHCP option 17 (root-path)");
	if (o->form == NFS_ARCHISO)
		log_info("plan: archiso image on the share (read-only) under %s/%s, %s", plan->basedir,
			 plan->arch ? plan->arch : "<machine>", o->copytoram ? "copied into RAM" : "mounted from the share (copytoram=n)");
	else
		log_info("plan: NFS export %s", o->overlay ? "read-only under a tmpfs overlay" : "as the root itself");
	log_info("plan: each NFS mount attempt at most %u s", o->timeout_s);
}

/* An export is the root as it is: no file there for a check to cover. archiso's image on a share
 * is checked while it is copied into RAM; with copytoram=n it would be read from the server again. */
static const char *nfs_unchecked(const struct source_opts *opts)
{
	const struct nfs_opts *o = (const struct nfs_opts *)opts->b;
	if (o->form != NFS_ARCHISO)
		return "an NFS export is the root as it is, with no image file to check (archiso_nfs_srv= boots a checked image from a share)";
	if (o->copytoram == COPY_N)
		return "with copytoram=n the image would be read from the share again after its checks (copytoram=y boots the checked copy)";
	return NULL;
}

const struct source nfs_source = {
	.name = "nfs",
	.options = "archiso_nfs_srv=, root=/dev/nfs, root=nfs:, nfs4:, nfs:// or root=dhcp",
	.needs_net = true,
	.modules = nfs_modules,
	.claim = nfs_claim,
	.get = nfs_get,
	.undo = nfs_undo,
	.explain = nfs_explain,
	.unchecked = nfs_unchecked,
};
