/* http.c - fetch the root image over HTTP(S) into a tmpfs, verifying it in the same pass.
 *
 * archiso: <archiso_http_srv><archisobasedir>/<arch>/airootfs.sfs, ${pxeserver} replaced by the
 * DHCP next-server (plain substitution, never a shell). dracut: root=live:<url>. Mirrors
 * (pxeroot.mirror=) stand in for archiso_http_srv=, or for the directory of a live URL. The download and
 * its checks are image_fetch()'s (an image served compressed is unpacked as it arrives, within
 * the budget below); a refused image is deleted and its tmpfs unmounted. */
#define _GNU_SOURCE
#include "source/http.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fetch/image.h"
#include "url.h"
#include "fsutil.h"
#include "log.h"
#include "meminfo.h"
#include "paths.h"
#include "net/net.h"
#include "plan.h"

/* Where the image can come from: base URLs and the path under each. */
struct http_src {
	struct mirrors m;
	char base[MIRRORS_MAX][2048];
	char path[2048];
};

static_assert(sizeof(struct http_opts) <= SOURCE_OPTS_MAX, "http_opts fits in the plan");

/* Build the image URL; *SPLIT is where the part a mirror replaces ends (after the '/' that ends
 * archiso_http_srv=, or after the last '/' of a live URL's path). */
static int image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap,
		     size_t *split)
{
	const struct http_opts *o = http_opts(plan);
	const char *raw = o->live_url ? o->live_url : o->srv;
	char base[2048];
	int r = url_expand_pxeserver(raw, pxeserver, base, sizeof(base));
	if (r == -ENXIO)
		return log_err(-EINVAL, "cmdline %s: uses ${pxeserver} but no boot server is known (DHCP next-server or the server field of ip=)", raw);
	if (r < 0)
		return log_err(r, "cmdline %s: URL too long", raw);
	bool slash = base[0] && base[strlen(base) - 1] == '/';
	if (o->live_url) {
		r = snprintf(url, cap, "%s", base);
		*split = url_dir_len(base);
	} else { /* archiso wants the trailing '/'; supply it when it was left out */
		r = snprintf(url, cap, "%s%s%s/%s/airootfs.sfs", base, slash ? "" : "/", plan->basedir,
			     plan->arch ? plan->arch : machine);
		*split = strlen(base) + !slash;
	}
	if (r < 0 || (size_t)r >= cap)
		return log_err(-ENAMETOOLONG, "cmdline %s: URL too long", raw);
	return 0;
}

/* Build the image URL. */
int http_image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap)
{
	size_t split;
	return image_url(plan, pxeserver, machine, url, cap, &split);
}

/* The image's mirror list into SRC: the base of URL (its first SPLIT bytes), then every
 * pxeroot.mirror= with ${pxeserver} replaced and a '/' ensured at its end. */
static int http_mirrors(const struct http_opts *o, const char *pxeserver, const char *url, size_t split,
			struct http_src *src)
{
	src->m = (struct mirrors){.n = 1};
	snprintf(src->base[0], sizeof(src->base[0]), "%.*s", (int)split, url);
	snprintf(src->path, sizeof(src->path), "%s", url + split);
	for (unsigned i = 0; i < o->nmirrors; i++) {
		char *b = src->base[src->m.n];
		int r = url_expand_pxeserver(o->mirrors[i], pxeserver, b, sizeof(src->base[0]) - 1);
		if (r < 0) {
			src->m.n = 0;
			return log_err(-EINVAL, "cmdline pxeroot.mirror=\"%s\": %s", o->mirrors[i],
				       r == -ENXIO ? "uses ${pxeserver} but no boot server is known" : "URL too long");
		}
		if (b[0] && b[strlen(b) - 1] != '/')
			strcat(b, "/");
		src->m.n++;
	}
	for (unsigned i = 0; i < src->m.n; i++)
		src->m.base[i] = src->base[i];
	return 0;
}

/* RAM budget, called with the size the server announced before any byte is kept: the image
 * must fit in the image tmpfs, and in the memory available with RAM_HEADROOM to spare. */
static int fits_in_ram(void *ctx, const char *url, uint64_t size)
{
	const struct http_opts *o = ctx;
	char who[2100], opt[80];
	snprintf(who, sizeof(who), "fetch %s", url);
	snprintf(opt, sizeof(opt), "archiso_http_spc=%s", o->spc);
	return image_fits_ram(who, size, opt);
}

#define MIB (1024.0 * 1024.0)

/* Lower *NEXT to AT. */
static void ask_by(uint64_t *next, uint64_t at)
{
	if (at < *next)
		*next = at;
}

/* The budget of an image unpacked while it arrives (fetch_req.on_unpacked): what is written
 * already sits in the image tmpfs, so the tmpfs must hold UNPACKED and the RAM still available
 * must keep RAM_HEADROOM; *NEXT is lowered to where the room ends, so the next call comes before
 * a write could fail. */
