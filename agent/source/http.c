/* http.c - the HTTP source's I/O: fetch the root image over HTTP(S) into a tmpfs, verifying it in
 * the same pass.
 *
 * archiso: <archiso_http_srv><archisobasedir>/<arch>/airootfs.sfs, ${pxeserver} replaced by the
 * DHCP next-server (plain substitution, never a shell). dracut: root=live:<url>. Mirrors
 * (pxeroot.mirror=) stand in for archiso_http_srv=, or for the directory of a live URL. The download and
 * its checks are image_fetch()'s (an image served compressed is unpacked as it arrives, within
 * the budget below); a refused image is deleted and its tmpfs unmounted. */
#define _GNU_SOURCE
#include "source/http.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fetch/chunked.h"
#include "fetch/image.h"
#include "modules.h"
#include "serve/serve.h"
#include "url.h"
#include "fsutil.h"
#include "log.h"
#include "meminfo.h"
#include "paths.h"
#include "report.h"
#include "net/net.h"

/* Where the image can come from: base URLs and the path under each. */
struct http_src {
	struct mirrors m;
	char base[MIRRORS_MAX][2048];
	char path[2048];
};



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

/* archiso's fallback: when the layout's first image (airootfs.sfs) is missing (404 from every
 * base) and its second (airootfs.erofs) is there, switch SRC's path and PATH (CAP bytes) to it.
 * Asked only after the first fetch failed (its companions come first, so the failure may name
 * them), so a normal boot makes no extra request. */
