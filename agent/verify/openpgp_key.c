/* openpgp_key.c - OpenPGP v4 public keys, keyrings and key validity.
 *
 * Keys: version 4 RSA (2048 to 16384 bits), ECDSA on P-256/P-384/P-521, EdDSA legacy on Ed25519
 * and RFC 9580 Ed25519; any other key is kept but cannot verify. A keyring is what `gpg --export`
 * writes: transferable public keys, binary, one after the other.
 *
 * Key validity follows gpgv with a keyring whose keys are all trusted: the primary key needs a
 * valid self-certification on a user ID that is not revoked; a subkey needs a valid binding by its
 * primary, whose key flags (if any) allow signing, with an embedded back-signature by the subkey;
 * a verified revocation, an expiry (subpacket 9 of the newest valid self-signature or binding)
 * or an unknown critical subpacket makes a key or signature unusable. */
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
static bool issuer_is(const struct pgp_sig *sig, const struct pgp_key *k)
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
		if (!issuer_is(sig, &kr->keys[i]))
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

/* ---- key validity ----------------------------------------------------------------------- */

/* Whether a signature of algorithm SIG_ALGO can come from a key of algorithm KEY_ALGO. */
static bool algo_matches(uint8_t key_algo, uint8_t sig_algo)
{
	bool key_rsa = key_algo == PGP_PK_RSA || key_algo == PGP_PK_RSA_S;
	bool sig_rsa = sig_algo == PGP_PK_RSA || sig_algo == PGP_PK_RSA_S;
	return key_rsa ? sig_rsa : key_algo == sig_algo;
}

/* Hash the key K as signatures cover it: 0x99, its 2-octet length, its body. */
static bool hash_key(EVP_MD_CTX *ctx, const struct pgp_key *k)
{
	uint8_t head[3] = {0x99, (uint8_t)(k->len >> 8), (uint8_t)k->len};
	return EVP_DigestUpdate(ctx, head, 3) == 1 && EVP_DigestUpdate(ctx, k->body, k->len) == 1;
}

/* Hash the user ID U: 0xB4, its 4-octet length, its octets. */
static bool hash_uid(EVP_MD_CTX *ctx, const struct pgp_packet *u)
{
	uint8_t head[5] = {0xb4, (uint8_t)(u->len >> 24), (uint8_t)(u->len >> 16), (uint8_t)(u->len >> 8), (uint8_t)u->len};
	return EVP_DigestUpdate(ctx, head, 5) == 1 && EVP_DigestUpdate(ctx, u->body, u->len) == 1;
}

/* What a key signature covers: the primary key, then a subkey or a user ID (or neither). */
struct covered {
	const struct pgp_key *primary, *sub;
	const struct pgp_packet *uid;
};

/* Whether key signature SIG was made by SIGNER over WHAT and, when TIMED, is in force at NOW:
 * made after the keys it covers and not in the future, not expired. */
