/* fuzz_chunk.c - libFuzzer target for one chunk's unpacking and check. The input: a byte whose
 * lowest bit picks the digest (1: SHA-512/256), the chunk's size (2 bytes, little-endian: at most
 * 64 KiB), its 32-byte id, then the compressed chunk. OUT is exactly the size (a write past it is
 * caught); one decoder set serves every input, whatever the last one did. Checked: only the
 * documented errors, each with its reason; an accepted chunk's bytes have the id as digest and
 * came from a known compression. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inflate.h"
#include "verify/chunk.h"

#define HEAD (1 + 2 + CA_ID_LEN)

static struct chunk_dec *dec;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_stderr(argc, argv);
	dec = chunk_dec_new();
	REQUIRE(dec != NULL);
	return 0;
}

/* Whether the SIZE bytes at OUT have ID as their digest DG. */
static int digest_is(enum ca_digest dg, const uint8_t *out, size_t size, const uint8_t *id)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	REQUIRE(EVP_Digest(out, size, md, &len, dg == CA_SHA512_256 ? EVP_sha512_256() : EVP_sha256(), NULL) == 1);
	return len == CA_ID_LEN && memcmp(md, id, CA_ID_LEN) == 0;
}

/* One chunk. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEAD)
		return 0;
	enum ca_digest dg = data[0] & 1 ? CA_SHA512_256 : CA_SHA256;
	struct ca_chunk c = {.start = 0, .size = (uint32_t)(data[1] | data[2] << 8)};
	memcpy(c.id, data + 3, CA_ID_LEN);
	const uint8_t *in = data + HEAD;
	size_t n = size - HEAD;
	uint8_t *out = malloc(c.size ? c.size : 1);
	REQUIRE(out != NULL);
	char why[160] = "";
	int r = chunk_decode(dec, dg, &c, in, n, out, why, sizeof(why));
	REQUIRE(r == 0 || r == -EBADMSG || r == -EILSEQ || r == -ENOMEM);
	REQUIRE(r == 0 || why[0]);
	if (r == 0)
		REQUIRE(inflate_format_of(in, n) != NULL && digest_is(dg, out, c.size, c.id));
	if (r == -EILSEQ)
		REQUIRE(strncmp(why, "digest ", 7) == 0 && strstr(why, " does not match the id"));
	free(out);
	return 0;
}
