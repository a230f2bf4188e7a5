/* sha512list_test.c - the sha512 list parser (sha512sum's output format, strictly) and hex_encode. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>

#include "check.h"
#include "verify/sha512list.h"

/* SHA-512("abc"), FIPS 180-2 appendix C.1. */
static const char ABC_HEX[] =
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

static const char NAME[] = "airootfs.sfs";

/* SHA-512 of the string S as lower-case hex into HEX (129 bytes). */
static void sha512_hex(const char *s, char hex[129])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(s, strlen(s), md, &n, EVP_sha512(), NULL);
	CHECK(n == 64, "digest length %u", n);
	hex_encode(md, 64, hex);
}

/* Decode the 128 hex digits HEX (trusted test data) into OUT. */
static void hex_bytes(const char *hex, uint8_t out[64])
{
	for (int i = 0; i < 64; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
}

/* Look NAME up in the NUL-terminated TEXT. */
static int lookup(const char *text, uint8_t out[64])
{
	return sha512_file_lookup(text, strlen(text), NAME, out);
}

/* Whether OUT holds the sum spelt by HEX. */
static int sum_is(const uint8_t out[64], const char *hex)
{
	uint8_t want[64];
	hex_bytes(hex, want);
	return memcmp(out, want, 64) == 0;
}

/* Test vectors: the hard-coded sum matches libcrypto; hex_encode spells bytes. */
static void test_vectors(void)
{
	char hex[129];
	sha512_hex("abc", hex);
	CHECK_STR(hex, ABC_HEX);
	static const uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
	char out[17];
	memset(out, 'x', sizeof(out));
	hex_encode(bytes, sizeof(bytes), out);
	CHECK_STR(out, "00017f80abcdefff");
	hex_encode(bytes, 0, out);
	CHECK_STR(out, "");
}

/* Accepted spellings of a line naming our file. */
static void test_accepted(void)
{
	char text[1024], up[129], other[129];
	uint8_t out[64];
	snprintf(text, sizeof(text), "%s  %s\n", ABC_HEX, NAME);
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "two spaces");

	snprintf(text, sizeof(text), "%s *%s\n", ABC_HEX, NAME);
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "binary marker");

	for (int i = 0; i < 129; i++)
		up[i] = (char)(ABC_HEX[i] >= 'a' ? ABC_HEX[i] - 32 : ABC_HEX[i]);
	snprintf(text, sizeof(text), "%s  %s\n", up, NAME);
	memset(out, 0, sizeof(out));
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "upper case");

	snprintf(text, sizeof(text), "%s  %s\r\n", ABC_HEX, NAME);
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "CRLF");

	snprintf(text, sizeof(text), "%s  %s", ABC_HEX, NAME);
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "no trailing newline");

	sha512_hex("other", other);
	snprintf(text, sizeof(text), "%s  airootfs.erofs\n%s  %s\n%s  vmlinuz-linux\n", other, ABC_HEX, NAME, other);
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "several files");

	snprintf(text, sizeof(text), "# made by mkarchiso\n\n%s  %s\n\r\n#%s  %s\n\n", ABC_HEX, NAME, other, NAME);
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "comments and blank lines");

	snprintf(text, sizeof(text), "%s  %s\n%s *%s\n", ABC_HEX, NAME, ABC_HEX, NAME);
	CHECK(lookup(text, out) == 0 && sum_is(out, ABC_HEX), "same sum twice");

	snprintf(text, sizeof(text), "%s  dir/%s\n", ABC_HEX, NAME);
	CHECK(sha512_file_lookup(text, strlen(text), "dir/airootfs.sfs", out) == 0, "name with a slash");
	snprintf(text, sizeof(text), "%s  my image.sfs\n", ABC_HEX);
	CHECK(sha512_file_lookup(text, strlen(text), "my image.sfs", out) == 0, "name with a space");

	/* only LEN bytes are read: what follows is not part of the list */
	snprintf(text, sizeof(text), "%s  %s\nGARBAGE", ABC_HEX, NAME);
	CHECK(sha512_file_lookup(text, strlen(text) - 7, NAME, out) == 0, "LEN bounds the text");
}

