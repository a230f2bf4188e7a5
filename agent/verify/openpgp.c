/* openpgp.c - OpenPGP v4 packets (RFC 4880, RFC 9580), strictly: the detached signature comes
 * from the network, the keyring from the initramfs; both are bounded and checked octet by octet.
 *
 * Packets: old and new headers, no partial or indeterminate lengths, a length never past the end.
 * Signatures: version 4 only, subpacket areas fully parsed, MPIs with exact bit counts, nothing
 * after the last value. Keys: version 4 RSA (2048 to 16384 bits), ECDSA on P-256/P-384/P-521,
 * EdDSA legacy on Ed25519 and RFC 9580 Ed25519; any other key is kept but cannot verify. Digests:
 * SHA-224 to SHA-512; MD5, SHA-1 and RIPEMD-160 are refused, for key signatures as well.
 *
 * Key validity follows gpgv with a keyring whose keys are all trusted: the primary key needs a
 * valid self-certification on a user ID that is not revoked; a subkey needs a valid binding by its
 * primary, whose key flags (if any) allow signing, with an embedded back-signature by the subkey;
 * a verified revocation, an expiry (subpacket 9 of the newest valid self-signature or binding)
 * or an unknown critical subpacket makes a key or signature unusable. */
#define _GNU_SOURCE
#include "verify/openpgp.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/sha512list.h"

#define MAX_PACKETS (1u << 18)
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384

enum { TAG_SIG = 2, TAG_PUBKEY = 6, TAG_TRUST = 12, TAG_UID = 13, TAG_SUBKEY = 14, TAG_UATTR = 17 };

/* Write the cause into WHY and return ERR. */
__attribute__((format(printf, 3, 4))) static int fail(char *why, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, PGP_WHY, fmt, ap);
	va_end(ap);
	return err;
}

/* Big-endian 16 and 32-bit values at P. */
static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The N octets at B as upper-case hex. */
void pgp_hex(const uint8_t *b, size_t n, char *out)
{
	hex_encode(b, n, out);
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

/* T (seconds since the epoch) as "YYYY-MM-DD HH:MM:SS UTC" into OUT (32 bytes). */
static const char *date(uint64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "@%llu", (unsigned long long)t);
	return out;
}

/* A name for packet tag TAG, for messages. */
static const char *tag_name(unsigned tag)
{
	switch (tag) {
	case 1: return "public-key encrypted session key";
	case 2: return "signature";
	case 4: return "one-pass signature";
	case 5: return "secret key";
	case 6: return "public key";
	case 7: return "secret subkey";
	case 8: return "compressed data";
	case 10: return "marker";
	case 11: return "literal data";
	case 12: return "trust";
	case 13: return "user ID";
	case 14: return "public subkey";
	case 17: return "user attribute";
	default: return "other";
	}
}

/* A name for public-key algorithm A, for messages. */
static const char *pk_name(unsigned a)
{
	switch (a) {
	case 1: return "RSA";
	case 2: return "RSA encrypt-only";
	case 3: return "RSA sign-only";
	case 16: return "Elgamal";
	case 17: return "DSA";
	case 18: return "ECDH";
	case 19: return "ECDSA";
	case 22: return "EdDSA";
	case 25: return "X25519";
	case 26: return "X448";
	case 27: return "Ed25519";
	case 28: return "Ed448";
	default: return "unknown";
	}
}

/* ---- packets ---------------------------------------------------------------------------- */

/* The length of an old-format header (CTB at D[O]) into *HDR and *N. */
static int old_length(const uint8_t *d, size_t len, size_t o, size_t *hdr, size_t *n, char *why)
{
	unsigned lt = d[o] & 3;
	if (lt == 3)
		return fail(why, -EBADMSG, "packet at offset %zu has an indeterminate length", o);
	size_t ln = (size_t)1 << lt;
	if (len - o < 1 + ln)
		return fail(why, -EBADMSG, "packet header at offset %zu is truncated", o);
	*n = ln == 1 ? d[o + 1] : ln == 2 ? be16(d + o + 1) : be32(d + o + 1);
	*hdr = 1 + ln;
	return 0;
}

