/* openpgp_sig.c - OpenPGP v4 signature packets and their verification. Signatures: version 4
 * only, both subpacket areas parsed (openpgp_packet.c), MPIs with exact bit counts, nothing after
 * the last value; a detached signature file is exactly one signature packet over binary data
 * (type 0x00). Digests: SHA-224 to SHA-512; MD5, SHA-1 and RIPEMD-160 are refused, for key
 * signatures as well. Verification: the v4 trailer, the left 16 bits, then RSA PKCS#1 v1.5, ECDSA
 * or Ed25519 through libcrypto. */
#define _GNU_SOURCE
#include "verify/openpgp_int.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <string.h>

/* ---- signature packets ------------------------------------------------------------------ */

/* The signature values for public-key algorithm PK, from *OFF of the LEN octets at P. */
static int sig_values(const uint8_t *p, size_t len, size_t *off, struct pgp_sig *sig, char *why)
{
	int r;
	switch (sig->pk_algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S:
		return pgp_read_mpi(p, len, off, &sig->value[0], why);
	case PGP_PK_ECDSA:
	case PGP_PK_EDDSA:
		if ((r = pgp_read_mpi(p, len, off, &sig->value[0], why)) < 0)
			return r;
		return pgp_read_mpi(p, len, off, &sig->value[1], why);
	case PGP_PK_ED25519:
		if (len - *off < 64)
			return pgp_fail(why, -EBADMSG, "truncated Ed25519 signature");
		sig->value[0] = (struct pgp_mpi){.p = p + *off, .len = 64};
		*off += 64;
		return 0;
	default:
		return pgp_fail(why, -EBADMSG, "public-key algorithm %u (%s) is not supported", sig->pk_algo,
				pgp_pk_name(sig->pk_algo));
	}
}

/* Parse a v4 signature packet body. */
int pgp_sig_parse(const uint8_t *p, size_t len, struct pgp_sig *sig, char *why)
{
	*sig = (struct pgp_sig){.critical = -1};
	if (len < 1)
		return pgp_fail(why, -EBADMSG, "empty signature packet");
	if (p[0] != 4)
		return pgp_fail(why, -EBADMSG, "version %u signature (only version 4 is supported)", p[0]);
	if (len < 6 || len - 6 < pgp_be16(p + 4) + 2)
		return pgp_fail(why, -EBADMSG, "truncated signature packet");
	sig->type = p[1], sig->pk_algo = p[2], sig->hash_algo = p[3];
	sig->hashed = p + 6;
	sig->hashed_len = pgp_be16(p + 4);
	int r = pgp_subpacket_area(sig->hashed, sig->hashed_len, true, sig, why);
	if (r < 0)
		return r;
	size_t o = 6 + sig->hashed_len, ulen = pgp_be16(p + o);
	struct pgp_sig u = {.critical = -1};
	if (len - o - 2 < ulen + 2)
		return pgp_fail(why, -EBADMSG, "truncated signature packet");
	if ((r = pgp_subpacket_area(p + o + 2, ulen, false, &u, why)) < 0 || (r = pgp_subpacket_merge(sig, &u, why)) < 0)
		return r;
	o += 2 + ulen;
	sig->prefix[0] = p[o], sig->prefix[1] = p[o + 1];
	o += 2;
	if ((r = sig_values(p, len, &o, sig, why)) < 0)
		return r;
	if (o != len)
		return pgp_fail(why, -EBADMSG, "%zu octets after the signature values", len - o);
	return 0;
}

/* The digest of hash algorithm ALGO, NULL when not accepted. */
const EVP_MD *pgp_md(uint8_t algo)
{
	switch (algo) {
	case 8: return EVP_sha256();
	case 9: return EVP_sha384();
	case 10: return EVP_sha512();
	case 11: return EVP_sha224();
	default: return NULL;
	}
}

/* Whether hash algorithm ALGO is accepted; the cause in WHY when not. */
static int hash_ok(uint8_t algo, char *why)
{
	static const char *const weak[] = {NULL, "MD5", "SHA-1", "RIPEMD-160"};
	if (pgp_md(algo))
		return 0;
	if (algo >= 1 && algo <= 3)
		return pgp_fail(why, -EBADMSG, "hash algorithm %s (%u) is refused as too weak", weak[algo], algo);
	return pgp_fail(why, -EBADMSG, "hash algorithm %u is not supported", algo);
}

/* Parse a detached signature file and apply the document rules. */
int pgp_detached_parse(const uint8_t *data, size_t len, struct pgp_sig *sig, char *why)
{
	struct pgp_packet pk, next;
	char ignored[PGP_WHY];
	size_t off = 0;
	int r;
	if (len == 0)
		return pgp_fail(why, -EBADMSG, "the file is empty");
	if ((r = pgp_not_armored(data, len, "the signature", why)) < 0 ||
	    (r = pgp_packet_next(data, len, &off, &pk, why)) < 0)
		return r;
	if (pk.tag != TAG_SIG)
		return pgp_fail(why, -EBADMSG, "a %s packet (tag %u) where a signature packet was expected",
				pgp_tag_name(pk.tag), pk.tag);
	if (off != len && pgp_packet_next(data, len, &off, &next, ignored) == 0 && next.tag == TAG_SIG)
		return pgp_fail(why, -EBADMSG, "more than one signature packet (exactly one is accepted)");
	if (off != len)
		return pgp_fail(why, -EBADMSG, "data after the signature packet");
	if ((r = pgp_sig_parse(pk.body, pk.len, sig, why)) < 0)
		return r;
	if (sig->type == PGP_SIG_TEXT)
		return pgp_fail(why, -EBADMSG,
				"a text-mode signature (type 0x01); the image needs a binary one (type 0x00)");
	if (sig->type != PGP_SIG_BINARY)
		return pgp_fail(why, -EBADMSG, "signature type 0x%02x is not a signature of binary data (0x00)",
				sig->type);
	if ((r = hash_ok(sig->hash_algo, why)) < 0)
		return r;
	if (sig->critical >= 0)
		return pgp_fail(why, -EBADMSG, "unknown critical subpacket %d", sig->critical);
	if (!sig->has_issuer && !sig->has_issuer_fpr)
		return pgp_fail(why, -EBADMSG, "the signature names no issuer (subpacket 16 or 33)");
	return 0;
}

