/* caindex_test.c - casync's blob index (agent/verify/caindex.c): indexes built here word by word,
 * each refusal asserted with its reason, and the two real indexes of tests/unit/data/casync
 * (make.sh there: casync's own output) read with the fields casync wrote; the chunk lookup at
 * every chunk's edges, a chunk's path in a store. */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "verify/caindex.h"

#define WHY 256
#define ITEMS 64       /* where the items start */
#define CASYNC_FLAGS UINT64_C(0x9000000000000000) /* feature flags casync sets besides the digest's */

/* The little-endian word V at P. */
static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

/* An index of N chunks ending at ENDS, flags FLAGS, chunk sizes 1024:2048:4096; chunk I's id is
 * 32 bytes of value I + 1. */
static struct buf build(const uint64_t *ends, size_t n, uint64_t flags)
{
	size_t len = ITEMS + 40 * n + 40;
	struct buf b = {calloc(1, len), len};
	const uint64_t head[] = {48, UINT64_C(0x96824d9c7b129ff9), flags, 1024, 2048, 4096, UINT64_MAX,
				 UINT64_C(0xe75b9e112f17417d)};
	for (size_t i = 0; i < 8; i++)
		put64(b.p + 8 * i, head[i]);
	for (size_t i = 0; i < n; i++) {
		put64(b.p + ITEMS + 40 * i, ends[i]);
		memset(b.p + ITEMS + 40 * i + 8, (int)(i + 1), CA_ID_LEN);
	}
	const uint64_t tail[] = {0, 0, 48, len - 48, UINT64_C(0x4b4f050e5549ecd1)};
	for (size_t i = 0; i < 5; i++)
		put64(b.p + len - 40 + 8 * i, tail[i]);
	return b;
}

/* The ends of a good index: 4096 (the maximum), 1904, 2000, 500 (the last, below the minimum). */
static const uint64_t good[] = {4096, 6000, 8000, 8500};
#define NGOOD (sizeof(good) / sizeof(good[0]))

/* Parse B (its first LEN bytes) expecting -EBADMSG with WANT in the reason, and nothing to free. */
static void expect_refused(struct buf b, size_t len, const char *want, const char *what)
{
	struct ca_index ix;
	char why[WHY] = "";
	int r = ca_index_parse(b.p, len, &ix, why, sizeof(why));
	CHECK(r == -EBADMSG && strstr(why, want), "%s: %d \"%s\", want \"%s\"", what, r, why, want);
	CHECK(ix.chunk == NULL && ix.n == 0, "%s: nothing to free", what);
}

/* The good index read: fields, chunks, ids; flags kept as found, the digest told by its bit. */
static void test_good(void)
{
	for (int sha = 0; sha < 2; sha++) {
		uint64_t flags = CASYNC_FLAGS | (sha ? CA_FLAG_SHA512_256 : 0);
		struct buf b = build(good, NGOOD, flags);
		struct ca_index ix;
		char why[WHY] = "";
		CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0, "good: %s", why);
		CHECK(ix.digest == (sha ? CA_SHA512_256 : CA_SHA256) && ix.flags == flags, "digest %d flags %llx", ix.digest,
		      (unsigned long long)ix.flags);
		CHECK(ix.min == 1024 && ix.avg == 2048 && ix.max == 4096, "sizes %u %u %u", ix.min, ix.avg, ix.max);
		CHECK(ix.n == NGOOD && ix.size == 8500, "n %zu size %llu", ix.n, (unsigned long long)ix.size);
		uint64_t start = 0;
		for (size_t i = 0; i < ix.n && i < NGOOD; i++) {
			CHECK(ix.chunk[i].start == start && ix.chunk[i].size == good[i] - start, "chunk %zu", i);
			CHECK(ix.chunk[i].id[0] == i + 1 && ix.chunk[i].id[CA_ID_LEN - 1] == i + 1, "chunk %zu id", i);
			start = good[i];
		}
		ca_index_free(&ix);
		CHECK(ix.chunk == NULL && ix.n == 0, "freed");
		CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0, "parsed again: %s", why);
		ca_index_free(&ix);
		free(b.p);
	}
	static const uint64_t one[] = {1};
	struct buf b = build(one, 1, 0);
	struct ca_index ix;
	char why[WHY] = "";
	CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0 && ix.n == 1 && ix.size == 1,
	      "one chunk below the minimum (the last): %s", why);
	ca_index_free(&ix);
	free(b.p);
}

