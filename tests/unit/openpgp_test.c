/* openpgp_test.c - the OpenPGP parser and key checks (agent/verify/openpgp_*.c) and the verify=y
 * check (agent/verify/check_pgp.c) on the committed fixtures of tests/unit/data/openpgp (make.sh
 * there says what each is). Every accepted case verifies; every refusal is asserted with its
 * cause. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "verify/openpgp.h"
#include "verify/trust.h"

#define T0 1704067200L              /* 2024-01-01 00:00:00 UTC: the keys' creation */
#define NOW (T0 + 12 * 3600)        /* the signatures are from T0 + 1 h; 1-day expiries still run */
#define LATE 1767225600L            /* 2026-01-01: every 1-day expiry is past */

/* A copy of A followed by B. */
static struct buf concat(struct buf a, struct buf b)
{
	struct buf c = {malloc(a.n + b.n + 1), a.n + b.n};
	memcpy(c.p, a.p, a.n);
	memcpy(c.p + a.n, b.p, b.n);
	return c;
}

/* The outcome of one full verification: the return code, the cause, the signer. */
struct outcome {
	int r;
	char why[PGP_WHY];
	char key[41], primary[41];
};

/* Hash DATA and verify SIG against KEYRING as check_pgp.c does, at time NOW. */
static void run(struct buf keyring, struct buf sig, struct buf data, time_t now, struct outcome *o)
{
	struct pgp_sig s;
	struct pgp_keyring kr = {0};
	struct pgp_signer signer;
	memset(o, 0, sizeof(*o));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int i = -1;
	if ((o->r = pgp_detached_parse(sig.p, sig.n, &s, o->why)) < 0 ||
	    (o->r = pgp_keyring_parse(keyring.p, keyring.n, &kr, o->why)) < 0)
		goto out;
	if ((o->r = i = pgp_keyring_find(&kr, &s, o->why)) < 0 || (o->r = pgp_sig_times(&s, now, o->why)) < 0 ||
	    (o->r = pgp_key_check(&kr, (size_t)i, &s, now, &signer, o->why)) < 0)
		goto out;
	pgp_hex(kr.keys[i].fpr, 20, o->key);
	pgp_hex(kr.keys[kr.keys[i].primary].fpr, 20, o->primary);
	EVP_DigestInit_ex(md, pgp_md(s.hash_algo), NULL);
	EVP_DigestUpdate(md, data.p, data.n);
	o->r = pgp_verify_final(md, &s, kr.keys[i].pkey, o->why);
out:
	pgp_keyring_free(&kr);
	EVP_MD_CTX_free(md);
}

/* Verify fixture SIG with keyring fixture RING over data.bin at NOW into O. */
static void run_files(const char *ring, const char *sig, time_t now, struct outcome *o)
{
	struct buf k = load(ring), s = load(sig), d = load("data.bin");
	run(k, s, d, now, o);
	free(k.p), free(s.p), free(d.p);
}

/* Assert that SIG verifies with RING at NOW. */
static void accepts(const char *ring, const char *sig, time_t now)
{
	struct outcome o;
	run_files(ring, sig, now, &o);
	CHECK(o.r == 0, "%s with %s: %d %s", sig, ring, o.r, o.why);
}

/* Assert that SIG with RING at NOW is refused with ERR and a cause containing WANT. */
static void refuses(const char *ring, const char *sig, time_t now, int err, const char *want)
{
	struct outcome o;
	run_files(ring, sig, now, &o);
	CHECK(o.r == err && strstr(o.why, want), "%s with %s: got %d \"%s\", want %d \"%s\"", sig, ring, o.r, o.why,
	      err, want);
}

/* gpg's fingerprints of key NAME from the fixtures' list: primary into P, subkey into S. */
static void gpg_fprs(const char *name, char p[41], char s[41])
{
	struct buf b = load("fingerprints");
	char line[256], n[32];
	b.p[b.n] = '\0';
	p[0] = s[0] = '\0';
	for (char *l = (char *)b.p; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
		if (sscanf(line, "%31s %40s %40s", n, p, s) >= 2 && strcmp(n, name) == 0)
			break;
		p[0] = s[0] = '\0';
	}
	free(b.p);
}

