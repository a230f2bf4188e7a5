/* check_pgp.c - verify=y: a detached OpenPGP signature (archiso's airootfs.sfs.sig, binary)
 * checked in process while the image arrives, as gpgv would with /etc/pxeroot/keyring.gpg as its
 * only keyring (see openpgp.h for what is accepted).
 *
 * Before the download: the signature is parsed, its key looked up in the keyring and checked
 * (validity, revocation, expiry, times), so that a refusal costs no transfer. During it: the
 * bytes go into a digest of the signature's hash. After it: the v4 trailer, the left 16 bits,
 * then the public-key verification. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "log.h"
#include "verify/openpgp.h"
#include "verify/trust.h"

#define KEYRING_MAX (16 * 1024 * 1024)

struct pgp_check {
	struct check c;
	uint8_t *sigbuf;            /* a copy of the signature file: sig points into it */
	struct pgp_sig sig;
	EVP_MD_CTX *md;
	EVP_PKEY *pkey;
	char key[41];               /* the signing key's fingerprint */
	char primary[41];           /* its primary key's, when it is a subkey; else "" */
};

/* Feed the digest. */
static int pgp_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct pgp_check *k = (struct pgp_check *)s;
	return EVP_DigestUpdate(k->md, p, n) == 1 ? 0 : -EIO;
}

/* Trailer, left 16 bits, signature. */
static int pgp_verdict(struct check *c, const char *url)
{
	struct pgp_check *k = (struct pgp_check *)c;
	char why[PGP_WHY];
	if (pgp_verify_final(k->md, &k->sig, k->pkey, why) < 0)
		return log_err(-EBADMSG, "verify %s: gpg bad signature (key %s: %s): image refused", url, k->key, why);
	if (k->primary[0])
		log_info("verify %s: gpg ok (key %s, subkey of %s)", url, k->key, k->primary);
	else
		log_info("verify %s: gpg ok (key %s)", url, k->key);
	return 0;
}

/* Free the check. */
static void pgp_release(struct check *c)
{
	struct pgp_check *k = (struct pgp_check *)c;
	EVP_MD_CTX_free(k->md);
	EVP_PKEY_free(k->pkey);
	free(k->sigbuf);
	free(k);
}

/* Find the signing key in KR, check it at NOW, keep what the verdict needs. */
static int pick_key(struct pgp_check *k, const struct pgp_keyring *kr, const char *url, const char *comp,
		    const char *ring)
{
	char why[PGP_WHY];
	struct pgp_signer signer;
	time_t now = time(NULL);
	int i = pgp_keyring_find(kr, &k->sig, why);
	if (i == -ENOKEY)
		return log_err(-EBADMSG, "verify %s: gpg key %s is not in %s: image refused", url, why, ring);
	if (i < 0)
		return log_err(-EBADMSG, "verify %s: gpg keyring %s: %s: image refused", url, ring, why);
	if (pgp_sig_times(&k->sig, now, why) < 0 || pgp_key_check(kr, (size_t)i, &k->sig, now, &signer, why) < 0)
		return log_err(-EBADMSG, "verify %s: gpg signature %s: %s: image refused", url, comp, why);
	const struct pgp_key *key = &kr->keys[i];
	pgp_hex(key->fpr, 20, k->key);
	if (key->primary != (size_t)i)
		pgp_hex(kr->keys[key->primary].fpr, 20, k->primary);
	if (EVP_PKEY_up_ref(key->pkey) != 1)
		return log_errno(-ENOMEM, "verify %s: gpg key %s", url, k->key);
	k->pkey = key->pkey;
	return 0;
}

/* Read and parse the keyring of T, then pick the signing key from it. */
static int load_key(struct pgp_check *k, const char *url, const char *comp, const struct trust *t)
{
	char why[PGP_WHY];
	uint8_t *ring = NULL;
	size_t len = 0;
	struct pgp_keyring kr;
	int r = read_whole(t->gpg_keyring, KEYRING_MAX, &ring, &len);
	if (r < 0)
		return log_err(-EBADMSG, "verify %s: gpg check requested (verify=y) but no keyring at %s (%s): image refused",
			       url, t->gpg_keyring, strerror(-r));
	r = pgp_keyring_parse(ring, len, &kr, why);
	if (r < 0)
		r = log_err(-EBADMSG, "verify %s: gpg keyring %s: %s: image refused", url, t->gpg_keyring, why);
	else
		r = pick_key(k, &kr, url, comp, t->gpg_keyring);
	pgp_keyring_free(&kr);
	free(ring);
	return r;
}

/* Parse the signature, find and check its key, start the digest. */
int gpg_check_new(const char *url, const char *comp, const uint8_t *sig, size_t len, const struct trust *t,
		  struct check **out)
{
	char why[PGP_WHY];
	struct pgp_check *k = calloc(1, sizeof(*k));
	if (!k)
		return log_errno(-ENOMEM, "verify %s: gpg", url);
	k->c = (struct check){.s = {.write = pgp_write}, .name = "gpg", .verdict = pgp_verdict, .release = pgp_release};
	int r = (k->sigbuf = malloc(len ? len : 1)) ? 0 : log_errno(-ENOMEM, "verify %s: gpg", url);
	if (r == 0 && len)
		memcpy(k->sigbuf, sig, len);
	if (r == 0 && pgp_detached_parse(k->sigbuf, len, &k->sig, why) < 0)
		r = log_err(-EBADMSG, "verify %s: gpg signature %s: %s: image refused", url, comp, why);
	if (r == 0)
		r = load_key(k, url, comp, t);
	if (r == 0 && (!(k->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(k->md, pgp_md(k->sig.hash_algo), NULL) != 1))
		r = log_err(-ENOMEM, "verify %s: gpg: cannot start the digest", url);
	if (r < 0) {
		pgp_release(&k->c);
		return r;
	}
	k->c.digest = k->md; /* the trailer is added to it in the verdict */
	log_debug("verify %s: gpg signature by key %s, hash %s, made %ld", url, k->key,
		  EVP_MD_get0_name(pgp_md(k->sig.hash_algo)), (long)k->sig.created);
	*out = &k->c;
	return 0;
}
