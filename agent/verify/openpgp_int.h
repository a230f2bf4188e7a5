/* openpgp_int.h - what the three parts of the OpenPGP code share and nothing else includes:
 * openpgp_packet.c (the format: packet headers, MPIs, subpacket areas, names for messages),
 * openpgp_sig.c (signature packets, digests, verification) and openpgp_key.c (keys, keyrings,
 * key validity). The public contract is openpgp.h; these follow it: a function that can fail
 * returns 0 or a negative errno (-EBADMSG for malformed input) with the cause, one short phrase,
 * in WHY (PGP_WHY bytes), and never logs. */
#ifndef PXEROOT_OPENPGP_INT_H
#define PXEROOT_OPENPGP_INT_H

#include "verify/openpgp.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384

/* The packet tags a detached signature or a keyring may hold. */
enum { TAG_SIG = 2, TAG_PUBKEY = 6, TAG_TRUST = 12, TAG_UID = 13, TAG_SUBKEY = 14, TAG_UATTR = 17 };

/* The big-endian 16-bit value at P. */
static inline uint32_t pgp_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* The big-endian 32-bit value at P. */
static inline uint32_t pgp_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Write the cause (FMT) into WHY and return ERR, so a check reads `return pgp_fail(why, ...)`. */
int pgp_fail(char *why, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* T (seconds since the epoch) as "YYYY-MM-DD HH:MM:SS UTC" into OUT (32 bytes); returns OUT. */
const char *pgp_date(uint64_t t, char out[32]);
/* A name for packet tag TAG, for messages ("other" when unknown). */
const char *pgp_tag_name(unsigned tag);
/* A name for public-key algorithm A, for messages ("unknown" when unknown). */
const char *pgp_pk_name(unsigned a);

/* Parse the packet whose header is at *OFF of the LEN octets at D (*OFF < LEN) into PK and move
 * *OFF past it. Old and new headers; partial and indeterminate lengths are refused, and so is a
 * length past the end. */
int pgp_packet_next(const uint8_t *d, size_t len, size_t *off, struct pgp_packet *pk, char *why);
/* 0, or -EBADMSG when the LEN octets at D are ASCII armor (WHAT names the file in the cause). */
int pgp_not_armored(const uint8_t *d, size_t len, const char *what, char *why);

/* Read the MPI at *OFF (<= LEN) of the LEN octets at P into M and move *OFF past it; its bit
 * count must be exact and non-zero. */
int pgp_read_mpi(const uint8_t *p, size_t len, size_t *off, struct pgp_mpi *m, char *why);
/* The bit length of M (a non-zero MPI read by pgp_read_mpi). */
size_t pgp_mpi_bits(const struct pgp_mpi *m);

/* Whether key K is the one SIG names as its issuer: fingerprint when given, else key ID. */
bool pgp_issuer_is(const struct pgp_sig *sig, const struct pgp_key *k);

/* Parse the subpacket area of LEN octets at P into SIG (HASHED: the hashed area, where times and
 * key flags count and a creation time is required). Each single-valued kind may appear once per
 * area; the first unknown critical subpacket goes into SIG->critical (start it at -1). */
int pgp_subpacket_area(const uint8_t *p, size_t len, bool hashed, struct pgp_sig *sig, char *why);
/* Take the issuers and embedded signature of the unhashed area U where SIG's hashed area had
 * none; an issuer given in both must agree, and so must the key ID and fingerprint. */
int pgp_subpacket_merge(struct pgp_sig *sig, const struct pgp_sig *u, char *why);

#endif