/* Every algorithm verifies; fingerprints and key IDs are gpg's. */
static void test_accepted(void)
{
	static const char *const keys[] = {"rsa", "ed", "p256", "p384", "p521", "exp", "ed27"};
	char ring[32], sig[32], p[41], s[41];
	struct outcome o;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(ring, sizeof(ring), "%s.pub", keys[i]);
		snprintf(sig, sizeof(sig), "%s.sig", keys[i]);
		accepts(ring, sig, NOW);
		run_files(ring, sig, NOW, &o);
		gpg_fprs(keys[i], p, s);
		CHECK(!p[0] || strcmp(o.key, p) == 0, "%s: fingerprint %s, gpg says %s", keys[i], o.key, p);
	}
	accepts("rsa.pub", "rsa-craft.sig", NOW);
	accepts("rsa.pub", "rsa-expsig.sig", NOW);
	accepts("sub-expired.pub", "sub.sig", NOW);
	run_files("sub.pub", "sub.sig", NOW, &o);
	gpg_fprs("sub", p, s);
	CHECK(o.r == 0 && strcmp(o.key, s) == 0 && strcmp(o.primary, p) == 0, "subkey %s of %s (gpg: %s of %s): %s",
	      o.key, o.primary, s, p, o.why);
}

/* Two keyrings concatenated hold both keys; the same key twice is refused. */
static void test_keyrings(void)
{
	struct buf rsa = load("rsa.pub"), ed = load("ed.pub"), d = load("data.bin");
	struct buf both = concat(rsa, ed), twice = concat(rsa, rsa), sig = load("ed.sig");
	struct outcome o;
	run(both, sig, d, NOW, &o);
	CHECK(o.r == 0, "ed.sig with rsa.pub + ed.pub: %s", o.why);
	free(sig.p);
	sig = load("rsa.sig");
	run(both, sig, d, NOW, &o);
	CHECK(o.r == 0, "rsa.sig with rsa.pub + ed.pub: %s", o.why);
	run(twice, sig, d, NOW, &o);
	CHECK(o.r == -EBADMSG && strstr(o.why, "in the keyring more than once"), "duplicate key: %s", o.why);
	run(ed, sig, d, NOW, &o);
	char p[41], s[41];
	gpg_fprs("rsa", p, s);
	CHECK(o.r == -ENOKEY && strcmp(o.why, p) == 0, "unknown key: %d \"%s\", want the fingerprint %s", o.r, o.why, p);
	free(rsa.p), free(ed.p), free(d.p), free(both.p), free(twice.p), free(sig.p);
}

/* Parse KEYRING and expect ERR with a cause containing WANT (or success when ERR is 0). */
static void keyring_case(struct buf keyring, int err, const char *want, const char *what)
{
	struct pgp_keyring kr = {0};
	char why[PGP_WHY] = "";
	int r = pgp_keyring_parse(keyring.p, keyring.n, &kr, why);
	CHECK(r == err && (!err || strstr(why, want)), "%s: got %d \"%s\", want %d \"%s\"", what, r, why, err, want);
	pgp_keyring_free(&kr);
}

/* Malformed and foreign keyrings. */
static void test_keyring_refusals(void)
{
	struct buf rsa = load("rsa.pub"), armored = {(uint8_t *)"-----BEGIN PGP PUBLIC KEY BLOCK-----\n", 37};
	struct buf lit = {(uint8_t *)"\xcb\x03" "b\x00\x00", 5}, all = concat(rsa, lit);
	keyring_case((struct buf){rsa.p, 0}, -EBADMSG, "empty", "empty keyring");
	keyring_case(armored, -EBADMSG, "ASCII-armored", "armored keyring");
	keyring_case((struct buf){rsa.p, rsa.n - 1}, -EBADMSG, "past the end of the file", "truncated keyring");
	keyring_case(all, -EBADMSG, "unexpected literal data packet (tag 11)", "literal data in a keyring");
	size_t first = 3 + ((size_t)rsa.p[1] << 8 | rsa.p[2]); /* old header, 2-octet length */
	keyring_case((struct buf){rsa.p + first, rsa.n - first}, -EBADMSG, "the first packet is not a public key",
		     "keyring starting with a user ID");
	free(rsa.p), free(all.p);
}