/* Offsets that do not grow, chunks out of the declared bounds. */
static void test_items(void)
{
	static const struct {
		uint64_t ends[4];
		size_t n;
		const char *want;
	} cases[] = {
		{{4096, 3000, 5000}, 3, "chunk 1 ends at 3000, before chunk 0 (4096)"},
		{{4096, 8192, 4096}, 3, "chunk 2 ends at 4096, before chunk 1 (8192)"},
		{{4096, 4096, 5000}, 3, "chunk 1 ends at 4096, where it starts (an empty chunk)"},
		{{0}, 1, "chunk 0 ends at 0, where it starts (an empty chunk)"},
		{{4097}, 1, "chunk 0 is 4097 bytes, more than the index's maximum of 4096"},
		{{4096, 4096 + 4097}, 2, "chunk 1 is 4097 bytes, more than the index's maximum of 4096"},
		{{UINT64_MAX}, 1, "chunk 0 is 18446744073709551615 bytes, more than the index's maximum of 4096"},
		{{1000, 3000}, 2, "chunk 0 is 1000 bytes, less than the index's minimum of 1024 (only the last may be)"},
		{{2000, 3023, 4000}, 3, "chunk 1 is 1023 bytes, less than the index's minimum of 1024"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = build(cases[i].ends, cases[i].n, 0);
		expect_refused(b, b.n, cases[i].want, cases[i].want);
		free(b.p);
	}
}

/* The good index with V as its word at byte OFF (counted from the end when negative) refused
 * with WANT. */
static void expect_word_refused(long off, uint64_t v, const char *want)
{
	struct buf b = build(good, NGOOD, 0);
	put64(b.p + (off < 0 ? (long)b.n + off : off), v);
	expect_refused(b, b.n, want, want);
	free(b.p);
}

/* Header, table header and tail words that disagree. */
static void test_words(void)
{
	expect_word_refused(8, 0x1234, "not a casync blob index (magic 0x0000000000001234)");
	expect_word_refused(0, 40, "header size 40, not 48");
	expect_word_refused(24, 3000, "chunk sizes out of order: minimum 3000, average 2048, maximum 4096");
	expect_word_refused(24, 0, "chunk sizes out of order: minimum 0");
	expect_word_refused(32, 5000, "chunk sizes out of order: minimum 1024, average 5000, maximum 4096");
	expect_word_refused(40, (uint64_t)CA_CHUNK_LIMIT + 1, "maximum chunk size 16777217 is above the limit of 16777216");
	expect_word_refused(40, UINT64_MAX, "maximum chunk size 18446744073709551615 is above the limit");
	expect_word_refused(48, 176, "table header size 176, not 2^64-1");
	expect_word_refused(56, 0, "wrong table magic 0x0000000000000000");
	expect_word_refused(-8, 0x1111, "the last word 0x0000000000001111 is not the tail marker");
	expect_word_refused(-16, 999, "the tail's table size 999 does not match the table (216 bytes)");
	expect_word_refused(-24, 64, "the tail's table offset 64 is not 48");
	expect_word_refused(-32, 1, "the tail does not begin with two zero words");
	expect_word_refused(-40, 1, "the tail does not begin with two zero words");

	/* the chunk sizes at the limit are accepted */
	struct buf b = build(good, NGOOD, 0);
	put64(b.p + 40, CA_CHUNK_LIMIT);
	struct ca_index ix;
	char why[WHY] = "";
	CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0 && ix.max == CA_CHUNK_LIMIT, "max at the limit: %s", why);
	ca_index_free(&ix);
	put64(b.p + 24, 4096);
	put64(b.p + 32, 4096);
	CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == -EBADMSG, "min 4096: chunk 1 too small");
	free(b.p);
}

/* Lengths: every prefix of the good index refused, a remainder before the tail, no item. */
static void test_lengths(void)
{
	struct buf b = build(good, NGOOD, 0);
	for (size_t len = 0; len < b.n; len++) {
		struct ca_index ix;
		char why[WHY] = "";
		int r = ca_index_parse(b.p, len, &ix, why, sizeof(why));
		CHECK(r == -EBADMSG && why[0] && !ix.chunk, "prefix %zu: %d %s", len, r, why);
	}
	expect_refused(b, 63, "63 bytes, too short for an index", "63 bytes");
	expect_refused(b, 64 + 39, "39 bytes after the table header, too short for the tail", "no tail");
	expect_refused(b, b.n - 1, "is not the tail marker (truncated?)", "the tail truncated");

	struct buf odd = {malloc(b.n + 12), b.n + 12}; /* 12 bytes between the last item and the tail */
	memcpy(odd.p, b.p, b.n - 40);
	memset(odd.p + b.n - 40, 0xee, 12);
	memcpy(odd.p + b.n - 28, b.p + b.n - 40, 40);
	expect_refused(odd, odd.n, "12 bytes after the last whole item", "a remainder");
	free(odd.p);
	free(b.p);

	struct buf none = build(NULL, 0, 0);
	expect_refused(none, none.n, "no chunk", "no chunk");
	free(none.p);

	char tiny[8];
	struct ca_index ix;
	CHECK(ca_index_parse((const uint8_t *)"", 0, &ix, tiny, sizeof(tiny)) == -EBADMSG &&
		      strlen(tiny) == sizeof(tiny) - 1,
	      "the reason cut to the caller's buffer: %s", tiny);
	CHECK(ca_index_parse((const uint8_t *)"", 0, &ix, NULL, 0) == -EBADMSG, "no buffer for the reason");
}

