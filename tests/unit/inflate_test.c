/* inflate_test.c - gzip, zstd and xz unpacked whatever the chunk sizes; plain bytes passed on as
 * they are; truncated, corrupt and trailing-garbage streams refused with one line naming them;
 * the budget asked every step and able to refuse. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "inflate.h"
#include "log.h"
#include "pack.h"

#define LABEL "http://10.0.2.2/ramdisk.ext2.gz"

/* A sink that keeps everything; fails with FAIL once it holds more than LIMIT bytes (LIMIT 0:
 * never). */
struct keep {
	struct sink s;
	uint8_t *buf;
	size_t len, cap, limit;
	int fail;
};

/* Append, growing the buffer. */
static int keep_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct keep *k = (struct keep *)s;
	if (k->limit && k->len + n > k->limit)
		return k->fail;
	if (k->len + n > k->cap) {
		k->cap = (k->len + n) * 2;
		k->buf = realloc(k->buf, k->cap);
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
	return 0;
}

/* The result of pushing a stream through an inflate sink. */
struct run {
	int write;   /* the first write error, else 0 */
	int finish;  /* inflate_finish's result (not called after a write error) */
	struct inflate f;
	struct keep k;
};

/* Feed S to a fresh sink in chunks of STEP bytes (0: chunk sizes 1, 2, 3 ... in turn), then
 * finish; the unpacked bytes are in R->k. */
static void push(struct run *r, struct bytes s, size_t step)
{
	memset(r, 0, sizeof(*r));
	r->k.s.write = keep_write;
	inflate_init(&r->f, &r->k.s, LABEL);
	size_t off = 0, n = 1;
	while (off < s.len && !r->write) {
		size_t c = step ? step : n++;
		c = c < s.len - off ? c : s.len - off;
		r->write = r->f.s.write(&r->f.s, s.p + off, c);
		off += c;
	}
	r->finish = r->write ? r->write : inflate_finish(&r->f);
}

/* Release what push made. */
static void done(struct run *r)
{
	inflate_free(&r->f);
	free(r->k.buf);
}

/* The text of the log file LOG, since it was last emptied, into a static buffer; empties it. */
static const char *log_lines(const char *log)
{
	static char text[4096];
	FILE *fp = fopen(log, "r");
	size_t n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
	text[n] = '\0';
	if (fp)
		fclose(fp);
	(void)!truncate(log, 0);
	return text;
}

/* How many lines TEXT has. */
static int lines(const char *text)
{
	int n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* Each format comes back byte for byte, whatever the chunk sizes (1 byte at a time splits the
 * magic), with the counts and the format name right (inflate_format_of's too) and one line naming
 * both sizes. */
static void test_round_trip(const char *log)
{
	struct bytes plain = sample(3 << 20, 1);
	static const size_t steps[] = {0, 1, 5, 4096, 65536, 1 << 30};
	for (size_t k = 0; k < 3; k++) {
		struct bytes c = kinds[k].pack(plain);
		CHECK_STR(inflate_format_of(c.p, c.len), kinds[k].name);
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			if (steps[i] == 1 && c.len > 200000)
				continue; /* byte by byte: the slow way, on the small streams below */
			struct run r;
			push(&r, c, steps[i]);
			CHECK(r.finish == 0 && inflate_finish(&r.f) == 0, "%s step %zu: %d", kinds[k].name, steps[i], r.finish);
			CHECK(r.k.len == plain.len && memcmp(r.k.buf, plain.p, plain.len) == 0, "%s step %zu: same bytes",
			      kinds[k].name, steps[i]);
			CHECK_STR(r.f.format, kinds[k].name);
			CHECK(r.f.in == c.len && r.f.unpacked == plain.len, "%s: counts %llu %llu", kinds[k].name,
			      (unsigned long long)r.f.in, (unsigned long long)r.f.unpacked);
			const char *text = log_lines(log);
			CHECK(lines(text) == 1 && strstr(text, LABEL) && strstr(text, kinds[k].name) &&
				      strstr(text, "3145728 unpacked"),
			      "one line with both sizes: %s", text);
			done(&r);
		}
		free(c.p);
	}
	struct bytes small = sample(3000, 2);
	for (size_t k = 0; k < 3; k++) {
		struct bytes c = kinds[k].pack(small);
		struct run r;
		push(&r, c, 1);
		CHECK(r.finish == 0 && r.k.len == small.len && memcmp(r.k.buf, small.p, small.len) == 0,
		      "%s byte by byte", kinds[k].name);
		done(&r);
		free(c.p);
	}
	log_lines(log);
	free(small.p);
	free(plain.p);
}

/* Bytes with no magic pass on unchanged, however short, even when they begin like one (and
 * inflate_format_of names no format for them). */
static void test_plain(const char *log)
{
	static const char *const heads[] = {"", "\x1f", "\x28\xb5\x2f", "\xfd" "7zXZ", "\x1f\x8c rest", "\x28\xb5\x2f\xfe",
					    "\xfd" "7zXZ\x01 more", "hsqs squashfs", "\x8b\x1f"};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		size_t hl = strlen(heads[i]);
		CHECK(inflate_format_of((const uint8_t *)heads[i], hl) == NULL, "plain %zu: no format", i);
		for (size_t step = 0; step < 3; step++) {
			struct bytes b = {0};
			add(&b, heads[i], hl);
			if (step == 2) {
				struct bytes tail = sample(100000, 3);
				add(&b, tail.p, tail.len);
				free(tail.p);
			}
			struct run r;
			push(&r, b, step);
			CHECK(r.finish == 0, "plain %zu step %zu: %d", i, step, r.finish);
			CHECK(r.k.len == b.len && (b.len == 0 || memcmp(r.k.buf, b.p, b.len) == 0), "plain %zu step %zu: same bytes",
			      i, step);
			CHECK_STR(r.f.format, "plain");
			CHECK(r.f.in == b.len && r.f.unpacked == 0, "plain counts");
			done(&r);
			free(b.p);
		}
	}
	CHECK(lines(log_lines(log)) == 0, "no line for a plain stream");
}

