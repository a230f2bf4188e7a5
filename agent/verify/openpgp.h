/* openpgp.h - OpenPGP v4 (RFC 4880, RFC 9580) detached signatures and binary keyrings, parsed as
 * untrusted input, and the checks gpgv makes before it believes a signature: the signing key is
 * in the keyring, it is a primary key with a valid self-certification or a subkey with a valid
 * binding and back-signature, neither is revoked nor expired, and the signature verifies.
 *
 * Parsed objects point into the caller's buffers, which must outlive them. Functions return 0 or
 * a negative errno and write the cause (one short phrase, no trailing period) into WHY, which
 * holds PGP_WHY bytes; they never log: the caller logs the cause with the URL or file it
 * concerns. The code is in openpgp_packet.c (the format), openpgp_sig.c (signatures) and
 * openpgp_key.c (keys, keyrings, key validity). */
#ifndef PXEROOT_OPENPGP_H
#define PXEROOT_OPENPGP_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PGP_WHY 192

/* Public-key algorithms that can verify. */
enum {
	PGP_PK_RSA = 1,      /* RSA, encrypt or sign */
	PGP_PK_RSA_S = 3,    /* RSA, sign only */
	PGP_PK_ECDSA = 19,   /* NIST P-256, P-384, P-521 */
	PGP_PK_EDDSA = 22,   /* EdDSA legacy, Ed25519 only */
	PGP_PK_ED25519 = 27, /* RFC 9580 Ed25519 */
};

/* Signature types this code looks at. */
enum {
	PGP_SIG_BINARY = 0x00,
	PGP_SIG_TEXT = 0x01,
	PGP_SIG_CERT_GENERIC = 0x10, /* 0x10..0x13: certifications of a user ID */
	PGP_SIG_CERT_POSITIVE = 0x13,
	PGP_SIG_SUBKEY_BINDING = 0x18,
	PGP_SIG_PRIMARY_BINDING = 0x19, /* the back-signature a signing subkey makes */
	PGP_SIG_DIRECT_KEY = 0x1F,
	PGP_SIG_KEY_REVOCATION = 0x20,
	PGP_SIG_SUBKEY_REVOCATION = 0x28,
	PGP_SIG_CERT_REVOCATION = 0x30,
};

/* A multiprecision integer: its magnitude, big-endian, without leading zero octets. */
struct pgp_mpi {
	const uint8_t *p;
	size_t len;
};

/* A v4 signature packet's body, parsed. */
struct pgp_sig {
	uint8_t type, pk_algo, hash_algo;
	const uint8_t *hashed;      /* the hashed subpacket area */
	size_t hashed_len;
	uint8_t prefix[2];          /* the left 16 bits of the digest */
	struct pgp_mpi value[2];    /* RSA: s; ECDSA, EdDSA: r, s; Ed25519: the 64 octets */
	uint32_t created;           /* subpacket 2, always present */
	uint32_t expires;           /* subpacket 3: seconds after creation; 0 = never */
	uint32_t key_expires;       /* subpacket 9: seconds after the key's creation; 0 = never */
	uint8_t flags;              /* subpacket 27, first octet */
	bool has_flags;
	uint8_t issuer[8];          /* subpacket 16 */
	bool has_issuer;
	uint8_t issuer_fpr[20];     /* subpacket 33, v4 fingerprint */
	bool has_issuer_fpr;
	const uint8_t *embedded;    /* subpacket 32: a signature packet body */
	size_t embedded_len;
	int critical;               /* the type of an unknown critical subpacket, or -1 */
};

/* A v4 public key or subkey packet. */
struct pgp_key {
	const uint8_t *body;        /* the packet body, hashed as 0x99, 2-octet length, body */
	size_t len;
	uint8_t fpr[20], id[8];     /* only when has_fpr (a v4 key) */
	bool has_fpr;
	uint32_t created;
	uint8_t algo;
	size_t min_digest;          /* the shortest digest, in octets, the key's algorithm takes */
	EVP_PKEY *pkey;             /* NULL: it cannot verify, unusable says why */
	char unusable[80];
	size_t pkt;                 /* its packet in the keyring */
	size_t primary;             /* the index of its primary key in keys[] (itself if primary) */
};

/* One packet of a keyring. */
struct pgp_packet {
	uint8_t tag;
	const uint8_t *body;
	size_t len;
	size_t off;                 /* offset of its header in the file */
};

/* A keyring as `gpg --export` writes it: transferable public keys one after the other. */
struct pgp_keyring {
	struct pgp_packet *pkts;
	size_t npkts;
	struct pgp_key *keys;       /* every primary key and subkey, in file order */
	size_t nkeys;
};

/* What a successful key check found out. */
struct pgp_signer {
	size_t key;                 /* index of the signing key in keys[] */
	uint64_t expires;           /* when the key (or its primary) expires, 0 = never */
};

/* Parse the body of a v4 signature packet of LEN octets at P (any type, any hash). */
int pgp_sig_parse(const uint8_t *p, size_t len, struct pgp_sig *sig, char *why);

/* Parse a detached signature file: exactly one binary signature packet, over binary data (type
 * 0x00), with a hash and a public-key algorithm this code accepts. */
int pgp_detached_parse(const uint8_t *data, size_t len, struct pgp_sig *sig, char *why);

/* Check the times of document signature SIG at NOW: not expired. One made after NOW is taken
 * (as gpgv takes it); pgp_key_check refuses it when its key was created after it. */
int pgp_sig_times(const struct pgp_sig *sig, time_t now, char *why);

/* Parse a binary keyring of LEN octets at DATA into KR (free it with pgp_keyring_free, also
 * after a failure). Keys of other versions or algorithms are kept, marked unusable. */
int pgp_keyring_parse(const uint8_t *data, size_t len, struct pgp_keyring *kr, char *why);
void pgp_keyring_free(struct pgp_keyring *kr);

/* The key SIG names as its issuer (by fingerprint, else key ID): its index into KR->keys, or
 * -ENOKEY when no key matches (WHY then holds just the key ID or fingerprint, in hex), or
 * -EBADMSG when the match is ambiguous or the signature names no issuer. */
int pgp_keyring_find(const struct pgp_keyring *kr, const struct pgp_sig *sig, char *why);

/* Whether key KEY of KR may have made document signature SIG at NOW, as gpgv decides with a
 * keyring of trusted keys: among the rest, the key was not created after NOW nor after SIG;
 * fills OUT. */
int pgp_key_check(const struct pgp_keyring *kr, size_t key, const struct pgp_sig *sig, time_t now,
		  struct pgp_signer *out, char *why);

/* The digest of hash algorithm ALGO (SHA-224 to SHA-512), NULL for any other. */
const EVP_MD *pgp_md(uint8_t algo);

/* Add SIG's v4 trailer to the digest CTX (after the signed data). */
int pgp_hash_trailer(EVP_MD_CTX *ctx, const struct pgp_sig *sig);

/* Finish CTX (the data, then the trailer are added here) and verify SIG with PKEY. */
int pgp_verify_final(EVP_MD_CTX *ctx, const struct pgp_sig *sig, EVP_PKEY *pkey, char *why);

/* The N octets at B as upper-case hex into OUT (2N+1 bytes). */
void pgp_hex(const uint8_t *b, size_t n, char *out);

#endif