/* A key of another algorithm is kept but cannot verify, and says why. */
static void test_unusable_key(void)
{
	struct buf ed = load("ed.pub");
	struct pgp_keyring kr = {0};
	char why[PGP_WHY];
	CHECK(ed.p[0] == 0x98 && ed.p[2 + 5] == 22, "ed.pub starts with an EdDSA key (ctb %02x)", ed.p[0]);
	ed.p[2 + 5] = 17; /* DSA */
	int r = pgp_keyring_parse(ed.p, ed.n, &kr, why);
	CHECK(r == 0 && kr.nkeys == 1 && !kr.keys[0].pkey && strstr(kr.keys[0].unusable, "DSA"), "DSA key: %d %s", r,
	      kr.nkeys ? kr.keys[0].unusable : why);
	pgp_keyring_free(&kr);
	free(ed.p);
}

/* Refusals of the signature itself, by fixture. */
static void test_signature_refusals(void)
{
	refuses("rsa.pub", "rsa-sha1.sig", NOW, -EBADMSG, "hash algorithm SHA-1 (2) is refused as too weak");
	refuses("rsa.pub", "rsa-text.sig", NOW, -EBADMSG, "text-mode signature (type 0x01)");
	refuses("rsa.pub", "rsa.asc", NOW, -EBADMSG, "ASCII-armored");
	refuses("rsa.pub", "rsa-crit.sig", NOW, -EBADMSG, "unknown critical subpacket 101");
	refuses("rsa.pub", "rsa-expsig.sig", LATE, -EBADMSG, "the signature expired on 2024-01-02 01:00:00 UTC");
	refuses("rsa.pub", "rsa.pub", NOW, -EBADMSG, "a public key packet (tag 6) where a signature packet was expected");
}

/* The key check of SIG (by a key of RING) with the signature's creation time moved to one
 * second before its key's: ERR and a cause containing WANT expected. */
static void key_after_sig(const char *ring, const char *sig, const char *want)
{
	struct buf k = load(ring), s = load(sig);
	struct pgp_sig ps;
	struct pgp_keyring kr = {0};
	struct pgp_signer signer;
	char why[PGP_WHY] = "";
	int i = -1, r = pgp_detached_parse(s.p, s.n, &ps, why);
	if (r == 0 && (r = pgp_keyring_parse(k.p, k.n, &kr, why)) == 0 && (r = i = pgp_keyring_find(&kr, &ps, why)) >= 0) {
		ps.created = kr.keys[i].created - 1;
		r = pgp_key_check(&kr, (size_t)i, &ps, NOW, &signer, why);
	}
	CHECK(r == -EBADMSG && strstr(why, want), "%s with %s, made before its key: got %d \"%s\", want \"%s\"", sig,
	      ring, r, why, want);
	pgp_keyring_free(&kr);
	free(k.p), free(s.p);
}

/* Signatures from the future of the clock are accepted, as gpgv accepts them; what bounds them
 * is their key's creation: a key or signing subkey created after the signature is refused, and
 * so is a key created in the future of the clock. */
static void test_future(void)
{
	accepts("rsa.pub", "rsa.sig", T0);          /* the clock is 1 h behind the signature */
	accepts("rsa.pub", "rsa.sig", T0 + 1800);
	accepts("sub.pub", "sub.sig", T0);          /* by a subkey */
	accepts("rsa.pub", "rsa-expsig.sig", T0);   /* its expiry is counted from its creation */
	refuses("rsa.pub", "rsa-early.sig", NOW, -EBADMSG,
		"was created on 2024-01-01 00:00:00 UTC, after the signature (2023-12-31 23:00:00 UTC)");
	refuses("rsa.pub", "rsa-early.sig", T0 - 7200, -EBADMSG, "was created in the future");
	refuses("rsa.pub", "rsa.sig", T0 - 1, -EBADMSG, "was created in the future (2024-01-01 00:00:00 UTC)");
	key_after_sig("rsa.pub", "rsa.sig", "after the signature");
	key_after_sig("sub.pub", "sub.sig", "subkey");
	key_after_sig("sub.pub", "sub.sig", "after the signature");
}

