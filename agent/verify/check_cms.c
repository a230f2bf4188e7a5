/* check_cms.c - cms_verify=y: a DER CMS signature (archiso: openssl cms -sign -binary -nocerts
 * -noattr) over the image, verified in the same pass as the download.
 *
 * Accepts what `openssl cms -verify -binary -noattr -nointern -purpose any -inform DER -in SIG
 * -content IMG -certfile CERT -CAfile CA` of OpenSSL 3.0 accepts, rule for rule:
 *  - every SignerInfo names a certificate of CERT (-nointern: the certificates the signature
 *    carries never stand in for the signer, even one of its own signers);
 *  - each signer chains to a certificate of CA (CERT itself when no CA is configured, so that a
 *    self-signed signer works), for any purpose; the intermediates are the certificates the
 *    signature carries, never the other certificates of CERT;
 *  - the signed attributes, when there are any, verify, and their messageDigest matches;
 *  - the signature verifies over the downloaded bytes. Content carried in the signature (made
 *    without -detach) is ignored, as -content makes openssl ignore it.
 * Each SignerInfo gets a digest BIO that the bytes flow through; CMS_SignerInfo_verify_content()
 * then checks against it without a second read. */
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/trust.h"
#include "log.h"

struct cms_check {
	struct check c;
	CMS_ContentInfo *cms;
	STACK_OF(X509) *certs;           /* the configured signer certificate(s) */
	const char *cert_path, *ca_path;
	int n;                           /* SignerInfos set up so far */
	CMS_SignerInfo **si;             /* the signature's SignerInfos, in order */
	X509 **signer;                   /* the certificate of CERT each one names */
	BIO **md;                        /* digest BIO -> null BIO, one per SignerInfo */
};

/* The newest OpenSSL error as text into BUF. */
static const char *ssl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_peek_last_error();
	if (!e)
		snprintf(buf, cap, "no further detail");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
	return buf;
}

/* Feed every SignerInfo's digest. */
static int cms_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct cms_check *k = (struct cms_check *)s;
	for (int i = 0; i < k->n; i++)
		if (BIO_write(k->md[i], p, (int)n) != (int)n)
			return -EIO;
	return 0;
}

/* A store holding the CA file's certificates, with -purpose any; NULL if it cannot be loaded. */
static X509_STORE *ca_store(const char *ca)
{
	X509_STORE *store = X509_STORE_new();
	if (store && X509_STORE_load_file(store, ca) == 1 && X509_STORE_set_purpose(store, X509_PURPOSE_ANY) == 1)
		return store;
	X509_STORE_free(store);
	return NULL;
}

/* Check that SIGNER chains to the configured CA as openssl cms -verify builds the chain: the
 * untrusted certificates are the signature's own (UNTRUSTED, may be NULL), the parameters
 * -purpose any over the S/MIME signing defaults. */
