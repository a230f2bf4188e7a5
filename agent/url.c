/* url.c - names in URLs and paths: the file name, its directory, the companion files beside it.
 * Pure string work: a path without a query is a URL for these. */
#include "url.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Where the file name of URL starts. */
size_t url_dir_len(const char *url)
{
	size_t n = strcspn(url, "?#");
	while (n > 0 && url[n - 1] != '/')
		n--;
	return n;
}

/* The file name part of URL. */
int url_basename(const char *url, char *name, size_t cap)
{
	size_t end = strcspn(url, "?#");
	size_t start = url_dir_len(url);
	if (end == start || end - start >= cap)
		return -EINVAL;
	memcpy(name, url + start, end - start);
	name[end - start] = '\0';
	return 0;
}

/* Where the stem of the sha512 list name ends in a path of length END: before the last extension
 * of the file name, or END when it has none. */
static size_t sha512_stem(const char *path, size_t end)
{
	size_t cut = end;
	while (cut > 0 && path[cut - 1] != '.' && path[cut - 1] != '/')
		cut--;
	return cut > 0 && path[cut - 1] == '.' ? cut - 1 : end;
}

/* Companion URL of IMAGE_URL: stem, SUFFIX (NULL: ".sha512" for the stem without the
 * extension), then the query. */
int image_companion_url(const char *image_url, const char *suffix, char *url, size_t cap)
{
	size_t end = strcspn(image_url, "?#");
	size_t query = image_url[end] == '?' ? strcspn(image_url + end, "#") : 0;
	size_t stem = suffix ? end : sha512_stem(image_url, end);
	int r = snprintf(url, cap, "%.*s%s%.*s", (int)stem, image_url, suffix ? suffix : ".sha512", (int)query,
			 image_url + end);
	return r < 0 || (size_t)r >= cap ? -ENAMETOOLONG : 0;
}

/* Checksum list URL beside IMAGE_URL. */
int image_sha512_url(const char *image_url, char *url, size_t cap)
{
	return image_companion_url(image_url, NULL, url, cap);
}

/* Copy SRC to OUT replacing every "${pxeserver}" with PXESERVER; -ENAMETOOLONG if it does not fit,
 * -ENXIO if a substitution is needed but no server is known. */
int url_expand_pxeserver(const char *src, const char *pxeserver, char *out, size_t cap)
{
	static const char var[] = "${pxeserver}";
	size_t o = 0;
	while (*src) {
		const char *piece = src;
		size_t plen = 1;
		if (!strncmp(src, var, sizeof(var) - 1)) {
			if (!pxeserver || !*pxeserver)
				return -ENXIO;
			piece = pxeserver;
			plen = strlen(pxeserver);
			src += sizeof(var) - 1;
		} else {
			src++;
		}
		if (o + plen >= cap)
			return -ENAMETOOLONG;
		memcpy(out + o, piece, plen);
		o += plen;
	}
	out[o] = '\0';
	return 0;
}

/* The suffix at URL's end. */
bool url_is_index(const char *url)
{
	size_t n = strlen(url), k = strlen(URL_INDEX_SUFFIX);
	return n > k && !strcmp(url + n - k, URL_INDEX_SUFFIX);
}

/* http:// or https://, then a host. */
bool url_is_http(const char *v)
{
	size_t at = !strncmp(v, "http://", 7) ? 7 : !strncmp(v, "https://", 8) ? 8 : 0;
	return at && v[at] && !strchr("/?#@:", v[at]);
}
