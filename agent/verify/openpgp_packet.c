/* openpgp_packet.c - the OpenPGP v4 format (RFC 4880, RFC 9580), strictly: the detached signature
 * comes from the network, the keyring from the initramfs; both are bounded and checked octet by
 * octet. Packets: old and new headers, no partial or indeterminate lengths, a length never past the
 * end. MPIs: exact bit counts. Subpacket areas: fully parsed, each single-valued kind once, an
 * unknown critical subpacket remembered so that the signature it is in can be refused. Signature
 * packets are read in openpgp_sig.c, key packets in openpgp_key.c. */
#define _GNU_SOURCE
#include "verify/openpgp_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verify/sha512list.h"

/* Write the cause into WHY and return ERR. */
int pgp_fail(char *why, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, PGP_WHY, fmt, ap);
	va_end(ap);
	return err;
}

/* The N octets at B as upper-case hex. */
void pgp_hex(const uint8_t *b, size_t n, char *out)
{
	hex_encode(b, n, out);
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

/* T (seconds since the epoch) as "YYYY-MM-DD HH:MM:SS UTC" into OUT (32 bytes). */
const char *pgp_date(uint64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "@%llu", (unsigned long long)t);
	return out;
}

/* A name for packet tag TAG, for messages. */
const char *pgp_tag_name(unsigned tag)
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
const char *pgp_pk_name(unsigned a)
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
		return pgp_fail(why, -EBADMSG, "packet at offset %zu has an indeterminate length", o);
	size_t ln = (size_t)1 << lt;
	if (len - o < 1 + ln)
		return pgp_fail(why, -EBADMSG, "packet header at offset %zu is truncated", o);
	*n = ln == 1 ? d[o + 1] : ln == 2 ? pgp_be16(d + o + 1) : pgp_be32(d + o + 1);
	*hdr = 1 + ln;
	return 0;
}

/* The length of a new-format header (CTB at D[O]) into *HDR and *N; partial lengths refused. */
static int new_length(const uint8_t *d, size_t len, size_t o, size_t *hdr, size_t *n, char *why)
{
	if (len - o < 2)
		return pgp_fail(why, -EBADMSG, "packet header at offset %zu is truncated", o);
	uint8_t a = d[o + 1];
	size_t need = a < 192 ? 2 : a < 224 ? 3 : a == 255 ? 6 : 0;
	if (need == 0)
		return pgp_fail(why, -EBADMSG, "packet at offset %zu has a partial length (not allowed here)", o);
	if (len - o < need)
		return pgp_fail(why, -EBADMSG, "packet header at offset %zu is truncated", o);
	*n = a < 192 ? a : a < 224 ? ((size_t)(a - 192) << 8) + d[o + 2] + 192 : pgp_be32(d + o + 2);
	*hdr = need;
	return 0;
}

/* Parse the packet at *OFF of the LEN octets at D into PK and move *OFF past it. */
int pgp_packet_next(const uint8_t *d, size_t len, size_t *off, struct pgp_packet *pk, char *why)
{
	size_t o = *off, hdr = 0, n = 0;
	uint8_t ctb = d[o];
	if (!(ctb & 0x80))
		return pgp_fail(why, -EBADMSG, "octet 0x%02x at offset %zu is not a packet header", ctb, o);
	bool newfmt = ctb & 0x40;
	unsigned tag = newfmt ? ctb & 0x3f : (ctb >> 2) & 0x0f;
	int r = newfmt ? new_length(d, len, o, &hdr, &n, why) : old_length(d, len, o, &hdr, &n, why);
	if (r < 0)
		return r;
	if (tag == 0)
		return pgp_fail(why, -EBADMSG, "packet at offset %zu has the reserved tag 0", o);
	if (n > len - o - hdr)
		return pgp_fail(why, -EBADMSG, "%s packet at offset %zu is %zu octets long, past the end of the file",
				pgp_tag_name(tag), o, n);
	*pk = (struct pgp_packet){.tag = (uint8_t)tag, .body = d + o + hdr, .len = n, .off = o};
	*off = o + hdr + n;
	return 0;
}

