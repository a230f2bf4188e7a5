/* nfs_opts.c - the NFS source's options: root=/dev/nfs with nfsroot=, dracut's root=nfs:, nfs4:,
 * nfs:// and root=dhcp, archiso_nfs_srv= with archiso_nfs_opt=, copytoram=, pxeroot.overlay=,
 * pxeroot.nfs_timeout=. Checked here, completed by nfs.c with what the network stage learns. */
#include "source/nfs.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "source/nfs_spec.h"
#include "url.h"

static_assert(sizeof(struct nfs_opts) <= SOURCE_OPTS_MAX, "nfs_opts fits in the plan");

static const char *const nfs_modules[] = {"nfs", "nfsv3", "nfsv4", NULL};

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
	return copytoram_claim(cl, COPY_Y, &o->copytoram, &o->ram_size);
}

/* root=/dev/nfs (nfsroot=), root=nfs:/nfs4:/nfs://, root=dhcp; checked here, completed with what
 * the network stage learns. */
static int nfs_claim(const struct cmdline *cl, struct source_opts *opts)
{
	struct nfs_opts *o = (struct nfs_opts *)opts->b;
	const char *root = opt_get(cl, OPT_ROOT);
	struct nfs_spec s;
	char why[160];
	int r;
	*o = (struct nfs_opts){.copytoram = COPY_Y, .ram_size = options[OPT_COPYTORAM_SIZE].def};
	const char *srv = opt_get(cl, OPT_ARCHISO_NFS_SRV);
	if (srv) {
		o->form = NFS_ARCHISO;
		o->value = srv;
		o->archiso_opt = opt_get(cl, OPT_ARCHISO_NFS_OPT);
		if ((r = archiso_claim(cl, o)) < 0)
			return r;
	} else if (!root) {
		return 0;
	} else if (!strcmp(root, "/dev/nfs")) {
		o->form = NFS_KERNEL;
		o->value = opt_get(cl, OPT_NFSROOT);
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
	if ((r = opt_bool(cl, OPT_LIVE_OVERLAYFS, &o->overlay)) < 0 ||
	    (r = opt_bool(cl, OPT_OVERLAY, &o->overlay)) < 0 ||
	    (r = opt_uint(cl, OPT_NFS_TIMEOUT, &o->timeout_s)) < 0)
		return r;
	if (!o->timeout_s)
		return log_err(-EINVAL, "cmdline pxeroot.nfs_timeout=0: must be at least 1");
	return 1;
}

/* The export as written, and how it is mounted. */
static void nfs_explain(const struct source_ctx *ctx)
{
	const struct nfs_opts *o = (const struct nfs_opts *)ctx->opts->b;
	static const char *const form[] = {"kernel nfsroot", "dracut", "dracut root=dhcp", "archiso"};
	log_info("plan: root NFS (%s syntax) %s", form[o->form], o->value ? o->value : "from DHCP option 17 (root-path)");
	if (o->form == NFS_ARCHISO)
		log_info("plan: archiso image on the share (read-only) under %s, %s", layout_shown(ctx->layout),
			 o->copytoram ? "copied into RAM" : "mounted from the share (copytoram=n)");
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
	.explain = nfs_explain,
	.unchecked = nfs_unchecked,
};