static int chain_ok(struct cms_check *k, X509 *signer, STACK_OF(X509) *untrusted, char *why, size_t cap)
{
	const char *ca = k->ca_path ? k->ca_path : k->cert_path;
	X509_STORE *store = ca_store(ca);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;
	if (!store || !ctx) {
		snprintf(why, cap, "cannot load CA file %s", ca);
	} else if (X509_STORE_CTX_init(ctx, store, signer, untrusted) == 1 &&
		   X509_STORE_CTX_set_default(ctx, "smime_sign") == 1) {
		ok = X509_verify_cert(ctx) == 1;
		if (!ok)
			snprintf(why, cap, "%s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	} else {
		snprintf(why, cap, "cannot set up the chain check");
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return ok;
}

/* The subject of X in certificate order ("O = x, CN = y") into BUF. */
static void subject_of(X509 *x, char *buf, size_t cap)
{
	BIO *m = BIO_new(BIO_s_mem());
	int n = m ? X509_NAME_print_ex(m, X509_get_subject_name(x), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) : -1;
	n = n >= 0 ? BIO_read(m, buf, (int)cap - 1) : 0;
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(m);
}

/* SignerInfo I: chain (UNTRUSTED: the signature's certificates), signed attributes, then the
 * signature over the bytes. */
static int signer_verdict(struct cms_check *k, int i, STACK_OF(X509) *untrusted, const char *url)
{
	char why[256];
	if (!chain_ok(k, k->signer[i], untrusted, why, sizeof(why)))
		return log_err(-EBADMSG, "verify %s: cms signer not trusted (%s): image refused", url, why);
	if (CMS_signed_get_attr_count(k->si[i]) >= 0 && CMS_SignerInfo_verify(k->si[i]) != 1)
		return log_err(-EBADMSG, "verify %s: cms signature does not verify (signed attributes: %s): image refused",
			       url, ssl_reason(why, sizeof(why)));
	if (CMS_SignerInfo_verify_content(k->si[i], k->md[i]) != 1)
		return log_err(-EBADMSG, "verify %s: cms signature does not verify (%s): image refused", url,
			       ssl_reason(why, sizeof(why)));
	return 0;
}

/* Every SignerInfo must pass. */
static int cms_verdict(struct check *c, const char *url)
{
	struct cms_check *k = (struct cms_check *)c;
	char subject[256];
	STACK_OF(X509) *untrusted = CMS_get1_certs(k->cms); /* NULL when it carries none */
	int r = 0;
	for (int i = 0; i < k->n && r == 0; i++)
		r = signer_verdict(k, i, untrusted, url);
	sk_X509_pop_free(untrusted, X509_free);
	ERR_clear_error();
	if (r < 0)
		return r;
	subject_of(k->signer[0], subject, sizeof(subject));
	if (k->n > 1)
		log_info("verify %s: cms ok (%d signers, the first %s)", url, k->n, subject);
	else
		log_info("verify %s: cms ok (signer %s)", url, subject);
	return 0;
}

/* Free the check. */
static void cms_release(struct check *c)
{
	struct cms_check *k = (struct cms_check *)c;
	for (int i = 0; i < k->n && k->md; i++)
		BIO_free_all(k->md[i]);
	free(k->si);
	free(k->signer);
	free(k->md);
	CMS_ContentInfo_free(k->cms);
	sk_X509_pop_free(k->certs, X509_free);
	free(k);
}

/* Every certificate in the PEM file PATH; NULL if there is none. */
static STACK_OF(X509) *load_certs(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;
	while (b && sk && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		sk_X509_push(sk, x);
	BIO_free(b);
	ERR_clear_error();
	if (sk && sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		sk = NULL;
	}
	return sk;
}

/* How SignerInfo SI names its certificate ("issuer O = x, CN = y, serial 0x..." or "key
 * identifier 0x...") into BUF. */
static void signer_id(CMS_SignerInfo *si, char *buf, size_t cap)
{
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	BIO *m = BIO_new(BIO_s_mem());
	int n = -1;
	if (m && CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) == 1) {
		BIO_puts(m, issuer ? "issuer " : "key identifier 0x");
		if (issuer)
			X509_NAME_print_ex(m, issuer, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
		if (serial)
			BIO_puts(m, ", serial 0x"), i2a_ASN1_INTEGER(m, serial);
		else if (keyid)
			i2a_ASN1_STRING(m, keyid, V_ASN1_OCTET_STRING);
		n = BIO_read(m, buf, (int)cap - 1);
	}
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(m);
	ERR_clear_error();
}

/* The digest SignerInfo SI names, NULL when OpenSSL has none by that name. */
static const EVP_MD *signer_md(CMS_SignerInfo *si)
{
	X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &alg, NULL);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	return obj ? EVP_get_digestbyobj(obj) : NULL;
}

/* Match SignerInfo I of N to a configured certificate (only those: -nointern) and give it a
 * digest BIO. */
static int prepare_signer(struct cms_check *k, int i, int n, const char *url)
{
	CMS_SignerInfo *si = k->si[i];
	char id[256];
	for (int j = 0; j < sk_X509_num(k->certs) && !k->signer[i]; j++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(k->certs, j)) == 0)
			k->signer[i] = sk_X509_value(k->certs, j);
	if (!k->signer[i]) {
		signer_id(si, id, sizeof(id));
		return log_err(-EBADMSG, "verify %s: cms: signer %d of %d (%s) is not a certificate of %s: image refused",
			       url, i + 1, n, id, k->cert_path);
	}
	CMS_SignerInfo_set1_signer_cert(si, k->signer[i]);
	const EVP_MD *md = signer_md(si);
	if (!md)
		return log_err(-EBADMSG, "verify %s: cms: signer %d of %d: unsupported digest algorithm: image refused", url,
			       i + 1, n);
	k->md[i] = BIO_new(BIO_f_md());
	if (!k->md[i] || BIO_set_md(k->md[i], md) != 1 || !BIO_push(k->md[i], BIO_new(BIO_s_null())))
		return log_errno(-ENOMEM, "verify %s: cms: signer %d of %d: cannot start the digest", url, i + 1, n);
	return 0;
}

/* Parse the signature, match signers, set up digests. Content the signature may carry is never
 * looked at: the downloaded bytes are what is verified. */
static int cms_prepare(struct cms_check *k, const char *url, const uint8_t *sig, size_t len)
{
	const unsigned char *p = sig;
	k->cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (!k->cms || OBJ_obj2nid(CMS_get0_type(k->cms)) != NID_pkcs7_signed)
		return log_err(-EBADMSG, "verify %s: cms: the signature is not DER CMS signed data: image refused", url);
	if (!(k->certs = load_certs(k->cert_path)))
		return log_err(-EBADMSG, "verify %s: cms check requested (cms_verify=y) but no certificate in %s: image refused", url, k->cert_path);
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(k->cms);
	int n = sis ? sk_CMS_SignerInfo_num(sis) : 0;
	if (n <= 0)
		return log_err(-EBADMSG, "verify %s: cms: the signature has no signer: image refused", url);
	k->si = calloc((size_t)n, sizeof(*k->si));
	k->signer = calloc((size_t)n, sizeof(*k->signer));
	k->md = calloc((size_t)n, sizeof(*k->md));
	if (!k->si || !k->signer || !k->md)
		return log_errno(-ENOMEM, "verify %s: cms", url);
	for (k->n = 0; k->n < n; k->n++) {
		k->si[k->n] = sk_CMS_SignerInfo_value(sis, k->n);
		int r = prepare_signer(k, k->n, n, url);
		if (r < 0) {
			k->n++; /* so release frees its BIO */
			return r;
		}
	}
	return 0;
}

/* Build a CMS check. */
int cms_check_new(const char *url, const char *comp, const uint8_t *sig, size_t len, const struct trust *t,
		  struct check **out)
{
	(void)comp;
	struct cms_check *k = calloc(1, sizeof(*k));
	if (!k)
		return log_errno(-ENOMEM, "verify %s: cms", url);
	k->c = (struct check){.s = {.write = cms_write}, .name = "cms", .verdict = cms_verdict, .release = cms_release};
	k->cert_path = t->cms_cert;
	k->ca_path = t->cms_ca;
	int r = cms_prepare(k, url, sig, len);
	ERR_clear_error();
	if (r < 0) {
		cms_release(&k->c);
		return r;
	}
	*out = &k->c;
	return 0;
}
