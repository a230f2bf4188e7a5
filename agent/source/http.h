/* http.h - the root image over HTTP(S): archiso_http_srv= and root=live:URL */
#ifndef PXEROOT_SOURCE_HTTP_H
#define PXEROOT_SOURCE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch/fetch.h"
#include "source/source.h"

/* The options of the HTTP source, as its claim read them. */
struct http_opts {
	const char *srv;      /* archiso_http_srv= (raw, may hold ${pxeserver}) */
	const char *live_url; /* root=live:<url> */
	const char *spc;      /* archiso_http_spc=: the image tmpfs size (default 75%) */
	const char *mirrors[MIRRORS_MAX - 1]; /* pxeroot.mirror= (repeatable), tried in order */
	unsigned nmirrors;
	bool chunks;          /* the URL is a casync index (pxeroot.chunks=, or root=live:….caibx) */
	const char *stores[MIRRORS_MAX - 1]; /* pxeroot.store= (repeatable): chunk stores after the index's own */
	unsigned nstores;
	enum { LAZY_NO, LAZY_YES, LAZY_AUTO } lazy; /* pxeroot.lazy= */
	const char *cache;    /* pxeroot.cache=: the lazy image's chunk cache (tmpfs size syntax) */
};

extern const struct source http_source;  /* http_opts.c */
extern const struct source_io http_io;   /* http.c */

/* The HTTP source's options in OPTS (which it must have claimed). */
const struct http_opts *http_opts(const struct source_opts *opts);
/* Compose the image URL for CTX (archiso layout or the live URL), with ${pxeserver} replaced by
 * PXESERVER and MACHINE standing in for an absent arch=; *SPLIT (when not NULL) is where the part
 * a mirror replaces ends. 0, or -EINVAL (logged) when it cannot be built. */
int http_image_url(const struct source_ctx *ctx, const char *pxeserver, const char *machine, char *url, size_t cap,
		   size_t *split);

#endif