/* gzip -c a b, two zstd frames (a skippable one between), two xz streams with padding: all of
 * it, in order; zero bytes after the last gzip member are allowed. */
static void test_concatenated(void)
{
	struct bytes a = sample(200000, 4), b = sample(300001, 5), want = {0};
	add(&want, a.p, a.len);
	add(&want, b.p, b.len);
	static const uint8_t skippable[] = {0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'};
	static const uint8_t zeros[8] = {0};
	for (size_t k = 0; k < 3; k++) {
		struct bytes ca = kinds[k].pack(a), cb = kinds[k].pack(b), s = {0};
		add(&s, ca.p, ca.len);
		if (k == 1)
			add(&s, skippable, sizeof(skippable));
		if (k == 2)
			add(&s, zeros, 4); /* xz stream padding: a multiple of 4 */
		add(&s, cb.p, cb.len);
		if (k != 1)
			add(&s, zeros, k == 0 ? 5 : 8);
		for (size_t step = 0; step < 2; step++) {
			struct run r;
			push(&r, s, step ? 7777 : 0);
			CHECK(r.finish == 0, "%s concatenated: %d", kinds[k].name, r.finish);
			CHECK(r.k.len == want.len && memcmp(r.k.buf, want.p, want.len) == 0, "%s concatenated: same bytes",
			      kinds[k].name);
			done(&r);
		}
		free(ca.p);
		free(cb.p);
		free(s.p);
	}
	free(a.p);
	free(b.p);
	free(want.p);
}

/* Push S in chunks of STEP: it must be refused with -EBADMSG, kept for later calls, after
 * exactly one line holding WANT and the name of format K; WHAT names the case. */
static void expect_refused(const char *log, struct bytes s, size_t step, const char *want, size_t k, const char *what)
{
	struct run r;
	push(&r, s, step);
	CHECK(r.finish == -EBADMSG, "%s %s: %d", kinds[k].name, what, r.finish);
	CHECK(inflate_finish(&r.f) == -EBADMSG, "%s %s: finish repeats it", kinds[k].name, what);
	CHECK(!r.write || r.f.s.write(&r.f.s, (const uint8_t *)"x", 1) == r.write, "%s %s: sticky", kinds[k].name, what);
	const char *text = log_lines(log);
	CHECK(lines(text) == 1 && strstr(text, want) && strstr(text, kinds[k].name), "%s %s: one line: %s", kinds[k].name,
	      what, text);
	done(&r);
}

/* Streams cut short are refused by finish with one line naming the image, the format and both
 * sizes; so are a bare magic and a cut inside a second member. */
static void test_truncated(const char *log)
{
	struct bytes plain = sample(500000, 6);
	for (size_t k = 0; k < 3; k++) {
		struct bytes c = kinds[k].pack(plain), two = {0};
		size_t magic = k == 0 ? 2 : k == 1 ? 4 : 6;
		size_t cuts[] = {c.len - 1, c.len - 4, c.len / 2, 100, magic};
		for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			char want[200];
			snprintf(want, sizeof(want), "image %s: %s stream truncated after %zu bytes (", LABEL, kinds[k].name, cuts[i]);
			expect_refused(log, (struct bytes){c.p, cuts[i]}, 1000, want, k, "cut");
		}
		add(&two, c.p, c.len);
		add(&two, c.p, c.len / 3);
		expect_refused(log, two, 0, "stream truncated", k, "second member cut");
		free(two.p);
		free(c.p);
	}
	free(plain.p);
}

