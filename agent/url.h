/* url.h - names in URLs and paths: file name, directory, companion files */
#ifndef PXEROOT_URL_H
#define PXEROOT_URL_H

#include <stdbool.h>
#include <stddef.h>

/* The checksum list URL for IMAGE_URL: the last extension of the file name replaced by .sha512
 * (airootfs.sfs -> airootfs.sha512), the query kept after it. */
int image_sha512_url(const char *image_url, char *url, size_t cap);
/* The URL of a companion of IMAGE_URL, built on its path: SUFFIX appended to the file name
 * (".sig", ".cms.sig"), or, when SUFFIX is NULL, the sha512 list rule above; a query follows it
 * as it was, a fragment is dropped (a.sfs?v=1#x -> a.sfs.sig?v=1, a.sha512?v=1). 0 or
 * -ENAMETOOLONG. */
int image_companion_url(const char *image_url, const char *suffix, char *url, size_t cap);
/* Length of URL's directory part: up to and including the last '/' before any query. */
size_t url_dir_len(const char *url);
/* The file name at the end of URL (query and fragment removed) into NAME. */
int url_basename(const char *url, char *name, size_t cap);
/* Copy SRC to OUT with every "${pxeserver}" replaced by PXESERVER (archiso's variable, by plain
 * substitution). 0, -ENAMETOOLONG when it does not fit, -ENXIO when one is needed but PXESERVER
 * is NULL or "". */
int url_expand_pxeserver(const char *src, const char *pxeserver, char *out, size_t cap);

/* Whether V is an http:// or https:// URL that names a host (a loader that expanded a variable it
 * did not know, "http:///arch", leaves none): what a URL option must be. */
bool url_is_http(const char *v);

#define URL_INDEX_SUFFIX ".caibx" /* a casync blob index: the image is chunked */
#define URL_STORE_SUFFIX ".castr/" /* its chunk store beside it, in place of URL_INDEX_SUFFIX */
/* Whether URL (or a file name) names a casync blob index: it ends in URL_INDEX_SUFFIX. */
bool url_is_index(const char *url);

#endif
