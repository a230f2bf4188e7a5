/* http_opts.c - the HTTP source's options: archiso_http_srv= or root=live:URL, pxeroot.mirror=,
 * archiso_http_spc=; the image URL they make. No I/O: the download is http.c's. */
#include "source/http.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "url.h"

static_assert(sizeof(struct http_opts) <= SOURCE_OPTS_MAX, "http_opts fits in the plan");

/* The options in OPTS. */
const struct http_opts *http_opts(const struct source_opts *opts)
{
	return (const struct http_opts *)opts->b;
}

/* Build the image URL; *SPLIT is where the part a mirror replaces ends (after the '/' that ends
 * archiso_http_srv=, or after the last '/' of a live URL's path). */
int http_image_url(const struct source_ctx *ctx, const char *pxeserver, const char *machine, char *url, size_t cap,
		   size_t *split)
{
	const struct http_opts *o = http_opts(ctx->opts);
	const char *raw = o->live_url ? o->live_url : o->srv;
	char base[2048];
	size_t at;
	int r = url_expand_pxeserver(raw, pxeserver, base, sizeof(base));
	if (r == -ENXIO)
		return log_err(-EINVAL, "cmdline %s: uses ${pxeserver} but no boot server is known (DHCP next-server or the server field of ip=)", raw);
	if (r < 0)
		return log_err(r, "cmdline %s: URL too long", raw);
	bool slash = base[0] && base[strlen(base) - 1] == '/';
	if (o->live_url) {
		r = snprintf(url, cap, "%s", base);
		at = url_dir_len(base);
	} else { /* archiso wants the trailing '/'; supply it when it was left out */
		const struct layout *l = ctx->layout;
		r = snprintf(url, cap, "%s%s%s/%s/%s", base, slash ? "" : "/", l->basedir, l->arch ? l->arch : machine,
			     o->chunks ? LAYOUT_INDEX : layout_images[0].name);
		at = strlen(base) + !slash;
	}
	if (r < 0 || (size_t)r >= cap)
		return log_err(-ENAMETOOLONG, "cmdline %s: URL too long", raw);
	if (split)
		*split = at;
	return 0;
}

/* Whether the image is chunked (pxeroot.chunks=, or a live URL naming a .caibx), and its
 * pxeroot.store= list; -EINVAL after a line when they do not go together. */
static int chunks_claim(const struct cmdline *cl, struct http_opts *o)
{
	const char *s[MIRRORS_MAX];
	int r;
	if ((r = opt_bool(cl, OPT_CHUNKS, &o->chunks)) < 0)
		return r;
	size_t ns = opt_get_all(cl, OPT_STORE, s, MIRRORS_MAX);
	bool index = o->live_url && url_is_index(o->live_url);
	if (o->chunks && o->live_url && !index)
		return log_err(-EINVAL, "cmdline pxeroot.chunks=%s: root=live:%s names no casync index (.caibx)", opt_value(cl, OPT_CHUNKS),
			       o->live_url);
	o->chunks |= index;
	const char *lazy = opt_get(cl, OPT_LAZY);
	bool on = false;
	if (!strcmp(lazy, "auto"))
		o->lazy = LAZY_AUTO;
	else if ((r = opt_bool(cl, OPT_LAZY, &on)) < 0)
		return r;
	else
		o->lazy = on ? LAZY_YES : LAZY_NO;
	if ((r = opt_size(cl, OPT_CACHE, &o->cache)) < 0)
		return r;
	if (!o->chunks && (opt_value(cl, OPT_LAZY) || opt_value(cl, OPT_CACHE)))
		return log_err(-EINVAL, "cmdline %s: for a chunked image, but the image is not chunked (pxeroot.chunks=1 or root=live:URL.caibx)",
			       opt_value(cl, OPT_LAZY) ? "pxeroot.lazy=" : "pxeroot.cache=");
	if (ns && !o->chunks)
		return log_err(-EINVAL, "cmdline pxeroot.store=\"%s\": a chunk store, but the image is not chunked (pxeroot.chunks=1 or root=live:URL.caibx)", s[0]);
	if (ns + o->nmirrors > MIRRORS_MAX - 1)
		return log_err(-E2BIG, "cmdline pxeroot.store=\"%s\": more than %d stores and mirrors", s[ns - 1], MIRRORS_MAX - 1);
	for (size_t i = 0; i < ns; i++) {
		if (!url_is_http(s[i]))
			return log_err(-EINVAL, "cmdline pxeroot.store=\"%s\": not an http:// or https:// URL naming a host", s[i]);
		o->stores[o->nstores++] = s[i];
	}
	return 0;
}

