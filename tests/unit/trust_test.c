/* trust_test.c - the files pxeroot reads by default (trust_files, what `pxeroot files` prints) are
 * the ones the checks use, and the options a trust asks for are spelled as the command line does. */
#include <stdbool.h>

#include "check.h"
#include "verify/trust.h"

/* Every file has a key word of its own and an absolute path; the names the documentation gives. */
static void test_files(void)
{
	for (int i = 0; i < TRUST_NFILES; i++) {
		CHECK(trust_files[i].key && trust_files[i].path && trust_files[i].path[0] == '/', "file %d", i);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(trust_files[i].key, trust_files[j].key) != 0, "key %s twice", trust_files[i].key);
	}
	CHECK_STR(trust_files[TRUST_FILE_CMS_CERT].key, "cms-cert");
	CHECK_STR(trust_files[TRUST_FILE_CMS_CERT].path, "/etc/pxeroot/codesign.crt");
	CHECK_STR(trust_files[TRUST_FILE_CMS_CA].key, "cms-ca");
	CHECK_STR(trust_files[TRUST_FILE_CMS_CA].path, "/etc/pxeroot/codesign_CA.crt");
	CHECK_STR(trust_files[TRUST_FILE_GPG_KEYRING].key, "gpg-keyring");
	CHECK_STR(trust_files[TRUST_FILE_GPG_KEYRING].path, "/etc/pxeroot/keyring.gpg");
	CHECK_STR(trust_files[TRUST_FILE_CA_BUNDLE].key, "ca-bundle");
	CHECK_STR(trust_files[TRUST_FILE_CA_BUNDLE].path, "/etc/ssl/certs/ca-certificates.crt");
}

/* The defaults are trust_files' paths (the CA file only when it can be read), no check asked for. */
static void test_defaults(void)
{
	struct trust t;
	trust_defaults(&t);
	CHECK(t.cms_cert == trust_files[TRUST_FILE_CMS_CERT].path, "cms_cert %s", t.cms_cert);
	CHECK(t.gpg_keyring == trust_files[TRUST_FILE_GPG_KEYRING].path, "gpg_keyring %s", t.gpg_keyring);
	CHECK(t.cms_ca == NULL || t.cms_ca == trust_files[TRUST_FILE_CMS_CA].path, "cms_ca %s", t.cms_ca);
	CHECK(!trust_any(&t), "no check asked for");
}

/* The options that ask for the checks, spelled as on the command line. */
static void test_options(void)
{
	char buf[64];
	struct trust t = {0};
	CHECK_STR(trust_options(&t, buf, sizeof(buf)), "");
	t.sha512 = t.cms = t.gpg = true;
	CHECK_STR(trust_options(&t, buf, sizeof(buf)), "checksum=y verify=y cms_verify=y");
	CHECK(trust_any(&t), "checks asked for");
}

/* Run every test; the exit status says whether all passed. */
int main(void)
{
	test_files();
	test_defaults();
	test_options();
	return check_done("trust_test");
}
