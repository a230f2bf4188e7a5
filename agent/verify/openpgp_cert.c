/* openpgp_cert.c - whether an OpenPGP v4 key may sign: its certification by its primary key.
 *
 * Key validity follows gpgv with a keyring whose keys are all trusted: the primary key needs a
 * valid self-certification on a user ID that is not revoked; a subkey needs a valid binding by its
 * primary, whose key flags (if any) allow signing, with an embedded back-signature by the subkey;
 * a verified revocation, an expiry (subpacket 9 of the newest valid self-signature or binding)
 * or an unknown critical subpacket makes a key or signature unusable. */
#define _GNU_SOURCE
#include "verify/openpgp_int.h"

#include <errno.h>
#include <string.h>

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
	    (!pgp_issuer_is(sig, signer) && (sig->has_issuer || sig->has_issuer_fpr)))
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