/* The length of a new-format header (CTB at D[O]) into *HDR and *N; partial lengths refused. */
static int new_length(const uint8_t *d, size_t len, size_t o, size_t *hdr, size_t *n, char *why)
{
	if (len - o < 2)
		return fail(why, -EBADMSG, "packet header at offset %zu is truncated", o);
	uint8_t a = d[o + 1];
	size_t need = a < 192 ? 2 : a < 224 ? 3 : a == 255 ? 6 : 0;
	if (need == 0)
		return fail(why, -EBADMSG, "packet at offset %zu has a partial length (not allowed here)", o);
	if (len - o < need)
		return fail(why, -EBADMSG, "packet header at offset %zu is truncated", o);
	*n = a < 192 ? a : a < 224 ? ((size_t)(a - 192) << 8) + d[o + 2] + 192 : be32(d + o + 2);
	*hdr = need;
	return 0;
}

/* Parse the packet at *OFF of the LEN octets at D into PK and move *OFF past it. */
static int packet_next(const uint8_t *d, size_t len, size_t *off, struct pgp_packet *pk, char *why)
{
	size_t o = *off, hdr = 0, n = 0;
	uint8_t ctb = d[o];
	if (!(ctb & 0x80))
		return fail(why, -EBADMSG, "octet 0x%02x at offset %zu is not a packet header", ctb, o);
	bool newfmt = ctb & 0x40;
	unsigned tag = newfmt ? ctb & 0x3f : (ctb >> 2) & 0x0f;
	int r = newfmt ? new_length(d, len, o, &hdr, &n, why) : old_length(d, len, o, &hdr, &n, why);
	if (r < 0)
		return r;
	if (tag == 0)
		return fail(why, -EBADMSG, "packet at offset %zu has the reserved tag 0", o);
	if (n > len - o - hdr)
		return fail(why, -EBADMSG, "%s packet at offset %zu is %zu octets long, past the end of the file",
			    tag_name(tag), o, n);
	*pk = (struct pgp_packet){.tag = (uint8_t)tag, .body = d + o + hdr, .len = n, .off = o};
	*off = o + hdr + n;
	return 0;
}

/* Refuse ASCII armor with a cause that says what to do. */
static int not_armored(const uint8_t *d, size_t len, const char *what, char *why)
{
	if (len >= 5 && memcmp(d, "-----", 5) == 0)
		return fail(why, -EBADMSG, "%s is ASCII-armored; a binary one is expected (gpg --dearmor)", what);
	return 0;
}

/* ---- multiprecision integers ------------------------------------------------------------ */