static bool key_sig_valid(const struct pgp_key *signer, const struct pgp_sig *sig, const struct covered *what,
			  bool timed, time_t now)
{
	const EVP_MD *md = pgp_md(sig->hash_algo);
	char why[PGP_WHY];
	if (!signer->pkey || !md || sig->critical >= 0 || !algo_matches(signer->algo, sig->pk_algo) ||
	    (size_t)EVP_MD_get_size(md) < signer->min_digest ||
	    (!issuer_is(sig, signer) && (sig->has_issuer || sig->has_issuer_fpr)))
		return false;
	if (timed && (sig->created < what->primary->created || (what->sub && sig->created < what->sub->created) ||
		      (int64_t)sig->created > (int64_t)now ||
		      (sig->expires && (int64_t)sig->created + sig->expires <= (int64_t)now)))
		return false;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1 && hash_key(ctx, what->primary) &&
		  (!what->sub || hash_key(ctx, what->sub)) && (!what->uid || hash_uid(ctx, what->uid)) &&
		  pgp_verify_final(ctx, sig, signer->pkey, why) == 0;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The packet index where the transferable key starting at packet START ends. */
static size_t cert_end(const struct pgp_keyring *kr, size_t start)
{
	size_t i = start + 1;
	while (i < kr->npkts && kr->pkts[i].tag != TAG_PUBKEY)
		i++;
	return i;
}

/* The newest valid self-signature: what it says about the key. */
struct selfsig {
	bool found;
	uint32_t created, key_expires;
	bool has_flags;
	uint8_t flags;
};

/* Keep SIG in BEST if it is not older (a later packet wins a tie). */
static void take_newer(struct selfsig *best, const struct pgp_sig *sig)
{
	if (best->found && sig->created < best->created)
		return;
	*best = (struct selfsig){.found = true, .created = sig->created, .key_expires = sig->key_expires,
				 .has_flags = sig->has_flags, .flags = sig->flags};
}

/* The state of a primary key, collected from its signatures. */
struct primary_state {
	bool revoked, has_uid;
	struct selfsig best;
};

/* One user ID's self-certifications and revocations. */
struct uid_state {
	const struct pgp_packet *uid; /* NULL: not in a user ID */
	struct selfsig cert;
	bool revoked;
	uint32_t revoked_at;
};

/* End user ID U: it counts if it has a valid self-certification newer than any revocation. */
static void uid_done(struct uid_state *u, struct primary_state *st)
{
	if (u->uid && u->cert.found && !(u->revoked && u->revoked_at >= u->cert.created)) {
		st->has_uid = true;
		if (!st->best.found || u->cert.created >= st->best.created)
			st->best = u->cert;
	}
	*u = (struct uid_state){0};
}

/* Apply signature SIG found in user ID U of primary key PK. */
static void uid_sig(const struct pgp_key *pk, const struct pgp_sig *sig, struct uid_state *u, time_t now)
{
	struct covered what = {.primary = pk, .uid = u->uid};
	if (sig->type >= PGP_SIG_CERT_GENERIC && sig->type <= PGP_SIG_CERT_POSITIVE) {
		if (key_sig_valid(pk, sig, &what, true, now))
			take_newer(&u->cert, sig);
	} else if (sig->type == PGP_SIG_CERT_REVOCATION && key_sig_valid(pk, sig, &what, false, now)) {
		if (!u->revoked || sig->created > u->revoked_at)
			u->revoked_at = sig->created;
		u->revoked = true;
	}
}

/* Walk the signatures of primary key PI: revocations, direct-key signatures, user IDs. */
static void primary_state(const struct pgp_keyring *kr, size_t pi, time_t now, struct primary_state *st)
{
	const struct pgp_key *pk = &kr->keys[pi];
	struct covered self = {.primary = pk};
	struct uid_state u = {0};
	bool in_primary = true;
	char why[PGP_WHY];
	*st = (struct primary_state){0};
	for (size_t i = pk->pkt + 1, end = cert_end(kr, pk->pkt); i < end; i++) {
		const struct pgp_packet *p = &kr->pkts[i];
		struct pgp_sig sig;
		if (p->tag == TAG_UID || p->tag == TAG_UATTR || p->tag == TAG_SUBKEY) {
			uid_done(&u, st);
			u.uid = p->tag == TAG_UID ? p : NULL;
			in_primary = false;
			continue;
		}
		if (p->tag != TAG_SIG || pgp_sig_parse(p->body, p->len, &sig, why) < 0)
			continue;
		if (sig.type == PGP_SIG_KEY_REVOCATION) /* wherever it was put: it can only cover the key */
			st->revoked |= key_sig_valid(pk, &sig, &self, false, now);
		else if (u.uid)
			uid_sig(pk, &sig, &u, now);
		else if (in_primary && sig.type == PGP_SIG_DIRECT_KEY && key_sig_valid(pk, &sig, &self, true, now))
			take_newer(&st->best, &sig);
	}
	uid_done(&u, st);
}

/* Whether key K, created at CREATED with the self-signature BEST, has expired at NOW; the
 * expiry into *AT (0 = never). */
static bool expired(uint32_t created, const struct selfsig *best, time_t now, uint64_t *at)
{
	*at = best->key_expires ? (uint64_t)created + best->key_expires : 0;
	return *at && (int64_t)*at <= (int64_t)now;
}

/* The newest valid binding of subkey SK by primary PK into *BEST; whether a verified
 * revocation exists into *REVOKED. */
static void subkey_bindings(const struct pgp_keyring *kr, const struct pgp_key *pk, const struct pgp_key *sk,
			    time_t now, struct pgp_sig *best, bool *found, bool *revoked)
{
	struct covered what = {.primary = pk, .sub = sk};
	char why[PGP_WHY];
	*found = *revoked = false;
	for (size_t i = sk->pkt + 1; i < kr->npkts; i++) {
		const struct pgp_packet *p = &kr->pkts[i];
		struct pgp_sig sig;
		if (p->tag != TAG_SIG && p->tag != TAG_TRUST)
			break;
		if (p->tag != TAG_SIG || pgp_sig_parse(p->body, p->len, &sig, why) < 0)
			continue;
		if (sig.type == PGP_SIG_SUBKEY_REVOCATION && key_sig_valid(pk, &sig, &what, false, now))
			*revoked = true;
		else if (sig.type == PGP_SIG_SUBKEY_BINDING && key_sig_valid(pk, &sig, &what, true, now) &&
			 (!*found || sig.created >= best->created))
			*best = sig, *found = true;
	}
}

/* Check subkey SK of primary PK for signing: binding, key flags, back-signature, revocation,
 * expiry; its expiry into *AT. */
static int subkey_check(const struct pgp_keyring *kr, const struct pgp_key *pk, const struct pgp_key *sk, time_t now,
			uint64_t *at, char *why)
{
	struct pgp_sig bind = {.critical = -1}, back;
	bool found, revoked;
	char s[41], p[41], d[32], ignored[PGP_WHY];
	pgp_hex(sk->fpr, 20, s);
	pgp_hex(pk->fpr, 20, p);
	subkey_bindings(kr, pk, sk, now, &bind, &found, &revoked);
	if (revoked)
		return pgp_fail(why, -EBADMSG, "subkey %s of key %s was revoked", s, p);
	if (!found)
		return pgp_fail(why, -EBADMSG, "subkey %s has no valid binding signature by its primary key %s", s, p);
	if (bind.has_flags && !(bind.flags & 0x02))
		return pgp_fail(why, -EBADMSG, "subkey %s may not sign data (key flags 0x%02X)", s, bind.flags);
	struct covered what = {.primary = pk, .sub = sk};
	if (!bind.embedded)
		return pgp_fail(why, -EBADMSG, "subkey %s has no back-signature (primary key binding) in its binding", s);
	if (pgp_sig_parse(bind.embedded, bind.embedded_len, &back, ignored) < 0 || back.type != PGP_SIG_PRIMARY_BINDING ||
	    !key_sig_valid(sk, &back, &what, true, now))
		return pgp_fail(why, -EBADMSG, "subkey %s has no valid back-signature (primary key binding)", s);
	struct selfsig b = {.found = true, .created = bind.created, .key_expires = bind.key_expires};
	if (expired(sk->created, &b, now, at))
		return pgp_fail(why, -EBADMSG, "subkey %s expired on %s", s, pgp_date(*at, d));
	return 0;
}

/* Check primary key PK: revocation, a valid user ID, expiry; its key flags for signing when it is
 * the signer (SIGNS); its expiry into *AT. */
static int primary_check(const struct pgp_keyring *kr, size_t pi, bool signs, time_t now, uint64_t *at, char *why)
{
	const struct pgp_key *pk = &kr->keys[pi];
	struct primary_state st;
	char p[41], d[32];
	pgp_hex(pk->fpr, 20, p);
	if (!pk->pkey)
		return pgp_fail(why, -EBADMSG, "key %s cannot verify its own signatures: %s", p, pk->unusable);
	primary_state(kr, pi, now, &st);
	if (st.revoked)
		return pgp_fail(why, -EBADMSG, "key %s was revoked", p);
	if (!st.has_uid)
		return pgp_fail(why, -EBADMSG, "key %s has no user ID with a valid self-signature", p);
	if (expired(pk->created, &st.best, now, at))
		return pgp_fail(why, -EBADMSG, "key %s expired on %s", p, pgp_date(*at, d));
	if (signs && st.best.has_flags && !(st.best.flags & 0x02))
		return pgp_fail(why, -EBADMSG, "key %s may not sign data (key flags 0x%02X)", p, st.best.flags);
	return 0;
}

/* Whether key KI may have made SIG at NOW. */
int pgp_key_check(const struct pgp_keyring *kr, size_t ki, const struct pgp_sig *sig, time_t now,
		  struct pgp_signer *out, char *why)
{
	const struct pgp_key *k = &kr->keys[ki];
	const EVP_MD *md = pgp_md(sig->hash_algo);
	uint64_t at = 0, sub_at = 0;
	char f[41], d[32], e[32];
	pgp_hex(k->fpr, 20, f);
	if (!k->pkey)
		return pgp_fail(why, -EBADMSG, "key %s cannot verify: %s", f, k->unusable);
	if (!algo_matches(k->algo, sig->pk_algo))
		return pgp_fail(why, -EBADMSG, "key %s is %s, the signature %s", f, pgp_pk_name(k->algo),
				pgp_pk_name(sig->pk_algo));
	if (!md || (size_t)EVP_MD_get_size(md) < k->min_digest)
		return pgp_fail(why, -EBADMSG, "the digest is too short for key %s (%zu octets at least)", f,
				k->min_digest);
	if ((int64_t)k->created > (int64_t)now)
		return pgp_fail(why, -EBADMSG, "key %s was created in the future (%s)", f, pgp_date(k->created, d));
	if (sig->created < k->created)
		return pgp_fail(why, -EBADMSG, "%s %s was created on %s, after the signature (%s)",
				ki == k->primary ? "key" : "subkey", f, pgp_date(k->created, e), pgp_date(sig->created, d));
	int r = primary_check(kr, k->primary, ki == k->primary, now, &at, why);
	if (r == 0 && ki != k->primary)
		r = subkey_check(kr, &kr->keys[k->primary], k, now, &sub_at, why);
	if (r < 0)
		return r;
	*out = (struct pgp_signer){.key = ki, .expires = sub_at && (!at || sub_at < at) ? sub_at : at};
	return 0;
}
