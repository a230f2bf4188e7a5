/* chunk_test.c - one chunk unpacked and checked (agent/verify/chunk.c): gzip, zstd and xz chunks
 * made here with either digest, one decoder set kept across formats and failures; each refusal
 * asserted with its cause (a wrong id, corrupt or truncated data, one byte more or less than the
 * index gives, bytes after the end, no known magic, nothing at all), OUT never written past its
 * size; and casync's own stores of tests/unit/data/casync (make.sh there) unpacked chunk by
 * chunk into the image they were made from. */
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "inflate.h"
#include "pack.h"
#include "verify/chunk.h"

#define WHY 256
#define GUARD 64       /* bytes after OUT that must stay as they were */
#define GUARD_BYTE 0xa5

/* The chunk descriptor of PLAIN: its size and its digest DG as the id. */
static struct ca_chunk chunk_of(struct bytes plain, enum ca_digest dg)
{
	struct ca_chunk c = {.size = (uint32_t)plain.len};
	unsigned len = 0;
	EVP_Digest(plain.p, plain.len, c.id, &len, dg == CA_SHA512_256 ? EVP_sha512_256() : EVP_sha256(), NULL);
	CHECK(len == CA_ID_LEN, "digest length %u", len);
	return c;
}

/* The result of one decode into a buffer of C's size followed by a guard. */
struct result {
	int r;
	char why[WHY];
	bool same;     /* OUT holds PLAIN */
	bool guarded;  /* nothing written past C's size */
};

/* Decode the N bytes at IN as chunk C with D; compare OUT with PLAIN (when given). */
static struct result decode(struct chunk_dec *d, enum ca_digest dg, const struct ca_chunk *c, const uint8_t *in,
			    size_t n, const struct bytes *plain)
{
	struct result res = {0};
	uint8_t *out = malloc(c->size + GUARD);
	memset(out, GUARD_BYTE, c->size + GUARD);
	res.r = chunk_decode(d, dg, c, in, n, out, res.why, sizeof(res.why));
	res.same = plain && plain->len == c->size && (!c->size || memcmp(out, plain->p, c->size) == 0);
	res.guarded = true;
	for (size_t i = 0; i < GUARD; i++)
		res.guarded &= out[c->size + i] == GUARD_BYTE;
	free(out);
	return res;
}

/* Decode expecting -EBADMSG (or R) with WANT in the reason, OUT's guard intact. */
static void expect_refused(struct chunk_dec *d, const struct ca_chunk *c, struct bytes in, int r, const char *want,
			   const char *what)
{
	struct result res = decode(d, CA_SHA256, c, in.p, in.len, NULL);
	CHECK(res.r == r && strstr(res.why, want), "%s: %d \"%s\", want \"%s\"", what, res.r, res.why, want);
	CHECK(res.guarded, "%s: nothing written past OUT", what);
}

/* A copy of S with N bytes of B after it. */
static struct bytes followed(struct bytes s, const void *b, size_t n)
{
	struct bytes o = {0};
	add(&o, s.p, s.len);
	add(&o, b, n);
	return o;
}

/* Each format, each digest, sizes from 0 to 1 MiB: OUT holds the bytes; the same decoders serve
 * every chunk in turn. */
static void test_good(struct chunk_dec *d)
{
	static const size_t sizes[] = {0, 1, 3000, 65536, 1 << 20};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct bytes plain = sample(sizes[s], (unsigned)s + 1);
		for (size_t k = 0; k < 3; k++) {
			struct bytes z = kinds[k].pack(plain);
			for (int dg = 0; dg < 2; dg++) {
				struct ca_chunk c = chunk_of(plain, (enum ca_digest)dg);
				struct result res = decode(d, (enum ca_digest)dg, &c, z.p, z.len, &plain);
				CHECK(res.r == 0 && res.same && res.guarded, "%s, %zu bytes, digest %d: %d %s", kinds[k].name,
				      sizes[s], dg, res.r, res.why);
			}
			free(z.p);
		}
		free(plain.p);
	}
}

