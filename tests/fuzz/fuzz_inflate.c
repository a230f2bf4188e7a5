/* fuzz_inflate.c - libFuzzer target for the inflate sink. The input is the stream as served; it
 * goes in once in chunks whose sizes come from a hash of the input, once whole. Checked: both ways
 * succeed or fail alike, with the same bytes out when they succeed; the format is the one the first bytes name; a plain stream
 * comes out unchanged; the counts match what went in and out; the budget is asked at most once a step. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "inflate.h"

#define OUT_MAX (4u << 20) /* unpacked bytes kept apart from a bomb's: the sink refuses more */

/* What reached the downstream sink: its length, a hash, the first bytes. */
struct seen {
	struct sink s;
	uint64_t len, hash;
	uint8_t head[4096];
};

/* Count, hash (FNV-1a) and keep the start. */
static int seen_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct seen *v = (struct seen *)s;
	if (v->len + n > OUT_MAX)
		return -EFBIG;
	for (size_t i = 0; i < n; i++) {
		if (v->len + i < sizeof(v->head))
			v->head[v->len + i] = p[i];
		v->hash = (v->hash ^ p[i]) * 0x100000001b3ull;
	}
	v->len += n;
	return 0;
}

/* The budget's view: asked only past its mark, the counts only growing. */
struct steps {
	uint64_t calls, last_in, mark;
};

/* Check the call and allow it. */
static int budget(void *ctx, const char *label, uint64_t in, uint64_t unpacked, uint64_t *next)
{
	struct steps *b = ctx;
	REQUIRE(label && strcmp(label, "fuzz") == 0);
	REQUIRE(unpacked > b->mark && *next == unpacked + INFLATE_BUDGET_STEP);
	REQUIRE(in >= b->last_in);
	b->calls++;
	b->last_in = in;
	b->mark = *next;
	return 0;
}

/* One run over DATA: chunk sizes from a xorshift seeded with SEED (0: all at once). Returns the
 * result (the first write error, else finish's); fills F's counts and V. */
static int run(const uint8_t *data, size_t size, uint64_t seed, struct inflate *f, struct seen *v)
{
	struct steps b = {0};
	memset(v, 0, sizeof(*v));
	v->s.write = seen_write;
	v->hash = 0xcbf29ce484222325ull;
	inflate_init(f, &v->s, "fuzz");
	f->budget = budget;
	f->ctx = &b;
	uint64_t x = seed | 1, max = seed % 3 == 0 ? 8 : 1 + seed % 4099;
	size_t off = 0;
	int r = 0;
	while (off < size && r == 0) {
		size_t n = size - off;
		if (seed) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			n = 1 + x % max < n ? 1 + x % max : n;
		}
		r = f->s.write(&f->s, data + off, n);
		REQUIRE(r == 0 || r == -EBADMSG || r == -EFBIG || r == -ENOMEM);
		off += n;
	}
	if (r == 0)
		r = inflate_finish(f);
	REQUIRE(r == 0 || r == -EBADMSG || r == -EFBIG || r == -ENOMEM);
	REQUIRE(inflate_finish(f) == r); /* the end is told once and then kept */
	REQUIRE((b.calls > 0) == (f->unpacked > 0) && b.calls <= f->unpacked / INFLATE_BUDGET_STEP + 1);
	inflate_free(f);
	return r;
}

/* The format the first bytes of DATA name, as the magic numbers are documented. */
static const char *expected_format(const uint8_t *data, size_t size)
{
	static const struct {
		const char *name;
		size_t len;
		const char *magic;
	} m[] = {{"gzip", 2, "\x1f\x8b"}, {"zstd", 4, "\x28\xb5\x2f\xfd"}, {"xz", 6, "\xfd" "7zXZ\0"}};
	for (size_t i = 0; i < 3; i++)
		if (size >= m[i].len && memcmp(data, m[i].magic, m[i].len) == 0)
			return m[i].name;
	return "plain";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_stderr(argc, argv);
	return 0;
}

/* One input, two ways. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen a, b;
	struct inflate fa, fb;
	uint64_t seed = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	int ra = run(data, size, seed ? seed : 1, &fa, &a);
	int rb = run(data, size, 0, &fb, &b);
	const char *want = expected_format(data, size);

	REQUIRE((ra == 0) == (rb == 0)); /* where a failure shows may differ: what a chunk held */
	REQUIRE(ra != 0 || (a.len == b.len && a.hash == b.hash));
	REQUIRE(fa.format && strcmp(fa.format, want) == 0);
	if (strcmp(want, "plain") == 0) {
		REQUIRE(ra == 0 && fa.unpacked == 0 && fa.in == size);
		REQUIRE(a.len == size && memcmp(a.head, data, size < sizeof(a.head) ? size : sizeof(a.head)) == 0);
	} else if (ra == 0) {
		REQUIRE(fa.in == size && fa.unpacked == a.len && fb.unpacked == b.len);
	}
	return 0;
}
