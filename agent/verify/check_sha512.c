/* check_sha512.c - checksum=y: the sha512 list (archiso's airootfs.sha512) must name the image's
 * file with the sum its bytes produce. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verify/trust.h"
#include "url.h"
#include "log.h"
#include "verify/sha512list.h"

struct sha512_check {
	struct check c;
	struct hash_sink h;
	uint8_t want[64];
};

/* Feed the digest. */
static int sha512_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct sha512_check *k = (struct sha512_check *)s;
	return k->h.s.write(&k->h.s, p, n);
}

/* Compare the sum with the list's. */
static int sha512_verdict(struct check *c, const char *url)
{
	struct sha512_check *k = (struct sha512_check *)c;
	uint8_t got[EVP_MAX_MD_SIZE];
	char w[33], g[33];
	hash_sink_final(&k->h, got);
	if (memcmp(k->want, got, 64) == 0) {
		log_info("verify %s: sha512 ok", url);
		return 0;
	}
	hex_encode(k->want, 16, w);
	hex_encode(got, 16, g);
	return log_err(-EBADMSG, "verify %s: sha512 mismatch (list says %s..., image is %s...): image refused", url, w, g);
}

/* Free the check. */
static void sha512_release(struct check *c)
{
	struct sha512_check *k = (struct sha512_check *)c;
	hash_sink_free(&k->h);
	free(k);
}

/* Parse the list and start the digest. */
int sha512_check_new(const char *url, const char *list_url, const uint8_t *data, size_t len, const struct trust *t,
		     struct check **out)
{
	char name[256];
	(void)t;
	if (url_basename(url, name, sizeof(name)) < 0)
		return log_err(-EINVAL, "verify %s: no file name in the URL for the sha512 list", url);
	struct sha512_check *k = calloc(1, sizeof(*k));
	if (!k)
		return log_errno(-ENOMEM, "verify %s: sha512", url);
	int r = sha512_file_lookup((const char *)data, len, name, k->want);
	if (r == -ENOENT)
		r = log_err(-EBADMSG, "verify %s: sha512 list %s has no line for %s: image refused", url, list_url, name);
	else if (r < 0)
		r = log_err(-EBADMSG, "verify %s: sha512 list %s is malformed: image refused", url, list_url);
	else if (hash_sink_init(&k->h, EVP_sha512()) < 0)
		r = log_errno(-ENOMEM, "verify %s: sha512: cannot start the digest", url);
	if (r < 0) {
		hash_sink_free(&k->h);
		free(k);
		return r;
	}
	k->c = (struct check){.s = {.write = sha512_write}, .name = "sha512", .digest = k->h.ctx,
			      .verdict = sha512_verdict, .release = sha512_release};
	*out = &k->c;
	return 0;
}