/* The number of significant bits of the octet V. */
static unsigned bitlen8(uint8_t v)
{
	unsigned n = 0;
	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

/* Read an MPI at *OFF of the LEN octets at P; its bit count must be exact. */
static int read_mpi(const uint8_t *p, size_t len, size_t *off, struct pgp_mpi *m, char *why)
{
	if (len - *off < 2)
		return fail(why, -EBADMSG, "truncated MPI");
	unsigned bits = be16(p + *off);
	size_t n = (bits + 7) / 8;
	if (bits == 0)
		return fail(why, -EBADMSG, "zero MPI");
	if (len - *off - 2 < n)
		return fail(why, -EBADMSG, "truncated MPI (%u bits)", bits);
	const uint8_t *v = p + *off + 2;
	if (bitlen8(v[0]) != bits - 8 * (n - 1))
		return fail(why, -EBADMSG, "MPI bit count %u does not match its value", bits);
	*m = (struct pgp_mpi){.p = v, .len = n};
	*off += 2 + n;
	return 0;
}

/* The bit length of M. */
static size_t mpi_bits(const struct pgp_mpi *m)
{
	return (m->len - 1) * 8 + bitlen8(m->p[0]);
}

/* ---- signatures ------------------------------------------------------------------------- */

/* Whether subpacket TYPE is one this code knows and may ignore even when marked critical. */
static bool subpacket_ignorable(unsigned type)
{
	switch (type) {
	case 4:  /* exportable certification */
	case 5:  /* trust signature */
	case 7:  /* revocable */
	case 11: /* preferred symmetric algorithms */
	case 12: /* revocation key */
	case 21: /* preferred hash algorithms */
	case 22: /* preferred compression algorithms */
	case 23: /* key server preferences */
	case 24: /* preferred key server */
	case 25: /* primary user ID */
	case 26: /* policy URI */
	case 28: /* signer's user ID */
	case 29: /* reason for revocation */
	case 30: /* features */
	case 31: /* signature target */
	case 34: /* preferred AEAD algorithms */
	case 35: /* intended recipient fingerprint */
	case 39: /* preferred AEAD ciphersuites */
		return true;
	default:
		return false;
	}
}

/* A time subpacket (2, 3, 9) of N octets at D into *OUT. */
static int time_subpacket(const uint8_t *d, size_t n, unsigned type, uint32_t *out, char *why)
{
	if (n != 4)
		return fail(why, -EBADMSG, "subpacket %u is %zu octets long (4 expected)", type, n);
	*out = be32(d);
	return 0;
}

/* An issuer fingerprint subpacket (33) of N octets at D into SIG. */
static int fpr_subpacket(struct pgp_sig *sig, const uint8_t *d, size_t n, char *why)
{
	if (n < 1 || d[0] != 4 || n != 21)
		return fail(why, -EBADMSG, "issuer fingerprint subpacket is not a version 4 fingerprint");
	memcpy(sig->issuer_fpr, d + 1, 20);
	sig->has_issuer_fpr = true;
	return 0;
}

/* Apply one subpacket of type TYPE (N octets of data at D) to SIG. Times and key flags count only
 * from the hashed area (HASHED); issuers and the embedded signature from either. */
static int subpacket(struct pgp_sig *sig, unsigned type, bool critical, const uint8_t *d, size_t n, bool hashed,
		     char *why)
{
	uint32_t v = 0;
	int r = 0;
	switch (type) {
	case 2: /* signature creation time */
	case 3: /* signature expiration time */
	case 9: /* key expiration time */
		r = time_subpacket(d, n, type, &v, why);
		if (r == 0 && hashed)
			*(type == 2 ? &sig->created : type == 3 ? &sig->expires : &sig->key_expires) = v;
		return r;
	case 16: /* issuer key ID */
		if (n != 8)
			return fail(why, -EBADMSG, "issuer subpacket is %zu octets long (8 expected)", n);
		memcpy(sig->issuer, d, 8);
		sig->has_issuer = true;
		return 0;
	case 27: /* key flags */
		if (n < 1)
			return fail(why, -EBADMSG, "empty key flags subpacket");
		sig->flags = hashed ? d[0] : 0;
		sig->has_flags = hashed;
		return 0;
	case 32: /* embedded signature */
		sig->embedded = d;
		sig->embedded_len = n;
		return 0;
	case 33: /* issuer fingerprint */
		return fpr_subpacket(sig, d, n, why);
	default:
		if (critical && !subpacket_ignorable(type) && sig->critical < 0)
			sig->critical = (int)type;
		return 0;
	}
}

/* The length of the subpacket at P (LEFT octets remain) into *HDR and *N. */
static int subpacket_length(const uint8_t *p, size_t left, size_t *hdr, size_t *n, char *why)
{
	uint8_t a = p[0];
	*hdr = a < 192 ? 1 : a < 255 ? 2 : 5;
	if (left < *hdr)
		return fail(why, -EBADMSG, "truncated subpacket length");
	*n = a < 192 ? a : a < 255 ? ((size_t)(a - 192) << 8) + p[1] + 192 : be32(p + 1);
	if (*n == 0 || *n > left - *hdr)
		return fail(why, -EBADMSG, "subpacket length %zu does not fit its area", *n);
	return 0;
}

/* Parse the subpacket area of LEN octets at P into SIG; each kind that has one value may appear
 * once per area. */
static int parse_area(const uint8_t *p, size_t len, bool hashed, struct pgp_sig *sig, char *why)
{
	uint64_t seen = 0;
	size_t o = 0;
	while (o < len) {
		size_t hdr = 0, n = 0;
		int r = subpacket_length(p + o, len - o, &hdr, &n, why);
		if (r < 0)
			return r;
		unsigned type = p[o + hdr] & 0x7f;
		bool once = type == 2 || type == 3 || type == 9 || type == 16 || type == 27 || type == 32 || type == 33;
		if (once && (seen >> type & 1))
			return fail(why, -EBADMSG, "subpacket %u appears twice in the %s area", type,
				    hashed ? "hashed" : "unhashed");
		seen |= once ? (uint64_t)1 << type : 0;
		r = subpacket(sig, type, p[o + hdr] & 0x80, p + o + hdr + 1, n - 1, hashed, why);
		if (r < 0)
			return r;
		o += hdr + n;
	}
	if (hashed && !(seen >> 2 & 1))
		return fail(why, -EBADMSG, "no signature creation time in the hashed area");
	return 0;
}

/* Take the issuer and embedded signature of the unhashed area U where the hashed area had none;
 * an issuer given in both must agree. */
static int merge_unhashed(struct pgp_sig *sig, const struct pgp_sig *u, char *why)
{
	if (u->has_issuer && sig->has_issuer && memcmp(u->issuer, sig->issuer, 8) != 0)
		return fail(why, -EBADMSG, "the hashed and unhashed issuer key IDs differ");
	if (u->has_issuer_fpr && sig->has_issuer_fpr && memcmp(u->issuer_fpr, sig->issuer_fpr, 20) != 0)
		return fail(why, -EBADMSG, "the hashed and unhashed issuer fingerprints differ");
	if (u->has_issuer && !sig->has_issuer)
		memcpy(sig->issuer, u->issuer, 8), sig->has_issuer = true;
	if (u->has_issuer_fpr && !sig->has_issuer_fpr)
		memcpy(sig->issuer_fpr, u->issuer_fpr, 20), sig->has_issuer_fpr = true;
	if (u->embedded && !sig->embedded)
		sig->embedded = u->embedded, sig->embedded_len = u->embedded_len;
	if (sig->critical < 0)
		sig->critical = u->critical;
	if (sig->has_issuer && sig->has_issuer_fpr && memcmp(sig->issuer, sig->issuer_fpr + 12, 8) != 0)
		return fail(why, -EBADMSG, "the issuer key ID and fingerprint differ");
	return 0;
}

/* The signature values for public-key algorithm PK, from *OFF of the LEN octets at P. */
static int sig_values(const uint8_t *p, size_t len, size_t *off, struct pgp_sig *sig, char *why)
{
	int r;
	switch (sig->pk_algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S:
		return read_mpi(p, len, off, &sig->value[0], why);
	case PGP_PK_ECDSA:
	case PGP_PK_EDDSA:
		if ((r = read_mpi(p, len, off, &sig->value[0], why)) < 0)
			return r;
		return read_mpi(p, len, off, &sig->value[1], why);
	case PGP_PK_ED25519:
		if (len - *off < 64)
			return fail(why, -EBADMSG, "truncated Ed25519 signature");
		sig->value[0] = (struct pgp_mpi){.p = p + *off, .len = 64};
		*off += 64;
		return 0;
	default:
		return fail(why, -EBADMSG, "public-key algorithm %u (%s) is not supported", sig->pk_algo,
			    pk_name(sig->pk_algo));
	}
}

/* Parse a v4 signature packet body. */
int pgp_sig_parse(const uint8_t *p, size_t len, struct pgp_sig *sig, char *why)
{
	*sig = (struct pgp_sig){.critical = -1};
	if (len < 1)
		return fail(why, -EBADMSG, "empty signature packet");
	if (p[0] != 4)
		return fail(why, -EBADMSG, "version %u signature (only version 4 is supported)", p[0]);
	if (len < 6 || len - 6 < be16(p + 4) + 2)
		return fail(why, -EBADMSG, "truncated signature packet");
	sig->type = p[1], sig->pk_algo = p[2], sig->hash_algo = p[3];
	sig->hashed = p + 6;
	sig->hashed_len = be16(p + 4);
	int r = parse_area(sig->hashed, sig->hashed_len, true, sig, why);
	if (r < 0)
		return r;
	size_t o = 6 + sig->hashed_len, ulen = be16(p + o);
	struct pgp_sig u = {.critical = -1};
	if (len - o - 2 < ulen + 2)
		return fail(why, -EBADMSG, "truncated signature packet");
	if ((r = parse_area(p + o + 2, ulen, false, &u, why)) < 0 || (r = merge_unhashed(sig, &u, why)) < 0)
		return r;
	o += 2 + ulen;
	sig->prefix[0] = p[o], sig->prefix[1] = p[o + 1];
	o += 2;
	if ((r = sig_values(p, len, &o, sig, why)) < 0)
		return r;
	if (o != len)
		return fail(why, -EBADMSG, "%zu octets after the signature values", len - o);
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
		return fail(why, -EBADMSG, "hash algorithm %s (%u) is refused as too weak", weak[algo], algo);
	return fail(why, -EBADMSG, "hash algorithm %u is not supported", algo);
}

/* Parse a detached signature file and apply the document rules. */
int pgp_detached_parse(const uint8_t *data, size_t len, struct pgp_sig *sig, char *why)
{
	struct pgp_packet pk, next;
	char ignored[PGP_WHY];
	size_t off = 0;
	int r;
	if (len == 0)
		return fail(why, -EBADMSG, "the file is empty");
	if ((r = not_armored(data, len, "the signature", why)) < 0 || (r = packet_next(data, len, &off, &pk, why)) < 0)
		return r;
	if (pk.tag != TAG_SIG)
		return fail(why, -EBADMSG, "a %s packet (tag %u) where a signature packet was expected",
			    tag_name(pk.tag), pk.tag);
	if (off != len && packet_next(data, len, &off, &next, ignored) == 0 && next.tag == TAG_SIG)
		return fail(why, -EBADMSG, "more than one signature packet (exactly one is accepted)");
	if (off != len)
		return fail(why, -EBADMSG, "data after the signature packet");
	if ((r = pgp_sig_parse(pk.body, pk.len, sig, why)) < 0)
		return r;
	if (sig->type == PGP_SIG_TEXT)
		return fail(why, -EBADMSG, "a text-mode signature (type 0x01); the image needs a binary one (type 0x00)");
	if (sig->type != PGP_SIG_BINARY)
		return fail(why, -EBADMSG, "signature type 0x%02x is not a signature of binary data (0x00)", sig->type);
	if ((r = hash_ok(sig->hash_algo, why)) < 0)
		return r;
	if (sig->critical >= 0)
		return fail(why, -EBADMSG, "unknown critical subpacket %d", sig->critical);
	if (!sig->has_issuer && !sig->has_issuer_fpr)
		return fail(why, -EBADMSG, "the signature names no issuer (subpacket 16 or 33)");
	return 0;
}

/* Not expired at NOW. A signature made after NOW is taken, as gpgv takes it (a clock that lags,
 * such as a dead RTC set to the build time, must not refuse every image signed since); what
 * bounds it is its key's creation, which pgp_key_check compares. */
int pgp_sig_times(const struct pgp_sig *sig, time_t now, char *why)
{
	char d[32];
	if (sig->expires && (int64_t)sig->created + sig->expires <= (int64_t)now)
		return fail(why, -EBADMSG, "the signature expired on %s", date((uint64_t)sig->created + sig->expires, d));
	return 0;
}

/* ---- keys ------------------------------------------------------------------------------- */

/* The curves ECDSA keys may use: OID (DER contents), OpenSSL group, field size, least digest. */
static const struct curve {
	uint8_t oid[9], oid_len;
	const char *group;
	size_t fsize, min_digest;
} curves[] = {
	{{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07}, 8, "P-256", 32, 32},
	{{0x2B, 0x81, 0x04, 0x00, 0x22}, 5, "P-384", 48, 48},
	{{0x2B, 0x81, 0x04, 0x00, 0x23}, 5, "P-521", 66, 64},
};
/* 1.3.6.1.4.1.11591.15.1, the Ed25519 OID of EdDSA legacy keys */
static const uint8_t ed25519_oid[] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01};

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
	if (read_mpi(k->body, k->len, off, &n, why) < 0 || read_mpi(k->body, k->len, off, &e, why) < 0)
		return unusable(k, "malformed RSA key (%s)", why);
	if (*off != k->len)
		return unusable(k, "malformed RSA key (trailing octets)");
	if (mpi_bits(&n) < RSA_MIN_BITS || mpi_bits(&n) > RSA_MAX_BITS)
		return unusable(k, "RSA key of %zu bits (%d to %d accepted)", mpi_bits(&n), RSA_MIN_BITS, RSA_MAX_BITS);
	if (!(e.p[e.len - 1] & 1) || mpi_bits(&e) < 2 || e.len > n.len)
		return unusable(k, "RSA key with an invalid public exponent");
	if (!(k->pkey = rsa_pkey(&n, &e)))
		return unusable(k, "RSA key rejected by libcrypto");
}

