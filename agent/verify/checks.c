/* checks.c - companions, one pass of bytes through every requested check, verdicts. Checks whose
 * digests use the same algorithm share one pass: the leader's state is copied into the others
 * before the verdicts. Each distinct check consumes the bytes on a thread of its own (fanout). */
#define _GNU_SOURCE
#include "verify/checks.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "url.h"

/* The checks, in the order they run: the option that asks for each, its companion file (the
 * image name plus SUFFIX, or the sha512 list rule when SUFFIX is NULL) and its constructor. */
static const struct check_kind {
	const char *name, *option, *what, *suffix;
	size_t flag; /* offset of the bool in struct trust */
	int (*make)(const char *url, const char *comp, const uint8_t *data, size_t len, const struct trust *t,
		    struct check **out);
} kinds[CHECKS_MAX] = {
	{"sha512", "checksum=y", "the list", NULL, offsetof(struct trust, sha512), sha512_check_new},
	{"cms", "cms_verify=y", "the signature", ".cms.sig", offsetof(struct trust, cms), cms_check_new},
	{"gpg", "verify=y", "the signature", ".sig", offsetof(struct trust, gpg), gpg_check_new},
};

/* Read companion K of NAME through SRC and build its check into *OUT. */
static int make_check(const struct check_kind *k, const struct trust *t, const char *image, const char *name,
		      const struct companions *src, char *buf, struct check **out)
{
	char comp_name[2100], where[2048] = "";
	if (image_companion_url(name, k->suffix, comp_name, sizeof(comp_name)) < 0)
		return log_err(-ENAMETOOLONG, "verify %s: the name of %s for the %s check is too long", image, k->what, k->name);
	long len = src->get(src->ctx, comp_name, buf, COMPANION_MAX + 1, where);
	if (len < 0)
		return log_err((int)len, "verify %s: %s check requested (%s) but %s %s cannot be %s", image, k->name,
			       k->option, k->what, where[0] ? where : comp_name, src->verb);
	return k->make(image, where, (const uint8_t *)buf, (size_t)len, t, out);
}

/* For each check, the index of an earlier one whose digest it can share, else its own index. */
static void digest_leaders(struct checks *cs)
{
	struct check **c = cs->c;
	for (int i = 0; i < cs->n; i++) {
		cs->lead[i] = i;
		for (int j = 0; j < i && cs->lead[i] == i && c[i]->digest; j++)
			if (cs->lead[j] == j && c[j]->digest &&
			    EVP_MD_get_type(EVP_MD_CTX_get0_md(c[j]->digest)) == EVP_MD_get_type(EVP_MD_CTX_get0_md(c[i]->digest)))
				cs->lead[i] = j;
	}
}

/* Give every check that shares a digest the state its leader reached. */
static int digest_share(struct checks *cs)
{
	for (int i = 0; i < cs->n; i++)
		if (cs->lead[i] != i && EVP_MD_CTX_copy_ex(cs->c[i]->digest, cs->c[cs->lead[i]]->digest) != 1)
			return -ENOMEM;
	return 0;
}

/* Free every check and the companion buffer. */
static void release(struct checks *cs)
{
	while (cs->n > 0) {
		cs->n--;
		cs->c[cs->n]->release(cs->c[cs->n]);
	}
	free(cs->buf);
	cs->buf = NULL;
}

/* One thread per distinct digest, fed by cs->sink. */
static int start(struct checks *cs, const char *image)
{
	struct sink *targets[CHECKS_MAX];
	int nt = 0;
	digest_leaders(cs);
	for (int i = 0; i < cs->n; i++)
		if (cs->lead[i] == i)
			targets[nt++] = &cs->c[i]->s;
	int r = fanout_start(&cs->fo, targets, nt);
	if (r < 0)
		return log_errno(r, "verify %s: cannot start the checks", image);
	cs->sink = &cs->fo.s;
	return 0;
}

/* Companions, checks, their threads. */
int checks_begin(struct checks *cs, const struct trust *t, const char *image, const char *name,
		 const struct companions *src)
{
	*cs = (struct checks){0};
	if (!t->sha512 && !t->cms && !t->gpg)
		return 0;
	if (!(cs->buf = malloc(COMPANION_MAX + 1)))
		return log_err(-ENOMEM, "verify %s: out of memory", image);
	int r = 0;
	for (const struct check_kind *k = kinds; k < kinds + CHECKS_MAX && r >= 0; k++)
		if (*(const bool *)((const char *)t + k->flag) &&
		    (r = make_check(k, t, image, name, src, cs->buf, &cs->c[cs->n])) >= 0)
			cs->n++;
	if (r >= 0)
		r = start(cs, image);
	if (r < 0)
		release(cs);
	return r;
}

/* Drain, share digests, verdicts, release. */
int checks_end(struct checks *cs, int r, const char *image)
{
	if (!cs->sink) {
		release(cs);
		return r;
	}
	int e = fanout_finish(&cs->fo);
	if (e == 0)
		e = digest_share(cs);
	if (e < 0 && r == 0)
		r = log_errno(e, "verify %s: a check could not take the bytes", image);
	for (int i = 0; i < cs->n; i++) {
		int v = r == 0 || r == -EBADMSG ? cs->c[i]->verdict(cs->c[i], image) : 0;
		if (v < 0)
			r = v; /* every verdict is heard; any failure refuses */
	}
	release(cs);
	return r;
}
