/* http.h - the root image over HTTP(S): archiso_http_srv= and root=live:URL */
#ifndef PXEROOT_SOURCE_HTTP_H
#define PXEROOT_SOURCE_HTTP_H

#include <stddef.h>

#include "fetch/fetch.h"
#include "plan.h"
#include "source/source.h"

/* The options of the HTTP source, as its claim read them. */
struct http_opts {
	const char *srv;      /* archiso_http_srv= (raw, may hold ${pxeserver}) */
	const char *live_url; /* root=live:<url> */
	const char *spc;      /* archiso_http_spc=: the image tmpfs size (default 75%) */
	const char *mirrors[MIRRORS_MAX - 1]; /* pxeroot.mirror= (repeatable), tried in order */
	unsigned nmirrors;
};

extern const struct source http_source;

/* The HTTP source's options in PLAN (which it must have claimed). */
const struct http_opts *http_opts(const struct plan *plan);
/* Compose the image URL for PLAN (archiso layout or the live URL), with ${pxeserver} replaced by
 * PXESERVER and MACHINE standing in for an absent arch=. 0, or -EINVAL (logged) when it cannot be
 * built. */
int http_image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap);

#endif
