/* image.c - one pass over an image: companions first (so a missing signature fails before the
 * download), then a single transfer whose bytes go to the file and to every check, then the
 * verdicts. A requested check that cannot run refuses the image: there is no way to skip one. */
#define _GNU_SOURCE
#include "fetch/image.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verify/fanout.h"
#include "inflate.h"
#include "log.h"

#define COMPANION_MAX (64 * 1024)
#define MAX_CHECKS 3
#define IMAGE_PASSES 3  /* downloads from zero before giving up on a file that keeps changing */

/* Fetch companion COMP_PATH (WHAT, for check CHECK requested by OPTION) from the image's mirrors
 * into BUF, its URL into COMP; its length or a negative errno after the line that names the
 * check. */
static long companion(const struct fetch_req *img, const char *comp_path, const char *check, const char *option,
		      const char *what, char *buf, size_t cap, char *comp)
{
	struct mem_sink ms;
	struct fetch_req rq = {.m = img->m, .path = comp_path, .sinks = &ms.s};
	int r, tries = 0;
	do {
		mem_sink_init(&ms, buf, cap);
		r = fetch_file(&rq);
	} while (r == -ESTALE && ++tries < 3);
	snprintf(comp, 2048, "%s", rq.url);
	if (r < 0)
		return log_err(r, "verify %s: %s check requested (%s) but %s %s cannot be fetched", img->url, check, option,
			       what, comp);
	buf[ms.len] = '\0';
	return (long)ms.len;
}

/* The checks, in the order they run: the option that asks for each, its companion file (the
 * image URL plus SUFFIX, or the sha512 list rule when SUFFIX is NULL) and its constructor. */
static const struct check_kind {
	const char *name, *option, *what, *suffix;
	size_t flag; /* offset of the bool in struct trust */
	int (*make)(const char *url, const char *comp, const uint8_t *data, size_t len, const struct trust *t,
		    struct check **out);
} kinds[MAX_CHECKS] = {
	{"sha512", "checksum=y", "the list", NULL, offsetof(struct trust, sha512), sha512_check_new},
	{"cms", "cms_verify=y", "the signature", ".cms.sig", offsetof(struct trust, cms), cms_check_new},
	{"gpg", "verify=y", "the signature", ".sig", offsetof(struct trust, gpg), gpg_check_new},
};

/* Fetch each companion of RQ and build the checks T asks for into C; returns how many or an
 * errno. */
static int make_checks(const struct fetch_req *rq, const struct trust *t, struct check **c, char *buf)
{
	char path[2100], comp[2048];
	int n = 0;
	long r = 0;
	for (const struct check_kind *k = kinds; k < kinds + MAX_CHECKS && r >= 0; k++) {
		if (!*(const bool *)((const char *)t + k->flag))
			continue;
		if (image_companion_url(rq->path, k->suffix, path, sizeof(path)) < 0)
			return log_err(-ENAMETOOLONG, "verify %s: the URL of %s for the %s check is too long", rq->url, k->what, k->name);
		if ((r = companion(rq, path, k->name, k->option, k->what, buf, COMPANION_MAX, comp)) >= 0 &&
		    (r = k->make(rq->url, comp, (const uint8_t *)buf, (size_t)r, t, &c[n])) >= 0)
			n++;
	}
	if (r >= 0)
		return n;
	while (n > 0) {
		n--;
		c[n]->release(c[n]);
	}
	return (int)r;
}

/* For each check, the index of an earlier one whose digest it can share, else its own index. */
static void digest_leaders(struct check **c, int n, int *lead)
{
	for (int i = 0; i < n; i++) {
		lead[i] = i;
		for (int j = 0; j < i && lead[i] == i && c[i]->digest; j++)
			if (lead[j] == j && c[j]->digest &&
			    EVP_MD_get_type(EVP_MD_CTX_get0_md(c[j]->digest)) == EVP_MD_get_type(EVP_MD_CTX_get0_md(c[i]->digest)))
				lead[i] = j;
	}
}

/* Give every check that shares a digest the state its leader reached. */
static int digest_share(struct check **c, int n, const int *lead)
{
	for (int i = 0; i < n; i++)
		if (lead[i] != i && EVP_MD_CTX_copy_ex(c[i]->digest, c[lead[i]]->digest) != 1)
			return -ENOMEM;
	return 0;
}