static int unpacked_fits(void *ctx, const char *url, uint64_t served, uint64_t unpacked, uint64_t *next)
{
	const struct http_opts *o = ctx;
	struct statvfs vfs;
	uint64_t total_kb, avail_kb;
	if (statvfs(IMG_DIR, &vfs) == 0) {
		uint64_t cap = (uint64_t)vfs.f_blocks * vfs.f_frsize;
		if (unpacked > cap)
			return log_err(-EFBIG, "fetch %s: the image unpacks to more than the %.1f MiB the image tmpfs holds (archiso_http_spc=%s; %.1f MiB served so far)",
				       url, (double)cap / MIB, o->spc, (double)served / MIB);
		ask_by(next, cap);
	}
	if (meminfo(&total_kb, &avail_kb) == 0) {
		uint64_t avail = avail_kb * 1024;
		if (avail < RAM_HEADROOM)
			return log_err(-EFBIG, "fetch %s: the image unpacks to at least %.1f MiB (%.1f MiB served so far) and %.1f MiB of RAM are left, less than the %.0f MiB kept for the overlay and buffers",
				       url, (double)unpacked / MIB, (double)served / MIB, (double)avail / MIB, (double)RAM_HEADROOM / MIB);
		ask_by(next, unpacked + (avail - RAM_HEADROOM));
	}
	return 0;
}

/* archiso's fallback: when airootfs.sfs is missing (404 from every base) and airootfs.erofs is
 * there, switch SRC's path and PATH (CAP bytes) to it. Asked only after the .sfs fetch failed
 * (its companions come first, so the failure may name them), so a normal boot makes no extra
 * request. */
static bool erofs_instead(const struct fetch_config *cfg, struct http_src *src, char *path, size_t cap)
{
	size_t n = strlen(src->path), ext = sizeof(".sfs") - 1;
	struct fetch_req sfs = {.cfg = cfg, .m = &src->m, .path = src->path, .head = true};
	if (n < ext || strcmp(src->path + n - ext, ".sfs") || n - ext + sizeof(".erofs") > sizeof(src->path) ||
	    fetch_file(&sfs) != -ENOENT)
		return false;
	char erofs[sizeof(src->path)];
	snprintf(erofs, sizeof(erofs), "%.*s.erofs", (int)(n - ext), src->path);
	struct fetch_req probe = {.cfg = cfg, .m = &src->m, .path = erofs, .head = true};
	if (fetch_file(&probe) < 0)
		return false;
	log_info("fetch: no airootfs.sfs, using %s", probe.url);
	memcpy(src->path, erofs, sizeof(erofs));
	char *slash = strrchr(path, '/');
	if (slash)
		snprintf(slash + 1, cap - (size_t)(slash + 1 - path), "airootfs.erofs");
	return true;
}

/* Log how much memory the download of IMAGE took beyond the image as kept (unpacked, when it
 * came compressed). */
static void memory_line(const struct fetch_req *rq, const char *image, uint64_t idle_kb)
{
	struct stat st;
	uint64_t img = (stat(image, &st) == 0 ? (uint64_t)st.st_size : rq->size) / 1024, peak = rq->mem_peak_kb > idle_kb ? rq->mem_peak_kb - idle_kb : 0;
	log_info("memory: %" PRIu64 " KiB in use before the download, %" PRIu64 " KiB more at most during it, for a %" PRIu64 " KiB image (%+" PRId64 " KiB over the image)",
		 idle_kb, peak, img, (int64_t)peak - (int64_t)img);
}

/* The file name at the end of SRC's path into NAME (CAP bytes). */
static int image_name(const struct http_src *src, char *name, size_t cap)
{
	if (url_basename(src->path, name, cap) < 0)
		return log_err(-EINVAL, "fetch %s: no file name in the URL", src->base[0]);
	return 0;
}

/* The image into the image tmpfs, checked in the same pass; ROOT names the file. */
static int http_get(const struct plan *plan, const struct net_result *net, struct root *root)
{
	const struct http_opts *o = http_opts(plan);
	char url[2048], name[256];
	size_t split;
	static struct http_src src; /* mirror marks persist across retries of the stage */
	int r = image_url(plan, net->pxeserver, plan_machine(), url, sizeof(url), &split);
	if (r < 0 || (!src.m.n && (r = http_mirrors(o, net->pxeserver, url, split, &src)) < 0) ||
	    (r = image_name(&src, name, sizeof(name))) < 0) /* src.path: the .erofs after a fallback */
		return r;
	*root = (struct root){.kind = ROOT_IMAGE};
	if (plan_archiso(plan, root->archiso, sizeof(root->archiso)) < 0)
		return log_err(-ENAMETOOLONG, "cmdline archisobasedir=\"%s\" arch=\"%s\": path too long", plan->basedir,
			       plan->arch ? plan->arch : "");
	uint64_t idle_kb = mem_used_kb();
	if ((r = mount_tmpfs(IMG_DIR, o->spc, "image")) < 0)
		return r;
	snprintf(root->path, sizeof(root->path), "%s/%s", IMG_DIR, name);
	struct fetch_req rq = {.cfg = &plan->fetch, .m = &src.m, .path = src.path, .label = name, .on_size = fits_in_ram,
			       .on_unpacked = unpacked_fits, .ctx = (void *)o};
	r = image_fetch(&rq, &plan->trust, root->path);
	if (r < 0 && !o->live_url && erofs_instead(&plan->fetch, &src, root->path, sizeof(root->path)) &&
	    (r = image_name(&src, name, sizeof(name))) == 0)
		r = image_fetch(&rq, &plan->trust, root->path);
	if (r < 0) {
		umount_quiet(IMG_DIR);
		return r;
	}
	memory_line(&rq, root->path, idle_kb);
	return 0;
}