/* A wrong id (one bit, or the other digest) is -EILSEQ naming the digest that came. */
static void test_wrong_id(struct chunk_dec *d)
{
	struct bytes plain = sample(3000, 7);
	struct ca_chunk c = chunk_of(plain, CA_SHA256), other = chunk_of(plain, CA_SHA512_256);
	char want[WHY], hex[CA_ID_HEX];
	ca_id_hex(c.id, hex);
	snprintf(want, sizeof(want), "digest %s does not match the id", hex);
	c.id[31] ^= 1;
	for (size_t k = 0; k < 3; k++) {
		struct bytes z = kinds[k].pack(plain);
		struct result res = decode(d, CA_SHA256, &c, z.p, z.len, NULL);
		CHECK(res.r == -EILSEQ && strcmp(res.why, want) == 0, "%s: %d %s", kinds[k].name, res.r, res.why);
		res = decode(d, CA_SHA256, &other, z.p, z.len, NULL);
		CHECK(res.r == -EILSEQ && strcmp(res.why, want) == 0, "%s, the other digest's id: %d %s", kinds[k].name, res.r,
		      res.why);
		free(z.p);
	}
	free(plain.p);
}

/* One byte more or less than the index gives; a chunk of 0 bytes that unpacks to one. */
static void test_sizes(struct chunk_dec *d)
{
	struct bytes plain = sample(3000, 8), one = sample(1, 9);
	struct ca_chunk c = chunk_of(plain, CA_SHA256), empty = {.size = 0};
	for (size_t k = 0; k < 3; k++) {
		struct bytes z = kinds[k].pack(plain), z1 = kinds[k].pack(one);
		c.size = 2999;
		expect_refused(d, &c, z, -EBADMSG, "more than 2999 bytes unpacked (the size the index gives)", kinds[k].name);
		c.size = 3001;
		expect_refused(d, &c, z, -EBADMSG, "only 3000 bytes unpacked, the index gives 3001", kinds[k].name);
		expect_refused(d, &empty, z1, -EBADMSG, "more than 0 bytes unpacked", kinds[k].name);
		free(z.p);
		free(z1.p);
	}
	free(plain.p);
	free(one.p);
}

/* Truncated streams, flipped bytes, bytes after the end (a second member, frame or stream too):
 * -EBADMSG naming the format (a flipped bit that the format ignores, as some of a zstd frame's
 * are, gives the same bytes: accepted, its digest being right); the next good chunk decodes with
 * the same decoders. */
static void test_damaged(struct chunk_dec *d)
{
	static const char *const units[] = {"gzip member", "zstd frame", "xz stream"};
	static const uint8_t zeros[4];
	struct bytes plain = sample(3000, 10);
	struct ca_chunk c = chunk_of(plain, CA_SHA256);
	char want[WHY];
	for (size_t k = 0; k < 3; k++) {
		struct bytes z = kinds[k].pack(plain);
		for (size_t cut = 1; cut < z.len; cut += cut < 16 ? 1 : 97) {
			struct bytes t = {z.p, z.len - cut};
			snprintf(want, sizeof(want), "%s stream truncated after %zu bytes", kinds[k].name, t.len);
			if (t.len >= 6)
				expect_refused(d, &c, t, -EBADMSG, want, "truncated");
		}
		for (size_t at = 0; at < z.len; at += 13) {
			z.p[at] ^= 0x40;
			struct result res = decode(d, CA_SHA256, &c, z.p, z.len, &plain);
			CHECK(res.r == -EBADMSG || res.r == -EILSEQ || (res.r == 0 && res.same), "%s, byte %zu flipped: %d %s",
			      kinds[k].name, at, res.r, res.why);
			CHECK(res.guarded, "%s, byte %zu flipped: nothing written past OUT", kinds[k].name, at);
			z.p[at] ^= 0x40;
		}
		z.p[z.len / 2] ^= 0xff;
		snprintf(want, sizeof(want), "corrupt %s data at byte", kinds[k].name);
		expect_refused(d, &c, z, -EBADMSG, want, "corrupt");
		z.p[z.len / 2] ^= 0xff;

		struct bytes g = followed(z, "xyz", 3), twice = followed(z, z.p, z.len), pad = followed(z, zeros, 4);
		snprintf(want, sizeof(want), "3 bytes after the end of the %s", units[k]);
		expect_refused(d, &c, g, -EBADMSG, want, "garbage after the end");
		snprintf(want, sizeof(want), "%zu bytes after the end of the %s", z.len, units[k]);
		expect_refused(d, &c, twice, -EBADMSG, want, "a second one");
		snprintf(want, sizeof(want), "4 bytes after the end of the %s", units[k]);
		expect_refused(d, &c, pad, -EBADMSG, want, "zero bytes after the end");

		struct result res = decode(d, CA_SHA256, &c, z.p, z.len, &plain);
		CHECK(res.r == 0 && res.same, "%s after the failures: %d %s", kinds[k].name, res.r, res.why);
		free(g.p);
		free(twice.p);
		free(pad.p);
		free(z.p);
	}
	free(plain.p);
}

