/* http.c - fetch the root image over HTTP(S) into a tmpfs, verifying it in the same pass.
 *
 * archiso: <archiso_http_srv><archisobasedir>/<arch>/airootfs.sfs, ${pxeserver} replaced by the
 * DHCP next-server (plain substitution, never a shell). dracut: root=live:<url>. With checksum=y
 * the sha512 list beside the image must name the file with the sum the download produced, or the
 * image is deleted and refused. */
#define _GNU_SOURCE
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../fetch.h"
#include "../log.h"
#include "../mount.h"
#include "../verify.h"

/* Copy SRC to OUT replacing every "${pxeserver}" with PXESERVER; -ENAMETOOLONG if it does not fit,
 * -ENXIO if a substitution is needed but no server is known. */
static int expand_pxeserver(const char *src, const char *pxeserver, char *out, size_t cap)
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

/* Build the image URL. */
int http_image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap)
{
	const char *raw = plan->live_url ? plan->live_url : plan->http_srv;
	char base[2048];
	int r = expand_pxeserver(raw, pxeserver, base, sizeof(base));
	if (r == -ENXIO)
		return log_err(-EINVAL, "cmdline %s: uses ${pxeserver} but no boot server is known (DHCP next-server or the server field of ip=)", raw);
	if (r < 0)
		return log_err(r, "cmdline %s: URL too long", raw);
	if (plan->live_url)
		r = snprintf(url, cap, "%s", base);
	else /* archiso wants the trailing '/'; supply it when it was left out */
		r = snprintf(url, cap, "%s%s%s/%s/airootfs.sfs", base, base[0] && base[strlen(base) - 1] == '/' ? "" : "/",
			     plan->basedir, plan->arch ? plan->arch : machine);
	if (r < 0 || (size_t)r >= cap)
		return log_err(-ENAMETOOLONG, "cmdline %s: URL too long", raw);
	return 0;
}

/* The file name part of URL. */
int url_basename(const char *url, char *name, size_t cap)
{
	size_t end = strcspn(url, "?#");
	size_t start = end;
	while (start > 0 && url[start - 1] != '/')
		start--;
	if (end == start || end - start >= cap)
		return -EINVAL;
	memcpy(name, url + start, end - start);
	name[end - start] = '\0';
	return 0;
}

/* Checksum list URL beside IMAGE_URL. */
int http_sha512_url(const char *image_url, char *url, size_t cap)
{
	size_t end = strcspn(image_url, "?#");
	size_t cut = end;
	while (cut > 0 && image_url[cut - 1] != '.' && image_url[cut - 1] != '/')
		cut--;
	if (cut == 0 || image_url[cut - 1] != '.')
		cut = end + 1; /* no extension: append */
	int r = snprintf(url, cap, "%.*s.sha512", (int)(cut - 1), image_url);
	return r < 0 || (size_t)r >= cap ? -ENAMETOOLONG : 0;
}

/* Fetch the sha512 list for IMAGE_URL and extract the sum for file NAME into WANT. */
static int expected_sha512(const char *image_url, const char *name, uint8_t want[64])
{
	char url[2100], text[65536];
	int r = http_sha512_url(image_url, url, sizeof(url));
	if (r < 0)
		return log_err(r, "verify %s: checksum URL too long", image_url);
	struct mem_sink ms;
	mem_sink_init(&ms, text, sizeof(text));
	if ((r = fetch(url, &ms.s, NULL)) < 0)
		return log_err(r, "verify %s: sha512 check requested (checksum=y) but the list %s cannot be fetched", image_url, url);
	r = sha512_file_lookup(text, ms.len, name, want);
	if (r == -ENOENT)
		return log_err(-EBADMSG, "verify %s: sha512 list %s has no line for %s", image_url, url, name);
	if (r < 0)
		return log_err(-EBADMSG, "verify %s: sha512 list %s is malformed", image_url, url);
	return 0;
}

/* Download URL into the open file FD (named PATH), hashing when HASH is not NULL. */
static int download(const char *url, int fd, const char *path, const char *name, struct hash_sink *hash)
{
	struct file_sink fs;
	file_sink_init(&fs, fd, path);
	if (hash)
		fs.s.next = &hash->s;
	return fetch(url, &fs.s, name);
}

/* Compare the computed sum GOT with WANT for URL. */
static int check_sum(const char *url, const uint8_t *want, const uint8_t *got)
{
	char w[129], g[129];
	if (memcmp(want, got, 64) == 0) {
		log_info("verify %s: sha512 ok", url);
		return 0;
	}
	hex_encode(want, 16, w);
	hex_encode(got, 16, g);
	return log_err(-EBADMSG, "verify %s: sha512 mismatch (list says %s..., image is %s...): image refused", url, w, g);
}

/* Download URL as NAME into IMG_DIR, checking the sum when WANT is set; path into PATH. */
static int get_image(const char *url, const char *name, const uint8_t *want, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", IMG_DIR, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_err(-errno, "fetch %s: create %s: %s", url, path, strerror(errno));
	struct hash_sink hs = {0};
	int r = want ? hash_sink_init(&hs, EVP_sha512()) : 0;
	if (r == 0)
		r = download(url, fd, path, name, want ? &hs : NULL);
	if (close(fd) < 0 && r == 0)
		r = log_err(-errno, "fetch %s: close %s: %s", url, path, strerror(errno));
	if (r == 0 && want) {
		uint8_t got[EVP_MAX_MD_SIZE];
		hash_sink_final(&hs, got);
		r = check_sum(url, want, got);
	}
	hash_sink_free(&hs);
	if (r < 0)
		unlink(path);
	return r;
}

/* The HTTP source stage. */
int http_get_root(const struct plan *plan, const struct net_result *net, char *path, size_t cap)
{
	char url[2048], name[256];
	uint8_t want[64];
	struct utsname uts;
	uname(&uts);
	int r = http_image_url(plan, net->pxeserver, uts.machine, url, sizeof(url));
	if (r < 0)
		return r;
	if (url_basename(url, name, sizeof(name)) < 0)
		return log_err(-EINVAL, "fetch %s: no file name in the URL", url);
	if (plan->checksum && (r = expected_sha512(url, name, want)) < 0)
		return r;
	if ((r = mount_tmpfs(IMG_DIR, plan->http_spc, "image")) < 0)
		return r;
	log_info("fetch %s", url);
	r = get_image(url, name, plan->checksum ? want : NULL, path, cap);
	if (r < 0)
		umount_quiet(IMG_DIR);
	return r;
}
