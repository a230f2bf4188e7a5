/* trust.h - checks an image must pass: each is a sink fed every byte as it arrives (one pass,
 * checks.c), then asked for its verdict. Nothing reads the image again for a check. */
#ifndef PXEROOT_TRUST_H
#define PXEROOT_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

/* The files pxeroot reads unless an option names others: the trust material and the CA bundle
 * for HTTPS. trust_files holds, in this order, each one's key word and path; the checks' defaults,
 * fetch's CA bundle and `pxeroot files` (what the generators install) all read them there. */
enum trust_file_id { TRUST_FILE_CMS_CERT, TRUST_FILE_CMS_CA, TRUST_FILE_GPG_KEYRING, TRUST_FILE_CA_BUNDLE, TRUST_NFILES };
struct trust_file {
	const char *key;  /* "cms-cert", "cms-ca", "gpg-keyring", "ca-bundle" */
	const char *path; /* absolute, in the initramfs */
};
extern const struct trust_file trust_files[TRUST_NFILES];

/* What to check and where the trust material is. */
struct trust {
	bool sha512;             /* checksum=y: <image without extension>.sha512 */
	bool cms;                /* cms_verify=y: <image>.cms.sig, DER (content it carries is ignored) */
	bool gpg;                /* verify=y: <image>.sig, detached OpenPGP */
	const char *cms_cert;    /* signer certificate(s), PEM */
	const char *cms_ca;      /* CA file, PEM; NULL: the signer certificate itself */
	const char *gpg_keyring; /* OpenPGP keyring, binary (gpg --export) */
};

struct check {
	struct sink s;
	const char *name;                                 /* "sha512", "cms", "gpg" */
	/* Set when all the check needs of the bytes is this digest (its write only updates it):
	 * checks whose digests use the same algorithm are fed as one (checks.c feeds the first of
	 * them and copies its state into the others before the verdicts). NULL: the check reads
	 * the bytes itself. */
	EVP_MD_CTX *digest;
	/* After the last byte: 0, or -EBADMSG after one "verify URL: ... image refused" line. */
	int (*verdict)(struct check *c, const char *url);
	/* Free everything; also called when the download failed. */
	void (*release)(struct check *c);
};

/* Fill T with no check asked for and the trust material of trust_files (the CA file only if it
 * exists). */
void trust_defaults(struct trust *t);
/* Whether T asks for any check. */
bool trust_any(const struct trust *t);
/* The options that asked for T's checks, as the command line spells them ("checksum=y
 * cms_verify=y"), into BUF; returns BUF ("" when none). */
const char *trust_options(const struct trust *t, char *buf, size_t cap);

/* The constructors share one shape: URL is the image, COMP the companion file it was given as
 * DATA (LEN bytes). Each returns 0 with *OUT set, or a negative errno after the line that says
 * why the image is refused. */

/* A SHA-512 check: the list DATA must have a line for URL's file name. */
int sha512_check_new(const char *url, const char *comp, const uint8_t *data, size_t len, const struct trust *t,
		     struct check **out);
/* A CMS check against the DER signature DATA, the signer certificate(s) and CA of T. */
int cms_check_new(const char *url, const char *comp, const uint8_t *data, size_t len, const struct trust *t,
		  struct check **out);
/* An OpenPGP check of the detached signature DATA with T's keyring, in process (check_pgp.c). */
int gpg_check_new(const char *url, const char *comp, const uint8_t *data, size_t len, const struct trust *t,
		  struct check **out);

#endif