/* Not expired at NOW. A signature made after NOW is taken, as gpgv takes it (a clock that lags,
 * such as a dead RTC set to the build time, must not refuse every image signed since); what
 * bounds it is its key's creation, which pgp_key_check compares. */
int pgp_sig_times(const struct pgp_sig *sig, time_t now, char *why)
{
	char d[32];
	if (sig->expires && (int64_t)sig->created + sig->expires <= (int64_t)now)
		return pgp_fail(why, -EBADMSG, "the signature expired on %s",
				pgp_date((uint64_t)sig->created + sig->expires, d));
	return 0;
}

/* ---- hashing and verification ----------------------------------------------------------- */

/* Add SIG's v4 trailer: version, type, algorithms, hashed area, then 0x04 0xFF and its length. */
int pgp_hash_trailer(EVP_MD_CTX *ctx, const struct pgp_sig *sig)
{
	size_t n = 6 + sig->hashed_len;
	uint8_t head[6] = {4, sig->type, sig->pk_algo, sig->hash_algo, (uint8_t)(sig->hashed_len >> 8),
			   (uint8_t)sig->hashed_len};
	uint8_t tail[6] = {4, 0xff, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
	if (EVP_DigestUpdate(ctx, head, 6) != 1 || EVP_DigestUpdate(ctx, sig->hashed, sig->hashed_len) != 1 ||
	    EVP_DigestUpdate(ctx, tail, 6) != 1)
		return -EIO;
	return 0;
}

/* Copy M right-aligned into the LEN octets at OUT; false if it does not fit. */
static bool pad_left(const struct pgp_mpi *m, uint8_t *out, size_t len)
{
	if (m->len > len)
		return false;
	memset(out, 0, len - m->len);
	memcpy(out + len - m->len, m->p, m->len);
	return true;
}

/* RSA PKCS#1 v1.5 with the DigestInfo of MD over DIG. */
static bool verify_rsa(EVP_PKEY *pkey, const EVP_MD *md, const struct pgp_sig *sig, const uint8_t *dig, size_t dlen)
{
	uint8_t s[RSA_MAX_BITS / 8];
	int size = EVP_PKEY_get_size(pkey);
	if (size <= 0 || (size_t)size > sizeof(s) || !pad_left(&sig->value[0], s, (size_t)size))
		return false;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	bool ok = ctx && EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		  EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 && EVP_PKEY_verify(ctx, s, (size_t)size, dig, dlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* ECDSA (r, s) over the digest DIG. */
static bool verify_ecdsa(EVP_PKEY *pkey, const EVP_MD *md, const struct pgp_sig *sig, const uint8_t *dig, size_t dlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig->value[0].p, (int)sig->value[0].len, NULL);
	BIGNUM *s = BN_bin2bn(sig->value[1].p, (int)sig->value[1].len, NULL);
	unsigned char *der = NULL;
	int dn = -1;
	if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1)
		r = s = NULL, dn = i2d_ECDSA_SIG(es, &der);
	EVP_PKEY_CTX *ctx = dn > 0 ? EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL) : NULL;
	bool ok = ctx && EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
		  EVP_PKEY_verify(ctx, der, (size_t)dn, dig, dlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ok;
}

/* Ed25519 over the digest octets DIG (both EdDSA legacy r, s and RFC 9580's 64 octets). */
static bool verify_ed25519(EVP_PKEY *pkey, const struct pgp_sig *sig, const uint8_t *dig, size_t dlen)
{
	uint8_t s[64];
	if (sig->pk_algo == PGP_PK_ED25519)
		memcpy(s, sig->value[0].p, 64);
	else if (!pad_left(&sig->value[0], s, 32) || !pad_left(&sig->value[1], s + 32, 32))
		return false;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
		  EVP_DigestVerify(ctx, s, 64, dig, dlen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Finish CTX with SIG's trailer, compare the left 16 bits, verify with PKEY. */
int pgp_verify_final(EVP_MD_CTX *ctx, const struct pgp_sig *sig, EVP_PKEY *pkey, char *why)
{
	uint8_t dig[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	const EVP_MD *md = pgp_md(sig->hash_algo);
	if (!md || pgp_hash_trailer(ctx, sig) < 0 || EVP_DigestFinal_ex(ctx, dig, &dlen) != 1)
		return pgp_fail(why, -EIO, "cannot compute the digest");
	if (dig[0] != sig->prefix[0] || dig[1] != sig->prefix[1])
		return pgp_fail(why, -EBADMSG,
				"the digest does not match (left 16 bits %02X%02X, the signature has %02X%02X)",
				dig[0], dig[1], sig->prefix[0], sig->prefix[1]);
	bool ok = false;
	switch (sig->pk_algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S: ok = verify_rsa(pkey, md, sig, dig, dlen); break;
	case PGP_PK_ECDSA: ok = verify_ecdsa(pkey, md, sig, dig, dlen); break;
	case PGP_PK_EDDSA:
	case PGP_PK_ED25519: ok = verify_ed25519(pkey, sig, dig, dlen); break;
	}
	ERR_clear_error();
	return ok ? 0 : pgp_fail(why, -EBADMSG, "the signature does not verify");
}
