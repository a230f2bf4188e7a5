/* fuzz_sha512list.c - libFuzzer target for the sha512 list parser. The input is NAME, a NUL, then
 * the list text (no NUL: the whole input is the text, looked up for airootfs.sfs). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "verify/sha512list.h"


/* A copy of LEN bytes at P in a buffer of exactly that size (reads past it are caught). */
static char *dup_exact(const uint8_t *p, size_t len)
{
	char *s = malloc(len ? len : 1);
	REQUIRE(s != NULL);
	if (len)
		memcpy(s, p, len);
	return s;
}

/* After a successful lookup: a canonical line for NAME with the sum found gives the same sum,
 * and the text with that line added still does (it agrees with every other line for NAME). */
static void confirm(const char *text, size_t len, const char *name, const uint8_t sum[64])
{
	size_t nlen = strlen(name);
	if (nlen == 0 || strpbrk(name, "\r\n"))
		return;
	char hex[129];
	hex_encode(sum, 64, hex);
	size_t llen = 128 + 2 + nlen + 1;
	char *line = malloc(llen + 1);
	REQUIRE(line != NULL);
	snprintf(line, llen + 1, "%s  %s\n", hex, name);
	uint8_t again[64];
	REQUIRE(sha512_file_lookup(line, llen, name, again) == 0);
	REQUIRE(memcmp(again, sum, 64) == 0);

	char *both = malloc(llen + len + 1);
	REQUIRE(both != NULL);
	memcpy(both, line, llen);
	memcpy(both + llen, text, len);
	both[llen + len] = '\n';
	REQUIRE(sha512_file_lookup(both, llen + len + 1, name, again) == 0);
	REQUIRE(memcmp(again, sum, 64) == 0);
	free(both);
	free(line);
}

/* One input: split, look up, check the result is one of the documented ones. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	char *name, *text;
	size_t tlen;
	if (nul) {
		name = dup_exact(data, (size_t)(nul - data) + 1);
		tlen = size - (size_t)(nul - data) - 1;
		text = dup_exact(nul + 1, tlen);
	} else {
		name = dup_exact((const uint8_t *)"airootfs.sfs", sizeof("airootfs.sfs"));
		tlen = size;
		text = dup_exact(data, size);
	}
	uint8_t sum[64];
	int r = sha512_file_lookup(text, tlen, name, sum);
	REQUIRE(r == 0 || r == -EINVAL || r == -ENOENT);
	if (r == 0)
		confirm(text, tlen, name, sum);
	free(text);
	free(name);
	return 0;
}