/* The image tmpfs goes. */
static void http_undo(void)
{
	umount_quiet(IMG_DIR);
}

/* A base URL option V (NAME=) must be http:// or https:// and name a host (a loader that expanded a
 * variable it did not know, "http:///arch", leaves none). */
static bool http_url(const char *v)
{
	size_t at = !strncmp(v, "http://", 7) ? 7 : !strncmp(v, "https://", 8) ? 8 : 0;
	return at && v[at] && !strchr("/?#@:", v[at]);
}

/* archiso_http_srv= or root=live:URL, with pxeroot.mirror= and archiso_http_spc=. */
static int http_claim(const struct cmdline *cl, struct source_opts *opts)
{
	struct http_opts *o = (struct http_opts *)opts->b;
	const char *root = cmdline_get(cl, "root");
	const char *m[MIRRORS_MAX];
	int r;
	*o = (struct http_opts){.srv = cmdline_get(cl, "archiso_http_srv"), .spc = cmdline_get(cl, "archiso_http_spc")};
	if (o->srv && !*o->srv)
		return log_err(-EINVAL, "cmdline archiso_http_srv=\"\": empty URL");
	if (o->srv && !http_url(o->srv))
		return log_err(-EINVAL, "cmdline archiso_http_srv=\"%s\": not an http:// or https:// URL naming a host", o->srv);
	if (root && !strncmp(root, "live:", 5) && strstr(root, "://")) { /* live:CDLABEL=… is a device */
		o->live_url = root + 5;
		if (!http_url(o->live_url))
			return log_err(-EINVAL, "cmdline root=\"%s\": only http:// and https:// live images (naming a host) are supported", root);
	}
	size_t n = cmdline_get_all(cl, "pxeroot.mirror", m, MIRRORS_MAX);
	if (n > MIRRORS_MAX - 1)
		return log_err(-E2BIG, "cmdline pxeroot.mirror=\"%s\": more than %d mirrors", m[n - 1], MIRRORS_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		if (!http_url(m[i]))
			return log_err(-EINVAL, "cmdline pxeroot.mirror=\"%s\": not an http:// or https:// URL naming a host", m[i]);
		o->mirrors[o->nmirrors++] = m[i];
	}
	if (!o->spc)
		o->spc = "75%";
	if ((r = plan_check_size("archiso_http_spc", o->spc)) < 0)
		return r;
	return o->srv || o->live_url;
}

/* The image URL, mirrors, transfer policy and checks. */
static void http_explain(const struct plan *plan)
{
	const struct http_opts *o = http_opts(plan);
	const struct fetch_config *f = &plan->fetch;
	if (o->live_url)
		log_info("plan: root image %s", o->live_url);
	else
		log_info("plan: root image %s%s/%s/airootfs.sfs", o->srv, plan->basedir, plan->arch ? plan->arch : "<machine>");
	for (unsigned i = 0; i < o->nmirrors; i++)
		log_info("plan: mirror %u %s", i + 1, o->mirrors[i]);
	log_info("plan: transfers: connect timeout %u s, stall timeout %u s, %u attempts without progress, deadline %u s%s, proxy %s",
		 f->connect_s, f->stall_s, f->attempts, f->deadline_s, f->deadline_s ? "" : " (none)", f->proxy ? f->proxy : "none");
	log_info("plan: image tmpfs size %s", o->spc);
}

/* The options in PLAN. */
const struct http_opts *http_opts(const struct plan *plan)
{
	return (const struct http_opts *)plan->src_opts.b;
}

/* The image is checked while it downloads into the image tmpfs and never read from the network
 * again: every check covers what is mounted. */
static const char *http_unchecked(const struct source_opts *opts)
{
	(void)opts;
	return NULL;
}

const struct source http_source = {
	.name = "http",
	.options = "archiso_http_srv= or root=live:URL",
	.needs_net = true,
	.claim = http_claim,
	.get = http_get,
	.undo = http_undo,
	.explain = http_explain,
	.unchecked = http_unchecked,
};