/* A flipped byte is caught (at a write, or by the check at the end) with one line naming the
 * image and the format; later calls return the same error. */
static void test_corrupt(const char *log)
{
	struct bytes plain = sample(400000, 7);
	for (size_t k = 0; k < 3; k++) {
		struct bytes c = kinds[k].pack(plain);
		size_t spots[] = {c.len / 3, c.len / 2, c.len - 10, k == 0 ? 3 : k == 1 ? 5 : 8};
		for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
			c.p[spots[i]] ^= 0x55;
			expect_refused(log, c, 4096, "image " LABEL ": ", k, "flipped");
			c.p[spots[i]] ^= 0x55;
		}
		free(c.p);
	}
	free(plain.p);
}

/* Garbage after the end is refused: gzip's and zstd's at the write, xz's at the latest by finish;
 * a lone 0x1f after gzip is a member cut short. */
static void test_trailing(const char *log)
{
	struct bytes plain = sample(100000, 8);
	static const char *const junk[] = {"junk", "\0\0\0x", "\x1f"};
	for (size_t k = 0; k < 3; k++) {
		struct bytes c = kinds[k].pack(plain);
		for (size_t j = 0; j < 3; j++) {
			struct bytes s = {0};
			add(&s, c.p, c.len);
			add(&s, junk[j], j == 1 ? 4 : strlen(junk[j]));
			expect_refused(log, s, 0, "image " LABEL ": ", k, "+ junk");
			free(s.p);
		}
		free(c.p);
	}
	free(plain.p);
}

/* The budget's calls and what it does: LIMIT 0 allows everything, else the mark is lowered to
 * LIMIT and anything past it refused. */
struct budget_log {
	int calls;
	uint64_t last_in, last_out, mark, limit;
};

/* Check that it is asked only past its mark, with the mark a step ahead; record; act. */
static int budget(void *ctx, const char *label, uint64_t in, uint64_t unpacked, uint64_t *next)
{
	struct budget_log *b = ctx;
	CHECK_STR(label, LABEL);
	CHECK(unpacked > b->mark && (b->calls > 0 || unpacked <= 128 * 1024), "asked at %llu, past the mark %llu",
	      (unsigned long long)unpacked, (unsigned long long)b->mark);
	CHECK(*next == unpacked + INFLATE_BUDGET_STEP && in >= b->last_in, "a step ahead");
	b->calls++;
	b->last_in = in;
	b->last_out = unpacked;
	if (b->limit && unpacked > b->limit)
		return -EFBIG;
	if (b->limit && b->limit < *next)
		*next = b->limit;
	b->mark = *next;
	return 0;
}

/* A sink with a budget of LIMIT (0: none) behind it. */
static void budget_run(struct run *r, struct budget_log *b, uint64_t limit)
{
	memset(r, 0, sizeof(*r));
	*b = (struct budget_log){.limit = limit};
	r->k.s.write = keep_write;
	inflate_init(&r->f, &r->k.s, LABEL);
	r->f.budget = budget;
	r->f.ctx = b;
}

/* The budget is asked at the first unpacked bytes, then about once a step, with both counts;
 * one that lowers its mark to a limit refuses the chunk that passes it, before it reaches the
 * sink; a plain stream never asks it. An error of OUT comes back too. */