/* ECDSA key material at *OFF of key K. */
static void ecdsa_material(struct pgp_key *k, size_t *off)
{
	const uint8_t *oid;
	size_t oid_len;
	struct pgp_mpi q;
	char why[PGP_WHY];
	if (read_oid(k->body, k->len, off, &oid, &oid_len) < 0)
		return unusable(k, "malformed ECDSA key (curve OID)");
	const struct curve *c = NULL;
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (oid_len == curves[i].oid_len && memcmp(oid, curves[i].oid, oid_len) == 0)
			c = &curves[i];
	if (!c)
		return unusable(k, "ECDSA key on a curve that is not supported");
	if (read_mpi(k->body, k->len, off, &q, why) < 0 || *off != k->len)
		return unusable(k, "malformed ECDSA key (point)");
	if (q.len != 1 + 2 * c->fsize || q.p[0] != 0x04)
		return unusable(k, "ECDSA key point is not an uncompressed %s point", c->group);
	k->min_digest = c->min_digest;
	if (!(k->pkey = ec_pkey(c->group, q.p, q.len)))
		return unusable(k, "ECDSA key point is not on %s", c->group);
}

/* EdDSA legacy key material at *OFF of key K: the Ed25519 OID and a 0x40-prefixed point. */
static void eddsa_material(struct pgp_key *k, size_t *off)
{
	const uint8_t *oid;
	size_t oid_len;
	struct pgp_mpi q;
	char why[PGP_WHY];
	if (read_oid(k->body, k->len, off, &oid, &oid_len) < 0)
		return unusable(k, "malformed EdDSA key (curve OID)");
	if (oid_len != sizeof(ed25519_oid) || memcmp(oid, ed25519_oid, oid_len) != 0)
		return unusable(k, "EdDSA key on a curve other than Ed25519");
	if (read_mpi(k->body, k->len, off, &q, why) < 0 || *off != k->len || q.len != 33 || q.p[0] != 0x40)
		return unusable(k, "malformed EdDSA key (point)");
	k->min_digest = 32;
	if (!(k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, q.p + 1, 32)))
		return unusable(k, "Ed25519 key rejected by libcrypto");
}