/* Refusals for the key's validity, by fixture. */
static void test_key_refusals(void)
{
	refuses("exp.pub", "exp.sig", LATE, -EBADMSG, "expired on 2024-01-02 00:00:00 UTC");
	refuses("rev.pub", "rev.sig", NOW, -EBADMSG, "was revoked");
	refuses("rsa-nouid.pub", "rsa.sig", NOW, -EBADMSG, "has no user ID with a valid self-signature");
	refuses("sub-noback.pub", "sub.sig", NOW, -EBADMSG, "has no back-signature");
	refuses("sub-encflags.pub", "sub.sig", NOW, -EBADMSG, "may not sign data (key flags 0x0C)");
	refuses("sub-badbind.pub", "sub.sig", NOW, -EBADMSG, "has no valid binding signature by its primary key");
	refuses("sub-revoked.pub", "sub.sig", NOW, -EBADMSG, "of key");
	refuses("sub-revoked.pub", "sub.sig", NOW, -EBADMSG, "was revoked");
	refuses("sub-expired.pub", "sub.sig", LATE, -EBADMSG, "expired on 2024-01-02 00:00:00 UTC");
	refuses("sub.pub", "sub-primary.sig", NOW, -EBADMSG, "may not sign data (key flags 0x01)");
}

/* Verify the fixture SIG after MUTATE changed a copy of it (OFF: the offset of the signature
 * packet's body) and expect ERR with a cause containing WANT. */
static void mutated(const char *ring, const char *sig, void (*mutate)(struct buf *b, size_t off), int err,
		    const char *want, const char *what)
{
	struct buf k = load(ring), s = load(sig), d = load("data.bin");
	struct outcome o;
	size_t off = (s.p[0] & 0x40) ? 2 : 1 + ((size_t)1 << (s.p[0] & 3));
	mutate(&s, off);
	run(k, s, d, NOW, &o);
	CHECK(o.r == err && strstr(o.why, want), "%s: got %d \"%s\", want %d \"%s\"", what, o.r, o.why, err, want);
	free(k.p), free(s.p), free(d.p);
}

static void hash_md5(struct buf *b, size_t off) { b->p[off + 3] = 1; }
static void hash_ripemd(struct buf *b, size_t off) { b->p[off + 3] = 3; }
static void hash_unknown(struct buf *b, size_t off) { b->p[off + 3] = 12; }
static void type_cert(struct buf *b, size_t off) { b->p[off + 1] = 0x13; }
static void version3(struct buf *b, size_t off) { b->p[off] = 3; }
static void last_octet(struct buf *b, size_t off) { (void)off, b->p[b->n - 1] ^= 0x01; }
static void mpi_bits(struct buf *b, size_t off) { (void)off, b->p[b->n - 258 + 1] ^= 0x01; }
static void truncate1(struct buf *b, size_t off) { (void)off, b->n--; }
static void trailing(struct buf *b, size_t off) { (void)off, b->p[b->n++] = 0; }
static void partial(struct buf *b, size_t off) { (void)off, b->p[0] = 0xc2, b->p[1] = 0xe1; }
static void indeterminate(struct buf *b, size_t off) { (void)off, b->p[0] = 0x8b; }
static void empty(struct buf *b, size_t off) { (void)off, b->n = 0; }

/* Re-encode the old-format signature packet with a new-format header (same packet). */
static void new_header(struct buf *b, size_t off)
{
	size_t n = b->n - off, n2 = n - 192;
	CHECK(n >= 192 && n < 8384, "body length %zu", n);
	memmove(b->p + 3, b->p + off, n);
	b->p[0] = 0xc2, b->p[1] = (uint8_t)((n2 >> 8) + 192), b->p[2] = (uint8_t)n2;
	b->n = 3 + n;
}

/* Append a second copy of the signature packet. */
static void twice(struct buf *b, size_t off)
{
	(void)off;
	memcpy(b->p + b->n, b->p, b->n);
	b->n *= 2;
}