static bool erofs_instead(const struct fetch_config *cfg, struct http_src *src, char *path, size_t cap)
{
	const char *sfs = layout_images[0].name, *erofs = layout_images[1].name;
	size_t n = strlen(src->path), ext = strlen(sfs);
	struct fetch_req first = {.cfg = cfg, .m = &src->m, .path = src->path, .head = true};
	if (n < ext || strcmp(src->path + n - ext, sfs) || n - ext + strlen(erofs) >= sizeof(src->path) ||
	    fetch_file(&first) != -ENOENT)
		return false;
	char other[sizeof(src->path)];
	snprintf(other, sizeof(other), "%.*s%s", (int)(n - ext), src->path, erofs);
	struct fetch_req probe = {.cfg = cfg, .m = &src->m, .path = other, .head = true};
	if (fetch_file(&probe) < 0)
		return false;
	log_info("fetch: no %s, using %s", sfs, probe.url);
	memcpy(src->path, other, sizeof(other));
	char *slash = strrchr(path, '/');
	if (slash)
		snprintf(slash + 1, cap - (size_t)(slash + 1 - path), "%s", erofs);
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

/* The chunk stores of SRC's index into ST (their text in B): pxeroot.store= with ${pxeserver}
 * replaced, placed by chunked_stores. */
static int chunk_stores(const struct http_opts *o, const char *pxeserver, const struct http_src *src, struct mirrors *st,
			char (*b)[2048])
{
	char extra[MIRRORS_MAX][2048];
	const char *x[MIRRORS_MAX];
	for (unsigned i = 0; i < o->nstores; i++) {
		if (url_expand_pxeserver(o->stores[i], pxeserver, extra[i], sizeof(extra[i])) < 0)
			return log_err(-EINVAL, "cmdline pxeroot.store=\"%s\": uses ${pxeserver} but no boot server is known, or is too long",
				       o->stores[i]);
		x[i] = extra[i];
	}
	return chunked_stores(&src->m, src->path, x, o->nstores, st, b);
}

/* Whether the chunked image of IX is read lazily: asked, or (auto) it would not fit in RAM. */
static bool lazily(const struct http_opts *o, const struct ca_index *ix, const char *url)
{
	char why[300];
	if (o->lazy != LAZY_AUTO)
		return o->lazy == LAZY_YES;
	if (image_room(ix->size, o->spc, why, sizeof(why)) == 0)
		return false;
	log_info("fetch %s: %s; reading it as it is used (pxeroot.lazy=auto)", url, why);
	return true;
}

/* The chunked image of IX (its index's bytes RAW, LEN) served as a disk from its stores ST:
 * ROOT is that disk, read from the network as the root is used. */
static int http_lazy(const struct source_ctx *ctx, const struct ca_index *ix, const struct mirrors *st, const uint8_t *raw,
		     size_t len, struct root *root)
{
	const struct http_opts *o = http_opts(ctx->opts);
	struct serve_req sr = {.cfg = ctx->fetch, .stores = st, .index = raw, .index_len = len, .cache_max = mem_size_bytes(o->cache)};
	int r = mod_load("nbd");
	if (r < 0 || (r = serve_start(&sr, root->path, sizeof(root->path))) < 0)
		return r;
	root->kind = ROOT_BLOCK;
	root->on_net = true;
	log_info("fetch: %zu chunks of %.1f MiB, read as they are used from %s%s (chunk cache %s, %.1f MiB)", ix->n, ix->size / 1048576.0,
		 st->base[0], st->n > 1 ? " and other stores" : "", o->cache, sr.cache_max / 1048576.0);
	return 0;
}

/* A chunked image: the index into the image tmpfs with every check; then every chunk into the
 * image file beside it, which ROOT names, or (lazily) the image served as a disk. */
static int http_chunked(const struct source_ctx *ctx, struct http_src *src, struct root *root, const char *name)
{
	const struct http_opts *o = http_opts(ctx->opts);
	static char bases[MIRRORS_MAX][2048];
	struct mirrors stores;
	struct ca_index ix = {0};
	uint8_t *raw = NULL;
	size_t len = 0;
	char index[600], label[256];
	size_t n = strlen(name) - strlen(URL_INDEX_SUFFIX);
	snprintf(label, sizeof(label), "%.*s", (int)n, name);
	snprintf(index, sizeof(index), "%s/%s", IMG_DIR, name);
	snprintf(root->path, sizeof(root->path), "%s/%s", IMG_DIR, label);
	struct fetch_req rq = {.cfg = ctx->fetch, .m = &src->m, .path = src->path};
	int r = chunk_stores(o, ctx->net->pxeserver, src, &stores, bases);
	if (r == 0) {
		r = chunked_index(&rq, ctx->trust, index, &ix, &raw, &len);
		report_fetched(ctx->facts, rq.url, 0);
	}
	if (r < 0)
		return r;
	if (lazily(o, &ix, rq.url))
		r = http_lazy(ctx, &ix, &stores, raw, len, root);
	else if ((r = fits_in_ram((void *)o, rq.url, ix.size)) == 0) {
		struct chunks_req cr = {.cfg = ctx->fetch, .stores = &stores, .ix = &ix};
		log_info("fetch %s: %zu chunks from %s%s", rq.url, ix.n, stores.base[0], stores.n > 1 ? " and other stores" : "");
		if ((r = chunked_fetch(&cr, root->path, label)) == 0)
			log_mark("download");
		report_chunks(ctx->facts, &cr);
	}
	ca_index_free(&ix);
	free(raw);
	return r;
}

/* The image into the image tmpfs, checked in the same pass; ROOT names the file. */
static int http_get(const struct source_ctx *ctx, struct root *root)
{
	const struct http_opts *o = http_opts(ctx->opts);
	const char *pxeserver = ctx->net->pxeserver;
	char url[2048], name[256];
	size_t split;
	static struct http_src src; /* mirror marks persist across retries of the stage */
	int r = http_image_url(ctx, pxeserver, layout_machine(), url, sizeof(url), &split);
	if (r < 0 || (!src.m.n && (r = http_mirrors(o, pxeserver, url, split, &src)) < 0) ||
	    (r = image_name(&src, name, sizeof(name))) < 0) /* src.path: the .erofs after a fallback */
		return r;
	*root = (struct root){.kind = ROOT_IMAGE};
	if ((r = layout_dir(ctx->layout, root->archiso, sizeof(root->archiso))) < 0)
		return r;
	uint64_t idle_kb = mem_used_kb();
	if ((r = mount_tmpfs(IMG_DIR, o->spc, "image")) < 0)
		return r;
	if (o->chunks) {
		if ((r = http_chunked(ctx, &src, root, name)) < 0)
			umount_quiet(IMG_DIR);
		return r;
	}
	snprintf(root->path, sizeof(root->path), "%s/%s", IMG_DIR, name);
	struct fetch_req rq = {.cfg = ctx->fetch, .m = &src.m, .path = src.path, .label = name, .on_size = fits_in_ram,
			       .on_unpacked = unpacked_fits, .ctx = (void *)o};
	r = image_fetch(&rq, ctx->trust, root->path);
	if (r < 0 && !o->live_url && erofs_instead(ctx->fetch, &src, root->path, sizeof(root->path)) &&
	    (r = image_name(&src, name, sizeof(name))) == 0)
		r = image_fetch(&rq, ctx->trust, root->path);
	report_fetched(ctx->facts, rq.url[0] ? rq.url : url, rq.size);
	if (r < 0) {
		umount_quiet(IMG_DIR);
		return r;
	}
	memory_line(&rq, root->path, idle_kb);
	return 0;
}

/* The image tmpfs goes, and the server of a lazy image. */
static void http_undo(void)
{
	serve_stop();
	umount_quiet(IMG_DIR);
}

const struct source_io http_io = {
	.source = &http_source,
	.get = http_get,
	.undo = http_undo,
};
