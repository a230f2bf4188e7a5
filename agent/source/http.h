/* http.h - the root image over HTTP(S): archiso_http_srv= and root=live:URL */
#ifndef PXEROOT_SOURCE_HTTP_H
#define PXEROOT_SOURCE_HTTP_H

#include <stddef.h>

#include "../net/net.h"
#include "../plan.h"

/* Compose the image URL for PLAN (archiso layout or the live URL), with ${pxeserver} replaced by
 * PXESERVER. 0, or -EINVAL (logged) when it cannot be built. */
int http_image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap);
/* The checksum list URL for IMAGE_URL: the last extension of the file name replaced by .sha512
 * (airootfs.sfs -> airootfs.sha512). */
int http_sha512_url(const char *image_url, char *url, size_t cap);
/* The file name at the end of URL (query and fragment removed) into NAME. */
int url_basename(const char *url, char *name, size_t cap);
/* Download and verify the image into the image tmpfs; its path into PATH. On failure nothing is
 * left behind (file removed, tmpfs unmounted). */
int http_get_root(const struct plan *plan, const struct net_result *net, char *path, size_t cap);

#endif