/* Ed25519 (RFC 9580) key material at *OFF of key K: 32 octets. */
static void ed25519_material(struct pgp_key *k, size_t *off)
{
	if (k->len - *off != 32)
		return unusable(k, "malformed Ed25519 key");
	k->min_digest = 32;
	if (!(k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->body + *off, 32)))
		return unusable(k, "Ed25519 key rejected by libcrypto");
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
	k->created = be32(k->body + 1);
	k->algo = k->body[5];
	if (fingerprint(k) < 0)
		return -ENOMEM;
	switch (k->algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S: rsa_material(k, &off); break;
	case PGP_PK_ECDSA: ecdsa_material(k, &off); break;
	case PGP_PK_EDDSA: eddsa_material(k, &off); break;
	case PGP_PK_ED25519: ed25519_material(k, &off); break;
	default: unusable(k, "public-key algorithm %u (%s) cannot sign here", k->algo, pk_name(k->algo));
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
		int r = packet_next(data, len, &off, &pk, why);
		if (r < 0)
			return r;
		if (pk.tag != TAG_PUBKEY && pk.tag != TAG_SUBKEY && pk.tag != TAG_UID && pk.tag != TAG_UATTR &&
		    pk.tag != TAG_SIG && pk.tag != TAG_TRUST)
			return fail(why, -EBADMSG, "unexpected %s packet (tag %u) at offset %zu", tag_name(pk.tag),
				    pk.tag, pk.off);
		if (kr->npkts == 0 && pk.tag != TAG_PUBKEY)
			return fail(why, -EBADMSG, "the first packet is not a public key (tag %u)", pk.tag);
		if (kr->npkts == MAX_PACKETS)
			return fail(why, -EBADMSG, "more than %u packets", MAX_PACKETS);
		if (kr->npkts == cap) {
			cap = cap ? 2 * cap : 64;
			struct pgp_packet *p = realloc(kr->pkts, cap * sizeof(*p));
			if (!p)
				return fail(why, -ENOMEM, "out of memory");
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
		return fail(why, -EBADMSG, "the keyring is empty");
	if ((r = not_armored(data, len, "the keyring", why)) < 0 || (r = keyring_packets(data, len, kr, why)) < 0)
		return r;
	size_t n = 0, primary = 0;
	for (size_t i = 0; i < kr->npkts; i++)
		n += kr->pkts[i].tag == TAG_PUBKEY || kr->pkts[i].tag == TAG_SUBKEY;
	if (!(kr->keys = calloc(n, sizeof(*kr->keys))))
		return fail(why, -ENOMEM, "out of memory");
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
			return fail(why, -ENOMEM, "out of memory");
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
		return fail(why, -EBADMSG, "the signature names no issuer (subpacket 16 or 33)");
	for (size_t i = 0; i < kr->nkeys; i++) {
		if (!issuer_is(sig, &kr->keys[i]))
			continue;
		if (found >= 0 && memcmp(kr->keys[found].fpr, kr->keys[i].fpr, 20) == 0) {
			pgp_hex(kr->keys[i].fpr, 20, hex);
			return fail(why, -EBADMSG, "key %s is in the keyring more than once (merge it with gpg)", hex);
		}
		if (found >= 0) {
			pgp_hex(kr->keys[i].id, 8, hex);
			return fail(why, -EBADMSG, "key ID %s names more than one key", hex);
		}
		found = (int)i;
	}
	if (found < 0) {
		if (sig->has_issuer_fpr)
			pgp_hex(sig->issuer_fpr, 20, hex);
		else
			pgp_hex(sig->issuer, 8, hex);
		return fail(why, -ENOKEY, "%s", hex);
	}
	return found;
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
		return fail(why, -EIO, "cannot compute the digest");
	if (dig[0] != sig->prefix[0] || dig[1] != sig->prefix[1])
		return fail(why, -EBADMSG, "the digest does not match (left 16 bits %02X%02X, the signature has %02X%02X)",
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
	return ok ? 0 : fail(why, -EBADMSG, "the signature does not verify");
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
		return fail(why, -EBADMSG, "subkey %s of key %s was revoked", s, p);
	if (!found)
		return fail(why, -EBADMSG, "subkey %s has no valid binding signature by its primary key %s", s, p);
	if (bind.has_flags && !(bind.flags & 0x02))
		return fail(why, -EBADMSG, "subkey %s may not sign data (key flags 0x%02X)", s, bind.flags);
	struct covered what = {.primary = pk, .sub = sk};
	if (!bind.embedded)
		return fail(why, -EBADMSG, "subkey %s has no back-signature (primary key binding) in its binding", s);
	if (pgp_sig_parse(bind.embedded, bind.embedded_len, &back, ignored) < 0 || back.type != PGP_SIG_PRIMARY_BINDING ||
	    !key_sig_valid(sk, &back, &what, true, now))
		return fail(why, -EBADMSG, "subkey %s has no valid back-signature (primary key binding)", s);
	struct selfsig b = {.found = true, .created = bind.created, .key_expires = bind.key_expires};
	if (expired(sk->created, &b, now, at))
		return fail(why, -EBADMSG, "subkey %s expired on %s", s, date(*at, d));
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
		return fail(why, -EBADMSG, "key %s cannot verify its own signatures: %s", p, pk->unusable);
	primary_state(kr, pi, now, &st);
	if (st.revoked)
		return fail(why, -EBADMSG, "key %s was revoked", p);
	if (!st.has_uid)
		return fail(why, -EBADMSG, "key %s has no user ID with a valid self-signature", p);
	if (expired(pk->created, &st.best, now, at))
		return fail(why, -EBADMSG, "key %s expired on %s", p, date(*at, d));
	if (signs && st.best.has_flags && !(st.best.flags & 0x02))
		return fail(why, -EBADMSG, "key %s may not sign data (key flags 0x%02X)", p, st.best.flags);
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
		return fail(why, -EBADMSG, "key %s cannot verify: %s", f, k->unusable);
	if (!algo_matches(k->algo, sig->pk_algo))
		return fail(why, -EBADMSG, "key %s is %s, the signature %s", f, pk_name(k->algo), pk_name(sig->pk_algo));
	if (!md || (size_t)EVP_MD_get_size(md) < k->min_digest)
		return fail(why, -EBADMSG, "the digest is too short for key %s (%zu octets at least)", f, k->min_digest);
	if ((int64_t)k->created > (int64_t)now)
		return fail(why, -EBADMSG, "key %s was created in the future (%s)", f, date(k->created, d));
	if (sig->created < k->created)
		return fail(why, -EBADMSG, "%s %s was created on %s, after the signature (%s)",
			    ki == k->primary ? "key" : "subkey", f, date(k->created, e), date(sig->created, d));
	int r = primary_check(kr, k->primary, ki == k->primary, now, &at, why);
	if (r == 0 && ki != k->primary)
		r = subkey_check(kr, &kr->keys[k->primary], k, now, &sub_at, why);
	if (r < 0)
		return r;
	*out = (struct pgp_signer){.key = ki, .expires = sub_at && (!at || sub_at < at) ? sub_at : at};
	return 0;
}
