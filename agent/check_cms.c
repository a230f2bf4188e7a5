/* check_cms.c - cms_verify=y: a detached DER CMS signature (archiso: openssl cms -sign -binary
 * -nocerts -noattr) over the image, verified in the same pass as the download.
 *
 * Accepts what `openssl cms -verify -binary -nointern -purpose any -certfile CERT -CAfile CA`
 * accepts: every SignerInfo must name a certificate from CERT (the signature carries none), that
 * certificate must chain to CA (CERT itself when no CA is configured, so a self-signed signer
 * works), and the signature must verify over the bytes (over the signed attributes too, and their
 * messageDigest must match, when there are any). Each SignerInfo gets a digest BIO that the bytes
 * flow through; CMS_SignerInfo_verify_content() then checks against it without a second read. */
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

#include "trust.h"
#include "log.h"

#define MAX_SIGNERS 8

struct cms_check {
	struct check c;
	CMS_ContentInfo *cms;
	STACK_OF(X509) *certs;           /* the configured signer certificate(s) */
	const char *cert_path, *ca_path;
	int n;
	CMS_SignerInfo *si[MAX_SIGNERS];
	X509 *signer[MAX_SIGNERS];
	BIO *md[MAX_SIGNERS];            /* digest BIO -> null BIO, one per SignerInfo */
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

/* Check that SIGNER chains to the configured CA, for any purpose. */
static int chain_ok(struct cms_check *k, X509 *signer, char *why, size_t cap)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;
	const char *ca = k->ca_path ? k->ca_path : k->cert_path;
	if (!store || !ctx || X509_STORE_load_file(store, ca) != 1) {
		snprintf(why, cap, "cannot load CA file %s", ca);
	} else if (X509_STORE_CTX_init(ctx, store, signer, k->certs) == 1) {
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
		ok = X509_verify_cert(ctx) == 1;
		if (!ok)
			snprintf(why, cap, "%s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
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

/* Every SignerInfo: chain, then the signature over the bytes. */
static int cms_verdict(struct check *c, const char *url)
{
	struct cms_check *k = (struct cms_check *)c;
	char why[256], subject[256];
	for (int i = 0; i < k->n; i++) {
		if (!chain_ok(k, k->signer[i], why, sizeof(why)))
			return log_err(-EBADMSG, "verify %s: cms signer not trusted (%s): image refused", url, why);
		if (CMS_signed_get_attr_count(k->si[i]) >= 0 && CMS_SignerInfo_verify(k->si[i]) != 1)
			return log_err(-EBADMSG, "verify %s: cms signature does not verify (signed attributes: %s): image refused",
				       url, ssl_reason(why, sizeof(why)));
		if (CMS_SignerInfo_verify_content(k->si[i], k->md[i]) != 1)
			return log_err(-EBADMSG, "verify %s: cms signature does not verify (%s): image refused", url,
				       ssl_reason(why, sizeof(why)));
	}
	subject_of(k->signer[0], subject, sizeof(subject));
	log_info("verify %s: cms ok (signer %s)", url, subject);
	return 0;
}

/* Free the check. */
static void cms_release(struct check *c)
{
	struct cms_check *k = (struct cms_check *)c;
	for (int i = 0; i < k->n; i++)
		BIO_free_all(k->md[i]);
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

/* Match SignerInfo I to a configured certificate and give it a digest BIO. */
static int prepare_signer(struct cms_check *k, int i, const char *url)
{
	CMS_SignerInfo *si = k->si[i];
	for (int j = 0; j < sk_X509_num(k->certs) && !k->signer[i]; j++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(k->certs, j)) == 0)
			k->signer[i] = sk_X509_value(k->certs, j);
	if (!k->signer[i])
		return log_err(-EBADMSG, "verify %s: cms: no signer matches %s: image refused", url, k->cert_path);
	CMS_SignerInfo_set1_signer_cert(si, k->signer[i]);
	X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &alg, NULL);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	const EVP_MD *md = obj ? EVP_get_digestbyobj(obj) : NULL;
	if (!md)
		return log_err(-EBADMSG, "verify %s: cms: unsupported digest algorithm: image refused", url);
	k->md[i] = BIO_new(BIO_f_md());
	if (!k->md[i] || BIO_set_md(k->md[i], md) != 1 || !BIO_push(k->md[i], BIO_new(BIO_s_null())))
		return -ENOMEM;
	return 0;
}

/* Parse the signature, match signers, set up digests. */
static int cms_prepare(struct cms_check *k, const char *url, const uint8_t *sig, size_t len)
{
	const unsigned char *p = sig;
	k->cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (!k->cms || OBJ_obj2nid(CMS_get0_type(k->cms)) != NID_pkcs7_signed)
		return log_err(-EBADMSG, "verify %s: cms: the signature is not DER CMS signed data: image refused", url);
	if (CMS_is_detached(k->cms) != 1)
		return log_err(-EBADMSG, "verify %s: cms: the signature is not detached: image refused", url);
	if (!(k->certs = load_certs(k->cert_path)))
		return log_err(-EBADMSG, "verify %s: cms check requested (cms_verify=y) but no certificate in %s: image refused", url, k->cert_path);
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(k->cms);
	int n = sis ? sk_CMS_SignerInfo_num(sis) : 0;
	if (n <= 0 || n > MAX_SIGNERS)
		return log_err(-EBADMSG, "verify %s: cms: %d signers (1 to %d expected): image refused", url, n, MAX_SIGNERS);
	for (k->n = 0; k->n < n; k->n++) {
		k->si[k->n] = sk_CMS_SignerInfo_value(sis, k->n);
		int r = prepare_signer(k, k->n, url);
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
		return -ENOMEM;
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
