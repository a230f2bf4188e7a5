/* trust.c - where the trust material is by default */
#include "verify/trust.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Trust material under TRUST_DIR; the CA file only if there is one. */
void trust_defaults(struct trust *t)
{
	static const char ca[] = TRUST_DIR "/codesign_CA.crt";
	*t = (struct trust){
		.cms_cert = TRUST_DIR "/codesign.crt",
		.cms_ca = access(ca, R_OK) == 0 ? ca : NULL,
		.gpg_keyring = TRUST_DIR "/keyring.gpg",
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