static void test_budget(void)
{
	struct bytes plain = sample(5 << 20, 9);
	uint64_t limit = (5u << 19) + 1000; /* 2.5 MiB and a bit: not at a chunk's end */
	for (size_t k = 0; k < 3; k++) {
		struct bytes c = kinds[k].pack(plain);
		struct budget_log b;
		struct run r;
		budget_run(&r, &b, 0);
		CHECK(r.f.s.write(&r.f.s, c.p, c.len) == 0 && inflate_finish(&r.f) == 0, "%s: budget allows", kinds[k].name);
		CHECK(b.calls >= 5 && b.calls <= 6 && b.last_in <= c.len, "%s: %d calls", kinds[k].name, b.calls);
		done(&r);

		budget_run(&r, &b, limit);
		int w = r.f.s.write(&r.f.s, c.p, c.len);
		CHECK(w == -EFBIG && b.last_out > limit, "%s: budget refuses: %d at %llu", kinds[k].name, w,
		      (unsigned long long)b.last_out);
		CHECK(r.k.len <= limit && r.k.len + 128 * 1024 > limit, "%s: refused at the chunk past the limit (%zu)",
		      kinds[k].name, r.k.len);
		CHECK(inflate_finish(&r.f) == -EFBIG, "%s: finish repeats the refusal", kinds[k].name);
		done(&r);

		memset(&r, 0, sizeof(r));
		r.k = (struct keep){.s = {.write = keep_write}, .limit = 100000, .fail = -ENOSPC};
		inflate_init(&r.f, &r.k.s, LABEL);
		CHECK(r.f.s.write(&r.f.s, c.p, c.len) == -ENOSPC, "%s: the sink's error comes back", kinds[k].name);
		done(&r);
		free(c.p);
	}
	struct budget_log b;
	struct run r;
	budget_run(&r, &b, 0);
	CHECK(r.f.s.write(&r.f.s, plain.p, plain.len) == 0 && inflate_finish(&r.f) == 0 && b.calls == 0, "plain: no budget");
	done(&r);
	free(plain.p);
}

/* Run every test; log lines go to a file as well, to be counted. */
/* Z, a zstd frame that names no dictionary, with dictionary ID 0x24 written into its header. */
static struct bytes with_dict_id(struct bytes z)
{
	size_t at = 5 + !(z.p[4] & 0x20); /* after the descriptor and, unless single-segment, the window byte */
	struct bytes o = {malloc(z.len + 1), z.len + 1};
	memcpy(o.p, z.p, at);
	o.p[4] |= 1; /* Dictionary_ID_flag: a 1-byte ID follows */
	o.p[at] = 0x24;
	memcpy(o.p + at + 1, z.p + at, z.len - at);
	return o;
}

/* A zstd frame that asks for a dictionary is refused, whatever the chunk sizes: pxeroot has no
 * dictionary, and libzstd's one-pass path (a whole frame in one write) would unpack this one. */
static void test_zstd_dictionary(const char *log)
{
	struct bytes plain = sample(5000, 9), z = zstd_of(plain), d = with_dict_id(z);
	CHECK(ZSTD_getDictID_fromFrame(d.p, d.len) == 0x24, "the frame names dictionary 0x24");
	size_t steps[] = {d.len, 1, 7, 0};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct run r;
		push(&r, d, steps[i]);
		CHECK(r.finish == -EBADMSG, "dictionary frame in chunks of %zu: %d", steps[i], r.finish);
		CHECK(strstr(log_lines(log), "the frame needs a dictionary") != NULL, "the line says why (chunks of %zu)", steps[i]);
		done(&r);
	}
	free(d.p);
	free(z.p);
	free(plain.p);
}

int main(void)
{
	char log[] = "/tmp/inflate_test.XXXXXX";
	int fd = mkstemp(log);
	CHECK(fd >= 0, "mkstemp");
	close(fd);
	log_to_file(log);
	test_round_trip(log);
	test_plain(log);
	test_concatenated();
	log_lines(log);
	test_truncated(log);
	test_corrupt(log);
	test_trailing(log);
	test_zstd_dictionary(log);
	test_budget();
	unlink(log);
	return check_done("inflate_test");
}
