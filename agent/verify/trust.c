/* trust.c - where the trust material is by default */
#include "verify/trust.h"

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
