/* openpgp_key.c - OpenPGP v4 public keys and keyrings (their validity: openpgp_cert.c).
 *
 * Keys: version 4 RSA (2048 to 16384 bits), ECDSA on P-256/P-384/P-521, EdDSA legacy on Ed25519
 * and RFC 9580 Ed25519; any other key is kept but cannot verify. A keyring is what `gpg --export`
 * writes: transferable public keys, binary, one after the other. */
#define _GNU_SOURCE
#include "verify/openpgp_int.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PACKETS (1u << 18)

/* ---- keys ------------------------------------------------------------------------------- */

/* The curves ECDSA and EdDSA legacy keys may use: the algorithm, OID (DER contents), OpenSSL
 * group, field size, least digest. */
static const struct curve {
	uint8_t algo;
	uint8_t oid[9], oid_len;
	const char *group;
	size_t fsize, min_digest;
} curves[] = {
	{PGP_PK_ECDSA, {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07}, 8, "P-256", 32, 32},
	{PGP_PK_ECDSA, {0x2B, 0x81, 0x04, 0x00, 0x22}, 5, "P-384", 48, 48},
	{PGP_PK_ECDSA, {0x2B, 0x81, 0x04, 0x00, 0x23}, 5, "P-521", 66, 64},
	/* 1.3.6.1.4.1.11591.15.1, the Ed25519 OID of EdDSA legacy keys */
	{PGP_PK_EDDSA, {0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01}, 9, "Ed25519", 32, 32},
};

/* Read the curve OID at *OFF (one length octet, 1 to 254, then the OID) into *OID and *N. */
static int read_oid(const uint8_t *p, size_t len, size_t *off, const uint8_t **oid, size_t *n)
{
	if (len - *off < 1 || p[*off] == 0 || p[*off] == 0xff || len - *off - 1 < p[*off])
		return -EBADMSG;
	*n = p[*off];
	*oid = p + *off + 1;
	*off += 1 + *n;
	return 0;
}

/* Mark K unusable for the reason given by FMT. */
__attribute__((format(printf, 2, 3))) static void unusable(struct pgp_key *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->unusable, sizeof(k->unusable), fmt, ap);
	va_end(ap);
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

/* An EVP_PKEY of type NAME from the public parameters PARAMS. */
static EVP_PKEY *pkey_fromdata(const char *name, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	EVP_PKEY *pk = NULL;
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* The RSA key N, E. */
static EVP_PKEY *rsa_pkey(const struct pgp_mpi *n, const struct pgp_mpi *e)
{
	BIGNUM *bn = BN_bin2bn(n->p, (int)n->len, NULL), *be = BN_bin2bn(e->p, (int)e->len, NULL);
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;
	if (bn && be && b && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be) == 1 && (params = OSSL_PARAM_BLD_to_param(b)))
		pk = pkey_fromdata("RSA", params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_free(bn);
	BN_free(be);
	return pk;
}

/* The EC key on GROUP with the uncompressed point PT (LEN octets), checked to be on the curve. */
static EVP_PKEY *ec_pkey(const char *group, const uint8_t *pt, size_t len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, len),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *pk = pkey_fromdata("EC", params);
	EVP_PKEY_CTX *ctx = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL) : NULL;
	if (pk && (!ctx || EVP_PKEY_public_check(ctx) != 1)) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* RSA key material at *OFF of key K. */
static void rsa_material(struct pgp_key *k, size_t *off)
{
	struct pgp_mpi n, e;
	char why[PGP_WHY];
	if (pgp_read_mpi(k->body, k->len, off, &n, why) < 0 || pgp_read_mpi(k->body, k->len, off, &e, why) < 0)
		return unusable(k, "malformed RSA key (%s)", why);
	if (*off != k->len)
		return unusable(k, "malformed RSA key (trailing octets)");
	if (pgp_mpi_bits(&n) < RSA_MIN_BITS || pgp_mpi_bits(&n) > RSA_MAX_BITS)
		return unusable(k, "RSA key of %zu bits (%d to %d accepted)", pgp_mpi_bits(&n), RSA_MIN_BITS, RSA_MAX_BITS);
	if (!(e.p[e.len - 1] & 1) || pgp_mpi_bits(&e) < 2 || e.len > n.len)
		return unusable(k, "RSA key with an invalid public exponent");
	if (!(k->pkey = rsa_pkey(&n, &e)))
		return unusable(k, "RSA key rejected by libcrypto");
}

/* The curve and public point of ECDSA or EdDSA legacy key K: the curve OID at *OFF, which must
 * be one of K's algorithm, then the point MPI, which ends the key, into *Q. NULL, K marked
 * unusable, when either is malformed or the curve is not taken. */
