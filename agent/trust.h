/* trust.h - checks an image must pass: each is a sink fed every byte as it arrives, then asked
 * for its verdict. Nothing reads the image again after the download. */
#ifndef PXEROOT_TRUST_H
#define PXEROOT_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch.h"

#define TRUST_DIR "/etc/pxeroot"

/* What to check and where the trust material is. */
struct trust {
	bool sha512;             /* checksum=y: <image without extension>.sha512 */
	bool cms;                /* cms_verify=y: <image>.cms.sig, DER, detached */
	bool gpg;                /* verify=y: <image>.sig, detached OpenPGP */
	const char *cms_cert;    /* signer certificate(s), PEM */
	const char *cms_ca;      /* CA file, PEM; NULL: the signer certificate itself */
	const char *gpg_keyring; /* binary keyring for gpgv */
	const char *gpgv;        /* the gpgv program */
};

struct check {
	struct sink s;
	const char *name;                                 /* "sha512", "cms", "gpg" */
	/* After the last byte: 0, or -EBADMSG after one "verify URL: ... image refused" line. */
	int (*verdict)(struct check *c, const char *url);
	/* Free everything; also called when the download failed. */
	void (*release)(struct check *c);
};

/* Fill T with the defaults under TRUST_DIR (the CA file only if it exists). */
void trust_defaults(struct trust *t);

/* A SHA-512 check of file NAME against the list TEXT (LEN bytes) fetched from LIST_URL. */
int sha512_check_new(const char *url, const char *list_url, const char *text, size_t len, const char *name,
		     struct check **out);
/* A CMS check against the DER signature SIG (LEN bytes), the signer certificate(s) and CA of T. */
int cms_check_new(const char *url, const uint8_t *sig, size_t len, const struct trust *t, struct check **out);
/* An OpenPGP check: gpgv with T's keyring reads the signature SIG and the bytes from a pipe. */
int gpg_check_new(const char *url, const uint8_t *sig, size_t len, const struct trust *t, struct check **out);

#endif