/* Lists that do not name our file. */
static void test_absent(void)
{
	char text[1024];
	uint8_t out[64];
	CHECK(lookup("", out) == -ENOENT, "empty");
	CHECK(sha512_file_lookup(NULL, 0, NAME, out) == -ENOENT, "NULL, 0");
	CHECK(lookup("\n\n# nothing\n", out) == -ENOENT, "comments only");
	snprintf(text, sizeof(text), "%s  airootfs.erofs\n", ABC_HEX);
	CHECK(lookup(text, out) == -ENOENT, "other file");
	snprintf(text, sizeof(text), "%s  airootfs.sfs.sig\n", ABC_HEX);
	CHECK(lookup(text, out) == -ENOENT, "name is a prefix");
	snprintf(text, sizeof(text), "%s  xairootfs.sfs\n", ABC_HEX);
	CHECK(lookup(text, out) == -ENOENT, "name is a suffix");
	snprintf(text, sizeof(text), "%s  airootfs.sf\n", ABC_HEX);
	CHECK(lookup(text, out) == -ENOENT, "name is longer");
	snprintf(text, sizeof(text), "%s  AIROOTFS.SFS\n", ABC_HEX);
	CHECK(lookup(text, out) == -ENOENT, "names are case-sensitive");
	snprintf(text, sizeof(text), "%s  ./airootfs.sfs\n", ABC_HEX);
	CHECK(lookup(text, out) == -ENOENT, "./ is another name");
}

/* Any malformed line, before or after ours, refuses the whole list. */
static void test_malformed(void)
{
	char text[2048], line[512], good[256], other[129];
	uint8_t out[64];
	snprintf(good, sizeof(good), "%s  %s\n", ABC_HEX, NAME);
	sha512_hex("other", other);
	const char *bad[] = {
		"%.127s  airootfs.sfs\n",   /* 127 digits */
		"%.127sg  airootfs.sfs\n",  /* non-hex digit */
		"%s airootfs.sfs\n",        /* one space */
		"%s\tairootfs.sfs\n",       /* tab */
		"%s\t airootfs.sfs\n",      /* tab then space */
		"%s  \n",                   /* no name */
		"%s  ",                     /* no name, no newline */
		"%s\n",                     /* sum only */
		"%s*airootfs.sfs\n",        /* marker without space */
		"%s   airootfs.sfs\n",      /* three spaces: the name would start with a space; fine only if it is ours */
		"%s0  airootfs.sfs\n",      /* 129 digits */
		" %s  airootfs.sfs\n",      /* leading space */
		"garbage\n",
		"   \n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *sum = (i == 0 || i == 1) ? ABC_HEX : other;
		snprintf(line, sizeof(line), bad[i], sum);
		int r;
		if (i == 9) {
			/* three spaces: a well-formed line for " airootfs.sfs", which is not ours */
			snprintf(text, sizeof(text), "%s", line);
			r = lookup(text, out);
			CHECK(r == -ENOENT, "line %zu alone: %d", i, r);
			continue;
		}
		snprintf(text, sizeof(text), "%s%s", good, line);
		r = lookup(text, out);
		CHECK(r == -EINVAL, "line %zu after ours: %d", i, r);
		snprintf(text, sizeof(text), "%s%s%s", line, strchr(line, '\n') ? "" : "\n", good);
		r = lookup(text, out);
		CHECK(r == -EINVAL, "line %zu before ours: %d", i, r);
	}

	snprintf(text, sizeof(text), "%s  %s\n%s  %s\n", ABC_HEX, NAME, other, NAME);
	CHECK(lookup(text, out) == -EINVAL, "two different sums for our name");

	/* a NUL inside the name, inside our line and inside another one */
	int n = snprintf(text, sizeof(text), "%s  %s\n", ABC_HEX, NAME);
	text[n - 2] = '\0';
	CHECK(sha512_file_lookup(text, (size_t)n, NAME, out) == -EINVAL, "NUL in the name");
	memcpy(text, other, 128);
	memcpy(text + 128, "  ", 2);
	n = 128 + 2 + 13 + (int)strlen(good);
	memcpy(text + 128 + 2, "air\0otfs.sfs\n", 13);
	memcpy(text + 128 + 2 + 13, good, strlen(good));
	CHECK(sha512_file_lookup(text, (size_t)n, NAME, out) == -EINVAL, "NUL in another name");
	n = snprintf(text, sizeof(text), "%s", good);
	text[n - 1] = '\0'; /* NUL where the newline was: part of the name */
	CHECK(sha512_file_lookup(text, (size_t)n, NAME, out) == -EINVAL, "NUL after the name");

	/* a lone CR inside a name */
	snprintf(text, sizeof(text), "%s  airoot\rfs.sfs\n%s", ABC_HEX, good);
	CHECK(lookup(text, out) == -EINVAL, "CR inside a name");
}

/* Run every test; the exit status says whether all passed. */
int main(void)
{
	test_vectors();
	test_accepted();
	test_absent();
	test_malformed();
	return check_done("sha512list_test");
}