/* Refuse ASCII armor with a cause that says what to do. */
int pgp_not_armored(const uint8_t *d, size_t len, const char *what, char *why)
{
	if (len >= 5 && memcmp(d, "-----", 5) == 0)
		return pgp_fail(why, -EBADMSG, "%s is ASCII-armored; a binary one is expected (gpg --dearmor)", what);
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
int pgp_read_mpi(const uint8_t *p, size_t len, size_t *off, struct pgp_mpi *m, char *why)
{
	if (len - *off < 2)
		return pgp_fail(why, -EBADMSG, "truncated MPI");
	unsigned bits = pgp_be16(p + *off);
	size_t n = (bits + 7) / 8;
	if (bits == 0)
		return pgp_fail(why, -EBADMSG, "zero MPI");
	if (len - *off - 2 < n)
		return pgp_fail(why, -EBADMSG, "truncated MPI (%u bits)", bits);
	const uint8_t *v = p + *off + 2;
	if (bitlen8(v[0]) != bits - 8 * (n - 1))
		return pgp_fail(why, -EBADMSG, "MPI bit count %u does not match its value", bits);
	*m = (struct pgp_mpi){.p = v, .len = n};
	*off += 2 + n;
	return 0;
}

/* The bit length of M. */
size_t pgp_mpi_bits(const struct pgp_mpi *m)
{
	return (m->len - 1) * 8 + bitlen8(m->p[0]);
}

/* ---- subpackets -------------------------------------------------------------------------- */

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
		return pgp_fail(why, -EBADMSG, "subpacket %u is %zu octets long (4 expected)", type, n);
	*out = pgp_be32(d);
	return 0;
}

/* An issuer fingerprint subpacket (33) of N octets at D into SIG. */
static int fpr_subpacket(struct pgp_sig *sig, const uint8_t *d, size_t n, char *why)
{
	if (n < 1 || d[0] != 4 || n != 21)
		return pgp_fail(why, -EBADMSG, "issuer fingerprint subpacket is not a version 4 fingerprint");
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
			return pgp_fail(why, -EBADMSG, "issuer subpacket is %zu octets long (8 expected)", n);
		memcpy(sig->issuer, d, 8);
		sig->has_issuer = true;
		return 0;
	case 27: /* key flags */
		if (n < 1)
			return pgp_fail(why, -EBADMSG, "empty key flags subpacket");
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
		return pgp_fail(why, -EBADMSG, "truncated subpacket length");
	*n = a < 192 ? a : a < 255 ? ((size_t)(a - 192) << 8) + p[1] + 192 : pgp_be32(p + 1);
	if (*n == 0 || *n > left - *hdr)
		return pgp_fail(why, -EBADMSG, "subpacket length %zu does not fit its area", *n);
	return 0;
}

/* Parse the subpacket area of LEN octets at P into SIG; each kind that has one value may appear
 * once per area. */
int pgp_subpacket_area(const uint8_t *p, size_t len, bool hashed, struct pgp_sig *sig, char *why)
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
			return pgp_fail(why, -EBADMSG, "subpacket %u appears twice in the %s area", type,
					hashed ? "hashed" : "unhashed");
		seen |= once ? (uint64_t)1 << type : 0;
		r = subpacket(sig, type, p[o + hdr] & 0x80, p + o + hdr + 1, n - 1, hashed, why);
		if (r < 0)
			return r;
		o += hdr + n;
	}
	if (hashed && !(seen >> 2 & 1))
		return pgp_fail(why, -EBADMSG, "no signature creation time in the hashed area");
	return 0;
}

/* Take the issuer and embedded signature of the unhashed area U where the hashed area had none;
 * an issuer given in both must agree. */
int pgp_subpacket_merge(struct pgp_sig *sig, const struct pgp_sig *u, char *why)
{
	if (u->has_issuer && sig->has_issuer && memcmp(u->issuer, sig->issuer, 8) != 0)
		return pgp_fail(why, -EBADMSG, "the hashed and unhashed issuer key IDs differ");
	if (u->has_issuer_fpr && sig->has_issuer_fpr && memcmp(u->issuer_fpr, sig->issuer_fpr, 20) != 0)
		return pgp_fail(why, -EBADMSG, "the hashed and unhashed issuer fingerprints differ");
	if (u->has_issuer && !sig->has_issuer)
		memcpy(sig->issuer, u->issuer, 8), sig->has_issuer = true;
	if (u->has_issuer_fpr && !sig->has_issuer_fpr)
		memcpy(sig->issuer_fpr, u->issuer_fpr, 20), sig->has_issuer_fpr = true;
	if (u->embedded && !sig->embedded)
		sig->embedded = u->embedded, sig->embedded_len = u->embedded_len;
	if (sig->critical < 0)
		sig->critical = u->critical;
	if (sig->has_issuer && sig->has_issuer_fpr && memcmp(sig->issuer, sig->issuer_fpr + 12, 8) != 0)
		return pgp_fail(why, -EBADMSG, "the issuer key ID and fingerprint differ");
	return 0;
}