/* archiso_http_srv= or root=live:URL, with pxeroot.mirror= and archiso_http_spc=. */
static int http_claim(const struct cmdline *cl, struct source_opts *opts)
{
	struct http_opts *o = (struct http_opts *)opts->b;
	const char *root = opt_get(cl, OPT_ROOT);
	const char *m[MIRRORS_MAX];
	int r;
	*o = (struct http_opts){.srv = opt_get(cl, OPT_ARCHISO_HTTP_SRV)};
	if (o->srv && !*o->srv)
		return log_err(-EINVAL, "cmdline archiso_http_srv=\"\": empty URL");
	if (o->srv && !url_is_http(o->srv))
		return log_err(-EINVAL, "cmdline archiso_http_srv=\"%s\": not an http:// or https:// URL naming a host", o->srv);
	if (root && !strncmp(root, "live:", 5) && strstr(root, "://")) { /* live:CDLABEL=… is a device */
		o->live_url = root + 5;
		if (!url_is_http(o->live_url))
			return log_err(-EINVAL, "cmdline root=\"%s\": only http:// and https:// live images (naming a host) are supported", root);
	}
	size_t n = opt_get_all(cl, OPT_MIRROR, m, MIRRORS_MAX);
	if (n > MIRRORS_MAX - 1)
		return log_err(-E2BIG, "cmdline pxeroot.mirror=\"%s\": more than %d mirrors", m[n - 1], MIRRORS_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		if (!url_is_http(m[i]))
			return log_err(-EINVAL, "cmdline pxeroot.mirror=\"%s\": not an http:// or https:// URL naming a host", m[i]);
		o->mirrors[o->nmirrors++] = m[i];
	}
	if ((r = opt_size(cl, OPT_ARCHISO_HTTP_SPC, &o->spc)) < 0 || (r = chunks_claim(cl, o)) < 0)
		return r;
	return o->srv || o->live_url;
}

/* The image URL, mirrors, transfer policy and checks. */
static void http_explain(const struct source_ctx *ctx)
{
	const struct http_opts *o = http_opts(ctx->opts);
	const struct fetch_config *f = ctx->fetch;
	if (o->live_url)
		log_info("plan: root image %s", o->live_url);
	else
		log_info("plan: root image %s%s/%s", o->srv, layout_shown(ctx->layout),
			 o->chunks ? LAYOUT_INDEX : layout_images[0].name);
	for (unsigned i = 0; i < o->nmirrors; i++)
		log_info("plan: mirror %u %s", i + 1, o->mirrors[i]);
	static const char *const lazy[] = {"fetched whole into the image tmpfs", "read as it is used (a disk served from memory, chunk cache %s)",
					   "fetched whole when it fits in RAM, else read as it is used (chunk cache %s)"};
	char how[160];
	snprintf(how, sizeof(how), lazy[o->lazy], o->cache);
	if (o->chunks)
		log_info("plan: the image is chunked: the index above, its chunks from the store beside it (.castr/)%s; %s",
			 o->nstores ? ", then each store below" : "", how);
	for (unsigned i = 0; i < o->nstores; i++)
		log_info("plan: store %u %s", i + 1, o->stores[i]);
	log_info("plan: transfers: connect timeout %u s, stall timeout %u s, %u attempts without progress, deadline %u s%s, proxy %s",
		 f->connect_s, f->stall_s, f->attempts, f->deadline_s, f->deadline_s ? "" : " (none)", f->proxy ? f->proxy : "none");
	log_info("plan: image tmpfs size %s", o->spc);
}

/* The image is checked while it downloads into the image tmpfs and never read from the network
 * again: every check covers what is mounted. A chunked image's checks cover its index, whose ids
 * every chunk is checked against before a byte of it is written or served. */
static const char *http_unchecked(const struct source_opts *opts)
{
	(void)opts;
	return NULL;
}

static const char *const http_modules[] = {"nbd", NULL}; /* a chunked image read lazily */

const struct source http_source = {
	.name = "http",
	.modules = http_modules,
	.options = "archiso_http_srv= or root=live:URL",
	.needs_net = true,
	.claim = http_claim,
	.explain = http_explain,
	.unchecked = http_unchecked,
};