static const struct curve *curve_point(struct pgp_key *k, size_t *off, struct pgp_mpi *q)
{
	const char *algo = pgp_pk_name(k->algo);
	const struct curve *c = NULL;
	const uint8_t *oid;
	size_t oid_len;
	char why[PGP_WHY];
	if (read_oid(k->body, k->len, off, &oid, &oid_len) < 0) {
		unusable(k, "malformed %s key (curve OID)", algo);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].algo == k->algo && oid_len == curves[i].oid_len && memcmp(oid, curves[i].oid, oid_len) == 0)
			c = &curves[i];
	if (!c)
		unusable(k, "%s", k->algo == PGP_PK_EDDSA ? "EdDSA key on a curve other than Ed25519"
							   : "ECDSA key on a curve that is not supported");
	else if (pgp_read_mpi(k->body, k->len, off, q, why) < 0 || *off != k->len)
		unusable(k, "malformed %s key (point)", algo), c = NULL;
	return c;
}

/* Key K from the 32 octets of the Ed25519 public key at PT. */
static void ed25519_pkey(struct pgp_key *k, const uint8_t *pt)
{
	k->min_digest = 32;
	if (!(k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pt, 32)))
		unusable(k, "Ed25519 key rejected by libcrypto");
}

/* ECDSA or EdDSA legacy key material at *OFF of key K: a curve OID, then the point, uncompressed
 * (0x04, x, y) on an ECDSA curve, 0x40 and 32 octets on Ed25519. */
static void ec_material(struct pgp_key *k, size_t *off)
{
	struct pgp_mpi q;
	const struct curve *c = curve_point(k, off, &q);
	if (!c)
		return;
	if (k->algo == PGP_PK_EDDSA) {
		if (q.len != 33 || q.p[0] != 0x40)
			return unusable(k, "malformed EdDSA key (point)");
		return ed25519_pkey(k, q.p + 1);
	}
	if (q.len != 1 + 2 * c->fsize || q.p[0] != 0x04)
		return unusable(k, "ECDSA key point is not an uncompressed %s point", c->group);
	k->min_digest = c->min_digest;
	if (!(k->pkey = ec_pkey(c->group, q.p, q.len)))
		return unusable(k, "ECDSA key point is not on %s", c->group);
}

/* Ed25519 (RFC 9580) key material at *OFF of key K: 32 octets. */
static void ed25519_material(struct pgp_key *k, size_t *off)
{
	if (k->len - *off != 32)
		return unusable(k, "malformed Ed25519 key");
	ed25519_pkey(k, k->body + *off);
}

/* The v4 fingerprint of K: SHA-1 over 0x99, the 2-octet body length, the body. */
static int fingerprint(struct pgp_key *k)
{
	uint8_t head[3] = {0x99, (uint8_t)(k->len >> 8), (uint8_t)k->len};
	unsigned n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(ctx, head, 3) == 1 &&
		 EVP_DigestUpdate(ctx, k->body, k->len) == 1 && EVP_DigestFinal_ex(ctx, k->fpr, &n) == 1 && n == 20;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -ENOMEM;
	memcpy(k->id, k->fpr + 12, 8);
	k->has_fpr = true;
	return 0;
}

/* Parse key K's body: version, creation time, fingerprint, then the algorithm's material. Only a
 * failure to compute returns an error; anything else leaves K unusable with the reason. */
static int key_parse(struct pgp_key *k)
{
	size_t off = 6;
	if (k->len < 1 || k->body[0] != 4) {
		unusable(k, "not a version 4 key");
		return 0;
	}
	if (k->len < 6 || k->len > 0xffff) {
		unusable(k, "malformed key packet");
		return 0;
	}
	k->created = pgp_be32(k->body + 1);
	k->algo = k->body[5];
	if (fingerprint(k) < 0)
		return -ENOMEM;
	switch (k->algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S: rsa_material(k, &off); break;
	case PGP_PK_ECDSA:
	case PGP_PK_EDDSA: ec_material(k, &off); break;
	case PGP_PK_ED25519: ed25519_material(k, &off); break;
	default: unusable(k, "public-key algorithm %u (%s) cannot sign here", k->algo, pgp_pk_name(k->algo));
	}
	ERR_clear_error();
	return 0;
}

/* ---- keyrings --------------------------------------------------------------------------- */

/* Release everything KR holds. */
void pgp_keyring_free(struct pgp_keyring *kr)
{
	for (size_t i = 0; i < kr->nkeys; i++)
		EVP_PKEY_free(kr->keys[i].pkey);
	free(kr->keys);
	free(kr->pkts);
	*kr = (struct pgp_keyring){0};
}