/* Put INF first in RQ's chain: the bytes as served go on to CHECKS, the unpacked ones to FILE. */
static void unpack_start(struct inflate *inf, struct fetch_req *rq, struct sink *file, struct sink *checks)
{
	inflate_init(inf, file, rq->url);
	inf->budget = rq->on_unpacked;
	inf->ctx = rq->ctx;
	inf->s.next = checks;
	rq->sinks = &inf->s;
	rq->unpacked = &inf->unpacked;
}

/* The transfer's result R with the unpacking's: a stream cut short refuses the image. One that
 * broke mid-way stopped the transfer: its -EBADMSG becomes -EPROTO, as the checks saw part of the
 * bytes and their verdicts (heard on -EBADMSG) would say nothing. */
static int unpack_end(struct inflate *inf, struct fetch_req *rq, int r)
{
	if (r == 0)
		r = inflate_finish(inf);
	else if (r == -EBADMSG && inf->err == r)
		r = -EPROTO;
	inflate_free(inf);
	rq->unpacked = NULL;
	return r;
}

/* Download RQ into FILE: the file is written on this thread (unpacked when the image came
 * compressed), the checks consume the bytes as served on threads of their own, one per distinct
 * digest. */
static int transfer(struct fetch_req *rq, const char *file, struct check **c, int n)
{
	struct sink *targets[MAX_CHECKS];
	struct fanout fo;
	int lead[MAX_CHECKS], nt = 0;
	digest_leaders(c, n, lead);
	for (int i = 0; i < n; i++)
		if (lead[i] == i)
			targets[nt++] = &c[i]->s;
	int r = n ? fanout_start(&fo, targets, nt) : 0;
	if (r < 0)
		return log_err(r, "fetch %s: cannot start the checks: %s", rq->url, strerror(-r));
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		r = log_err(-errno, "fetch %s: create %s: %s", rq->url, file, strerror(errno));
	struct file_sink fs;
	struct inflate inf;
	file_sink_init(&fs, fd, file);
	unpack_start(&inf, rq, &fs.s, n ? &fo.s : NULL);
	if (r == 0) {
		fetch_first_url(rq, rq->url, sizeof(rq->url)); /* the companions may have skipped a mirror */
		log_info("fetch %s", rq->url);
		r = fetch_file(rq);
	}
	r = unpack_end(&inf, rq, r);
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = log_err(-errno, "fetch %s: close %s: %s", rq->url, file, strerror(errno));
	int e = n ? fanout_finish(&fo) : 0;
	if (e == 0)
		e = digest_share(c, n, lead);
	if (e < 0 && r == 0)
		r = log_err(e, "fetch %s: a check could not take the bytes: %s", rq->url, strerror(-e));
	return r;
}

/* Companions, transfer, verdicts; -ESTALE when the image has to be fetched again from zero. */
static int image_pass(struct fetch_req *rq, const struct trust *t, const char *file, char *buf)
{
	struct check *c[MAX_CHECKS];
	int n = make_checks(rq, t, c, buf);
	if (n < 0)
		return n;
	int r = transfer(rq, file, c, n);
	for (int i = 0; i < n; i++) {
		int v = r == 0 || r == -EBADMSG ? c[i]->verdict(c[i], rq->url) : 0;
		if (v < 0)
			r = v; /* every verdict is heard; any failure refuses */
		c[i]->release(c[i]);
	}
	return r;
}

/* The whole one-pass fetch; started again (companions too) when the file changed under it. */
int image_fetch(struct fetch_req *rq, const struct trust *t, const char *file)
{
	char *buf = malloc(COMPANION_MAX);
	int r = fetch_first_url(rq, rq->url, sizeof(rq->url));
	if (r < 0)
		return log_err(r, "fetch %s: URL too long", rq->path);
	if (!buf)
		return log_err(-ENOMEM, "fetch %s: out of memory", rq->url);
	for (int pass = 1; (r = image_pass(rq, t, file, buf)) == -ESTALE; pass++) {
		if (pass == IMAGE_PASSES) {
			r = log_err(-ESTALE, "fetch %s: started over %d times and still could not finish; giving up", rq->url, pass);
			break;
		}
	}
	free(buf);
	if (r < 0)
		unlink(file);
	return r;
}
