/* fanout_test.c - every worker sees every byte, in order, whatever the chunk sizes. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "check.h"
#include "verify/fanout.h"

/* A sink that fails after LIMIT bytes (0: never). */
struct failing_sink {
	struct sink s;
	size_t seen, limit;
};

/* Count bytes; fail once past the limit. */
static int failing_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct failing_sink *f = (struct failing_sink *)s;
	(void)p;
	f->seen += n;
	return f->limit && f->seen > f->limit ? -EIO : 0;
}

/* Push SIZE bytes of DATA through a fanout of three SHA-512 sinks in chunks of varying sizes and
 * compare each digest with a one-shot digest. */
static void test_digests(const uint8_t *data, size_t size)
{
	struct hash_sink h[3];
	struct sink *t[3];
	uint8_t want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned wl = 0;
	EVP_Digest(data, size, want, &wl, EVP_sha512(), NULL);
	for (int i = 0; i < 3; i++) {
		CHECK(hash_sink_init(&h[i], EVP_sha512()) == 0, "hash init");
		t[i] = &h[i].s;
	}
	struct fanout f;
	CHECK(fanout_start(&f, t, 3) == 0, "start");
	size_t off = 0, step = 1;
	while (off < size) {
		size_t n = step < size - off ? step : size - off;
		CHECK(f.s.write(&f.s, data + off, n) == 0, "write");
		off += n;
		step = step * 7 % 300001 + 1; /* 1 byte to ~300 KB, crossing slot boundaries */
	}
	CHECK(fanout_finish(&f) == 0, "finish");
	for (int i = 0; i < 3; i++) {
		CHECK(hash_sink_final(&h[i], got) == wl && memcmp(got, want, wl) == 0, "digest %d of %zu bytes", i, size);
		hash_sink_free(&h[i]);
	}
}

/* A failing worker's error comes back from fanout_finish; the others still see everything. */
static void test_error(void)
{
	static uint8_t data[1 << 20];
	struct failing_sink bad = {.s = {.write = failing_write}, .limit = 300000};
	struct failing_sink good = {.s = {.write = failing_write}};
	struct sink *t[2] = {&bad.s, &good.s};
	struct fanout f;
	CHECK(fanout_start(&f, t, 2) == 0, "start");
	for (size_t off = 0; off < sizeof(data); off += 65536)
		f.s.write(&f.s, data + off, 65536);
	CHECK(fanout_finish(&f) == -EIO, "the worker's error is returned");
	CHECK(good.seen == sizeof(data), "the other worker saw %zu bytes", good.seen);
}

int main(void)
{
	size_t size = 40u << 20; /* 40 MiB: many turns of the 16 x 256 KiB ring */
	uint8_t *data = malloc(size);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	test_digests(data, size);
	test_digests(data, 1);
	test_digests(data, 0);
	test_error();
	free(data);
	return check_done("fanout_test");
}
