/* fuzz_openpgp.c - libFuzzer target for the OpenPGP parser and key checks
 * (agent/verify/openpgp_*.c).
 *
 * The input is parsed three ways: whole, as a detached signature file; whole, as a keyring; and
 * split as LEN (2 octets, big-endian), a signature file of LEN octets, a keyring of the rest, which
 * then goes through the whole check (issuer lookup, key validity, verification over no data), as
 * check_pgp.c runs it. Every outcome must be 0 or a documented errno with a cause written. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "verify/openpgp.h"

#define NOW ((time_t)1767225600) /* 2026-01-01: a fixed clock, so runs repeat */

/* A copy of LEN octets at P in a buffer of exactly that size (reads past it are caught). */
static uint8_t *dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	REQUIRE(b != NULL);
	if (len)
		memcpy(b, p, len);
	return b;
}

/* Parse P as a signature file; a success must satisfy the document rules. */
static int as_signature(const uint8_t *p, size_t len, struct pgp_sig *sig)
{
	char why[PGP_WHY] = "";
	int r = pgp_detached_parse(p, len, sig, why);
	REQUIRE(r == 0 || (r == -EBADMSG && why[0]));
	if (r == 0) {
		REQUIRE(sig->type == PGP_SIG_BINARY && pgp_md(sig->hash_algo) != NULL && sig->critical < 0);
		REQUIRE(sig->has_issuer || sig->has_issuer_fpr);
		REQUIRE(sig->hashed >= p && sig->hashed + sig->hashed_len <= p + len);
	}
	return r;
}

/* Parse P as a keyring into KR; every key must point inside P. */
static int as_keyring(const uint8_t *p, size_t len, struct pgp_keyring *kr)
{
	char why[PGP_WHY] = "";
	int r = pgp_keyring_parse(p, len, kr, why);
	REQUIRE(r == 0 || ((r == -EBADMSG || r == -ENOMEM) && why[0]));
	for (size_t i = 0; r == 0 && i < kr->nkeys; i++) {
		const struct pgp_key *k = &kr->keys[i];
		REQUIRE(k->body >= p && k->body + k->len <= p + len && k->primary <= i);
		REQUIRE(k->pkey != NULL || k->unusable[0]);
	}
	return r;
}

/* The whole check of SIG against KR, over empty data. */
static void full_check(const struct pgp_keyring *kr, const struct pgp_sig *sig)
{
	char why[PGP_WHY] = "";
	struct pgp_signer signer;
	int i = pgp_keyring_find(kr, sig, why);
	REQUIRE(i >= 0 || i == -ENOKEY || i == -EBADMSG);
	if (i < 0 || pgp_sig_times(sig, NOW, why) < 0)
		return;
	int r = pgp_key_check(kr, (size_t)i, sig, NOW, &signer, why);
	REQUIRE(r == 0 || (r == -EBADMSG && why[0]));
	if (r < 0)
		return;
	REQUIRE(signer.key == (size_t)i && kr->keys[i].pkey != NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	REQUIRE(md && EVP_DigestInit_ex(md, pgp_md(sig->hash_algo), NULL) == 1);
	r = pgp_verify_final(md, sig, kr->keys[i].pkey, why);
	REQUIRE(r == 0 || r == -EBADMSG);
	EVP_MD_CTX_free(md);
}

/* One input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgp_sig sig;
	struct pgp_keyring kr;
	uint8_t *whole = dup_exact(data, size);
	as_signature(whole, size, &sig);
	as_keyring(whole, size, &kr);
	pgp_keyring_free(&kr);
	free(whole);
	if (size < 2)
		return 0;
	size_t n = (size_t)data[0] << 8 | data[1];
	if (n > size - 2)
		return 0;
	uint8_t *s = dup_exact(data + 2, n), *k = dup_exact(data + 2 + n, size - 2 - n);
	int rs = as_signature(s, n, &sig), rk = as_keyring(k, size - 2 - n, &kr);
	if (rs == 0 && rk == 0)
		full_check(&kr, &sig);
	pgp_keyring_free(&kr);
	free(s);
	free(k);
	return 0;
}
