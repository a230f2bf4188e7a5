/* http.h - the root image over HTTP(S): archiso_http_srv= and root=live:URL */
#ifndef PXEROOT_SOURCE_HTTP_H
#define PXEROOT_SOURCE_HTTP_H

#include <stddef.h>

#include "fetch/fetch.h"
#include "net/net.h"
#include "plan.h"

#define RAM_HEADROOM (32ull << 20) /* beyond the image: the overlay's first writes, buffers */

/* Where the image can come from: base URLs and the path under each. */
struct http_src {
	struct mirrors m;
	char base[MIRRORS_MAX][2048];
	char path[2048];
};

/* Compose the image URL for PLAN (archiso layout or the live URL), with ${pxeserver} replaced by
 * PXESERVER. 0, or -EINVAL (logged) when it cannot be built. */
int http_image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap);
/* Download and verify the image into the image tmpfs; its path into PATH. On failure nothing is
 * left behind (file removed, tmpfs unmounted). */
int http_get_root(const struct plan *plan, const struct net_result *net, char *path, size_t cap);

#endif