/* Split the keyring into packets; only the packets of transferable public keys are allowed. */
static int keyring_packets(const uint8_t *data, size_t len, struct pgp_keyring *kr, char *why)
{
	size_t off = 0, cap = 0;
	while (off < len) {
		struct pgp_packet pk;
		int r = pgp_packet_next(data, len, &off, &pk, why);
		if (r < 0)
			return r;
		if (pk.tag != TAG_PUBKEY && pk.tag != TAG_SUBKEY && pk.tag != TAG_UID && pk.tag != TAG_UATTR &&
		    pk.tag != TAG_SIG && pk.tag != TAG_TRUST)
			return pgp_fail(why, -EBADMSG, "unexpected %s packet (tag %u) at offset %zu", pgp_tag_name(pk.tag),
					pk.tag, pk.off);
		if (kr->npkts == 0 && pk.tag != TAG_PUBKEY)
			return pgp_fail(why, -EBADMSG, "the first packet is not a public key (tag %u)", pk.tag);
		if (kr->npkts == MAX_PACKETS)
			return pgp_fail(why, -EBADMSG, "more than %u packets", MAX_PACKETS);
		if (kr->npkts == cap) {
			cap = cap ? 2 * cap : 64;
			struct pgp_packet *p = realloc(kr->pkts, cap * sizeof(*p));
			if (!p)
				return pgp_fail(why, -ENOMEM, "out of memory");
			kr->pkts = p;
		}
		kr->pkts[kr->npkts++] = pk;
	}
	return 0;
}

/* Parse a binary keyring. */
int pgp_keyring_parse(const uint8_t *data, size_t len, struct pgp_keyring *kr, char *why)
{
	*kr = (struct pgp_keyring){0};
	int r;
	if (len == 0)
		return pgp_fail(why, -EBADMSG, "the keyring is empty");
	if ((r = pgp_not_armored(data, len, "the keyring", why)) < 0 || (r = keyring_packets(data, len, kr, why)) < 0)
		return r;
	size_t n = 0, primary = 0;
	for (size_t i = 0; i < kr->npkts; i++)
		n += kr->pkts[i].tag == TAG_PUBKEY || kr->pkts[i].tag == TAG_SUBKEY;
	if (!(kr->keys = calloc(n, sizeof(*kr->keys))))
		return pgp_fail(why, -ENOMEM, "out of memory");
	for (size_t i = 0; i < kr->npkts; i++) {
		const struct pgp_packet *p = &kr->pkts[i];
		if (p->tag != TAG_PUBKEY && p->tag != TAG_SUBKEY)
			continue;
		struct pgp_key *k = &kr->keys[kr->nkeys];
		if (p->tag == TAG_PUBKEY)
			primary = kr->nkeys;
		*k = (struct pgp_key){.body = p->body, .len = p->len, .pkt = i, .primary = primary};
		kr->nkeys++;
		if (key_parse(k) < 0)
			return pgp_fail(why, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Whether key K matches SIG's issuer: fingerprint when given, else key ID. */
bool pgp_issuer_is(const struct pgp_sig *sig, const struct pgp_key *k)
{
	if (!k->has_fpr)
		return false;
	if (sig->has_issuer_fpr)
		return memcmp(sig->issuer_fpr, k->fpr, 20) == 0;
	return sig->has_issuer && memcmp(sig->issuer, k->id, 8) == 0;
}

/* Find the key SIG names. */
int pgp_keyring_find(const struct pgp_keyring *kr, const struct pgp_sig *sig, char *why)
{
	char hex[41];
	int found = -1;
	if (!sig->has_issuer && !sig->has_issuer_fpr)
		return pgp_fail(why, -EBADMSG, "the signature names no issuer (subpacket 16 or 33)");
	for (size_t i = 0; i < kr->nkeys; i++) {
		if (!pgp_issuer_is(sig, &kr->keys[i]))
			continue;
		if (found >= 0 && memcmp(kr->keys[found].fpr, kr->keys[i].fpr, 20) == 0) {
			pgp_hex(kr->keys[i].fpr, 20, hex);
			return pgp_fail(why, -EBADMSG, "key %s is in the keyring more than once (merge it with gpg)", hex);
		}
		if (found >= 0) {
			pgp_hex(kr->keys[i].id, 8, hex);
			return pgp_fail(why, -EBADMSG, "key ID %s names more than one key", hex);
		}
		found = (int)i;
	}
	if (found < 0) {
		if (sig->has_issuer_fpr)
			pgp_hex(sig->issuer_fpr, 20, hex);
		else
			pgp_hex(sig->issuer, 8, hex);
		return pgp_fail(why, -ENOKEY, "%s", hex);
	}
	return found;
}