/* Refusals made by changing a good signature in memory. */
static void test_mutations(void)
{
	struct outcome o;
	mutated("rsa.pub", "rsa.sig", hash_md5, -EBADMSG, "hash algorithm MD5 (1) is refused as too weak", "MD5");
	mutated("rsa.pub", "rsa.sig", hash_ripemd, -EBADMSG, "RIPEMD-160 (3) is refused", "RIPEMD-160");
	mutated("rsa.pub", "rsa.sig", hash_unknown, -EBADMSG, "hash algorithm 12 is not supported", "SHA3-256");
	mutated("rsa.pub", "rsa.sig", type_cert, -EBADMSG, "signature type 0x13 is not a signature of binary data", "type");
	mutated("rsa.pub", "rsa.sig", version3, -EBADMSG, "version 3 signature", "v3");
	mutated("rsa.pub", "rsa.sig", last_octet, -EBADMSG, "the signature does not verify", "RSA value changed");
	mutated("ed.pub", "ed.sig", last_octet, -EBADMSG, "the signature does not verify", "EdDSA value changed");
	mutated("p256.pub", "p256.sig", last_octet, -EBADMSG, "the signature does not verify", "ECDSA value changed");
	mutated("rsa.pub", "rsa.sig", mpi_bits, -EBADMSG, "MPI bit count", "MPI bit count");
	mutated("rsa.pub", "rsa.sig", truncate1, -EBADMSG, "past the end of the file", "truncated");
	mutated("rsa.pub", "rsa.sig", trailing, -EBADMSG, "data after the signature packet", "trailing octet");
	mutated("rsa.pub", "rsa.sig", twice, -EBADMSG, "more than one signature packet", "two signatures");
	mutated("rsa.pub", "rsa.sig", partial, -EBADMSG, "partial length", "partial length");
	mutated("rsa.pub", "rsa.sig", indeterminate, -EBADMSG, "indeterminate length", "indeterminate length");
	mutated("rsa.pub", "rsa.sig", empty, -EBADMSG, "the file is empty", "empty");
	mutated("rsa.pub", "rsa.sig", new_header, 0, "", "new-format header");
	struct buf k = load("rsa.pub"), s = load("rsa.sig"), d = load("data.bin");
	d.p[0] ^= 0x20;
	run(k, s, d, NOW, &o);
	CHECK(o.r == -EBADMSG && strstr(o.why, "the digest does not match"), "other data: %s", o.why);
	free(k.p), free(s.p), free(d.p);
}

/* The verify=y check end to end: its lines, its verdicts (the fixtures never expire). */
static void test_check(void)
{
	char ring[sizeof(data_dir) + 16];
	struct buf s = load("rsa.sig"), d = load("data.bin"), e = load("exp.sig");
	struct trust t = {.gpg = true, .gpg_keyring = ring};
	struct check *c = NULL;
	snprintf(ring, sizeof(ring), "%srsa.pub", data_dir);
	CHECK(gpg_check_new("http://x/a.sfs", "http://x/a.sfs.sig", s.p, s.n, &t, &c) == 0 && c, "check built");
	if (c) {
		CHECK(c->s.write(&c->s, d.p, 10) == 0 && c->s.write(&c->s, d.p + 10, d.n - 10) == 0, "bytes taken");
		CHECK(c->verdict(c, "http://x/a.sfs") == 0, "good data accepted");
		c->release(c);
	}
	CHECK(gpg_check_new("http://x/a.sfs", "http://x/a.sfs.sig", s.p, s.n, &t, &c) == 0, "check built again");
	if (c) {
		d.p[3] ^= 1;
		CHECK(c->s.write(&c->s, d.p, d.n) == 0 && c->verdict(c, "http://x/a.sfs") == -EBADMSG, "other data refused");
		c->release(c);
	}
	snprintf(ring, sizeof(ring), "%sexp.pub", data_dir);
	CHECK(gpg_check_new("http://x/a.sfs", "http://x/a.sfs.sig", e.p, e.n, &t, &c) == -EBADMSG, "expired key refused");
	CHECK(gpg_check_new("http://x/a.sfs", "http://x/a.sfs.sig", s.p, s.n, &t, &c) == -EBADMSG, "unknown key refused");
	snprintf(ring, sizeof(ring), "%snone.pub", data_dir);
	CHECK(gpg_check_new("http://x/a.sfs", "http://x/a.sfs.sig", s.p, s.n, &t, &c) == -EBADMSG, "no keyring refused");
	free(s.p), free(d.p), free(e.p);
}

int main(void)
{
	find_data_dir("openpgp");
	test_accepted();
	test_keyrings();
	test_keyring_refusals();
	test_unusable_key();
	test_signature_refusals();
	test_future();
	test_key_refusals();
	test_mutations();
	test_check();
	return check_done("openpgp_test");
}