/* No magic, a partial one, nothing. */
static void test_no_format(struct chunk_dec *d)
{
	struct ca_chunk c = {.size = 16};
	static const char *const heads[] = {"plain bytes", "\x28\xb5\x2f", "\x1f", "\xfd" "7zXZ", "hsqs"};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		struct bytes b = {(uint8_t *)heads[i], strlen(heads[i])};
		expect_refused(d, &c, b, -EBADMSG, "no gzip, zstd or xz magic at the start", heads[i]);
	}
	expect_refused(d, &c, (struct bytes){(uint8_t *)"", 0}, -EBADMSG, "no data", "empty");
}

/* The image casync chunked (make.sh): the numbers 1 to 5000, one a line, cut at 20480 bytes. */
static struct bytes casync_image(void)
{
	struct bytes b = {0};
	char line[16];
	for (int i = 1; b.len < 20480; i++)
		add(&b, line, (size_t)snprintf(line, sizeof(line), "%d\n", i));
	b.len = 20480;
	return b;
}

/* Each store of casync's (make.sh): every chunk read from its path, its compression the store's,
 * unpacked and checked against its id into its place; the pieces make the image. */
static void test_casync(struct chunk_dec *d)
{
	static const struct {
		const char *index, *store, *format;
	} stores[] = {
		{"sha512-256.caibx", "sha512-256-gzip.castr", "gzip"},
		{"sha512-256.caibx", "sha512-256-zstd.castr", "zstd"},
		{"sha512-256.caibx", "sha512-256-xz.castr", "xz"},
		{"sha256.caibx", "sha256-xz.castr", "xz"},
	};
	struct bytes image = casync_image();
	for (size_t s = 0; s < sizeof(stores) / sizeof(stores[0]); s++) {
		struct buf b = load(stores[s].index);
		struct ca_index ix;
		char why[WHY] = "";
		CHECK(ca_index_parse(b.p, b.n, &ix, why, sizeof(why)) == 0 && ix.size == image.len, "%s: %s", stores[s].index,
		      why);
		uint8_t *out = calloc(1, ix.size + 1);
		for (size_t i = 0; i < ix.n; i++) {
			char name[FIXTURE_NAME_MAX];
			int len = snprintf(name, sizeof(name), "%s/", stores[s].store);
			CHECK(ca_chunk_path(&ix.chunk[i], name + len, sizeof(name) - (size_t)len) > 0, "path");
			struct buf z = load(name);
			CHECK_STR(inflate_format_of(z.p, z.n), stores[s].format);
			int r = chunk_decode(d, ix.digest, &ix.chunk[i], z.p, z.n, out + ix.chunk[i].start, why, sizeof(why));
			CHECK(r == 0, "%s: %s: %d %s", stores[s].store, name, r, why);
			free(z.p);
		}
		CHECK(ix.size == image.len && memcmp(out, image.p, image.len) == 0, "%s: the image again", stores[s].store);
		free(out);
		ca_index_free(&ix);
		free(b.p);
	}
	free(image.p);
}

int main(void)
{
	find_data_dir("casync");
	struct chunk_dec *d = chunk_dec_new();
	CHECK(d != NULL, "decoders");
	test_good(d);
	test_wrong_id(d);
	test_sizes(d);
	test_damaged(d);
	test_no_format(d);
	test_casync(d);
	chunk_dec_free(d);
	chunk_dec_free(NULL);
	struct chunk_dec *unused = chunk_dec_new();
	chunk_dec_free(unused); /* a set that decoded nothing */
	return check_done("chunk_test");
}
