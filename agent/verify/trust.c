/* trust.c - where the trust material and the CA bundle are by default */
#include "verify/trust.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TRUST_DIR "/etc/pxeroot"

const struct trust_file trust_files[TRUST_NFILES] = {
	[TRUST_FILE_CMS_CERT] = {"cms-cert", TRUST_DIR "/codesign.crt"},
	[TRUST_FILE_CMS_CA] = {"cms-ca", TRUST_DIR "/codesign_CA.crt"},
	[TRUST_FILE_GPG_KEYRING] = {"gpg-keyring", TRUST_DIR "/keyring.gpg"},
	[TRUST_FILE_CA_BUNDLE] = {"ca-bundle", "/etc/ssl/certs/ca-certificates.crt"},
};

/* The trust material of trust_files; the CA file only if there is one. */
void trust_defaults(struct trust *t)
{
	const char *ca = trust_files[TRUST_FILE_CMS_CA].path;
	*t = (struct trust){
		.cms_cert = trust_files[TRUST_FILE_CMS_CERT].path,
		.cms_ca = access(ca, R_OK) == 0 ? ca : NULL,
		.gpg_keyring = trust_files[TRUST_FILE_GPG_KEYRING].path,
	};
}

/* Whether any check is asked for. */
bool trust_any(const struct trust *t)
{
	return t->sha512 || t->cms || t->gpg;
}

/* "checksum=y verify=y cms_verify=y", each where asked. */
const char *trust_options(const struct trust *t, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", t->sha512 ? "checksum=y " : "", t->gpg ? "verify=y " : "", t->cms ? "cms_verify=y " : "");
	size_t n = strlen(buf);
	if (n)
		buf[n - 1] = '\0';
	return buf;
}