/* ca_index_find at each chunk's first and last byte, and at the image's ends. */
static void test_find(void)
{
	static const uint64_t ends[] = {4096, 5120, 9000, 13000, 14024, 18000, 18001};
	size_t n = sizeof(ends) / sizeof(ends[0]);
	struct buf b = build(ends, n, 0);
	struct ca_index ix;
	char why[WHY] = "";
	CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0, "find's index: %s", why);
	for (size_t i = 0; i < ix.n; i++) {
		CHECK(ca_index_find(&ix, ix.chunk[i].start) == i, "first byte of chunk %zu", i);
		CHECK(ca_index_find(&ix, ix.chunk[i].start + ix.chunk[i].size - 1) == i, "last byte of chunk %zu", i);
		if (ix.chunk[i].size > 2)
			CHECK(ca_index_find(&ix, ix.chunk[i].start + ix.chunk[i].size / 2) == i, "middle of chunk %zu", i);
	}
	CHECK(ca_index_find(&ix, 0) == 0 && ca_index_find(&ix, ix.size - 1) == n - 1, "the image's ends");
	ca_index_free(&ix);
	free(b.p);

	static const uint64_t one[] = {100};
	b = build(one, 1, 0);
	CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0, "one chunk: %s", why);
	CHECK(ca_index_find(&ix, 0) == 0 && ca_index_find(&ix, 99) == 0, "one chunk: found");
	ca_index_free(&ix);
	free(b.p);
}

/* An id in hex, a chunk's path in a store, the digests' names. */
static void test_names(void)
{
	struct ca_chunk c = {0};
	for (size_t i = 0; i < CA_ID_LEN; i++)
		c.id[i] = (uint8_t)(i * 0x11 + 0x0a);
	char hex[CA_ID_HEX], path[128];
	ca_id_hex(c.id, hex);
	CHECK_STR(hex, "0a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f70819");
	CHECK(ca_chunk_path(&c, path, sizeof(path)) == 75, "path length");
	CHECK_STR(path, "0a1b/0a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f70819.cacnk");
	CHECK(ca_chunk_path(&c, path, 76) == 75, "just room");
	CHECK(ca_chunk_path(&c, path, 75) == -ENAMETOOLONG, "no room for the NUL");
	CHECK(ca_chunk_path(&c, path, 0) == -ENAMETOOLONG, "no room");
	CHECK_STR(ca_digest_name(CA_SHA512_256), "sha512-256");
	CHECK_STR(ca_digest_name(CA_SHA256), "sha256");
}

/* casync's own indexes (make.sh): 20480 bytes in 8 chunks of 1024:2048:4096, flags as it sets
 * them, the first chunk's path named by the digest of the image's first 4096 bytes (as
 * `seq 1 5000 | head -c 4096 | openssl dgst -sha512-256` and `sha256sum` give it). */
static void test_casync(void)
{
	static const struct {
		const char *file;
		enum ca_digest dg;
		uint64_t flags;
		const char *first;
	} idx[] = {
		{"sha512-256.caibx", CA_SHA512_256, UINT64_C(0xb000000000000000),
		 "f132/f1321779485fbeeadfa5cdd24426a633ba407586518a893193fb5aa676139972.cacnk"},
		{"sha256.caibx", CA_SHA256, UINT64_C(0x9000000000000000),
		 "5d45/5d45b6510efbba88e03ce800c858b4a3a7a8a458e9708595f3665c78ea0713f8.cacnk"},
	};
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		struct buf b = load(idx[i].file);
		struct ca_index ix;
		char why[WHY] = "", path[128] = "";
		CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0, "%s: %s", idx[i].file, why);
		CHECK(ix.digest == idx[i].dg && ix.flags == idx[i].flags, "%s: digest, flags %llx", idx[i].file,
		      (unsigned long long)ix.flags);
		CHECK(ix.min == 1024 && ix.avg == 2048 && ix.max == 4096 && ix.n == 8 && ix.size == 20480,
		      "%s: sizes %u:%u:%u, %zu chunks, %llu bytes", idx[i].file, ix.min, ix.avg, ix.max, ix.n,
		      (unsigned long long)ix.size);
		if (ix.n)
			ca_chunk_path(&ix.chunk[0], path, sizeof(path));
		CHECK_STR(path, idx[i].first);
		ca_index_free(&ix);
		free(b.p);
	}
}

int main(void)
{
	find_data_dir("casync");
	test_good();
	test_items();
	test_words();
	test_lengths();
	test_find();
	test_names();
	test_casync();
	return check_done("caindex_test");
}
