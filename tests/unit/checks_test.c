/* checks_test.c - the one-pass check machinery over an in-memory producer: companions asked for
 * by the rule's names, bytes in chunks through the checks' sink, verdicts; a missing companion
 * refuses before any byte; nothing asked for gives no sink and no companion request. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "check.h"
#include "verify/checks.h"
#include "verify/sha512list.h"

/* An in-memory place for companions: one file NAME holding TEXT; every request is recorded. */
struct mem_place {
	const char *name, *text;
	char asked[4][256];
	int nasked;
};

/* struct companions get over a mem_place. */
static long mem_get(void *ctx, const char *name, char *buf, size_t cap, char *where)
{
	struct mem_place *p = ctx;
	if (p->nasked < 4)
		snprintf(p->asked[p->nasked++], sizeof(p->asked[0]), "%s", name);
	snprintf(where, 2048, "mem:%s", name);
	if (!p->name || strcmp(name, p->name))
		return -ENOENT;
	size_t n = strlen(p->text);
	if (n >= cap)
		return -EFBIG;
	memcpy(buf, p->text, n + 1);
	return (long)n;
}

/* The sha512 list line for DATA (SIZE bytes) named NAME into LINE. */
static void list_line(const uint8_t *data, size_t size, const char *name, char *line, size_t cap)
{
	uint8_t md[64];
	char hex[129];
	unsigned len = 0;
	EVP_Digest(data, size, md, &len, EVP_sha512(), NULL);
	hex_encode(md, len, hex);
	snprintf(line, cap, "%s  %s\n", hex, name);
}

/* Feed DATA through CS's sink in chunks of 1, 7, 4096 … bytes; 0 or the first error. */
static int produce(struct checks *cs, const uint8_t *data, size_t size)
{
	static const size_t chunks[] = {1, 7, 4096, 65536, 3};
	size_t off = 0;
	for (int i = 0; off < size; i++) {
		size_t n = chunks[i % 5] < size - off ? chunks[i % 5] : size - off;
		int r = sink_feed(cs->sink, data + off, n);
		if (r < 0)
			return r;
		off += n;
	}
	return 0;
}

/* sha512: the list is asked for as dir/img.sha512; the right bytes pass, one flipped byte is refused. */
static void test_sha512(void)
{
	size_t size = 300000;
	uint8_t *data = malloc(size);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 131 + 7);
	char line[200];
	list_line(data, size, "img.sfs", line, sizeof(line));
	struct mem_place p = {.name = "dir/img.sha512", .text = line};
	struct companions src = {.get = mem_get, .ctx = &p, .verb = "read"};
	struct trust t = {.sha512 = true};
	struct checks cs;
	CHECK(checks_begin(&cs, &t, "dir/img.sfs", "dir/img.sfs", &src) == 0, "begin");
	CHECK(p.nasked == 1, "one companion asked for: %d", p.nasked);
	CHECK_STR(p.asked[0], "dir/img.sha512");
	CHECK(cs.sink != NULL, "a sink to feed");
	CHECK(checks_end(&cs, produce(&cs, data, size), "dir/img.sfs") == 0, "the right bytes pass");

	data[size / 2] ^= 1;
	CHECK(checks_begin(&cs, &t, "dir/img.sfs", "dir/img.sfs", &src) == 0, "begin again");
	CHECK(checks_end(&cs, produce(&cs, data, size), "dir/img.sfs") == -EBADMSG, "a flipped byte is refused");

	CHECK(checks_begin(&cs, &t, "dir/img.sfs", "dir/img.sfs", &src) == 0, "begin a third time");
	CHECK(checks_end(&cs, -EIO, "dir/img.sfs") == -EIO, "a producer failure is returned as it is, no verdict");
	free(data);
}

/* A companion that cannot be had refuses before any byte, and asks for nothing more. */
static void test_missing(void)
{
	struct mem_place p = {0};
	struct companions src = {.get = mem_get, .ctx = &p, .verb = "read"};
	struct trust t = {.sha512 = true, .gpg = true, .gpg_keyring = "/nonexistent"};
	struct checks cs;
	CHECK(checks_begin(&cs, &t, "x/a.sfs", "x/a.sfs", &src) == -ENOENT, "missing list refused");
	CHECK(p.nasked == 1, "stops at the first missing companion: %d asked", p.nasked);
}

/* Nothing asked for: no companion, no sink, the producer's result is the answer. */
static void test_none(void)
{
	struct mem_place p = {0};
	struct companions src = {.get = mem_get, .ctx = &p, .verb = "read"};
	struct trust t = {0};
	struct checks cs;
	CHECK(checks_begin(&cs, &t, "a.sfs", "a.sfs", &src) == 0 && cs.sink == NULL, "no sink");
	CHECK(p.nasked == 0, "no companion asked for");
	CHECK(checks_end(&cs, 0, "a.sfs") == 0 && checks_end(&cs, -EIO, "a.sfs") == -EIO, "the producer's result");
}

/* The signature names: IMAGE.sig and IMAGE.cms.sig, asked for in the order cms, gpg. */
static void test_names(void)
{
	struct mem_place p = {0};
	struct companions src = {.get = mem_get, .ctx = &p, .verb = "fetched"};
	struct trust t = {.cms = true};
	struct checks cs;
	checks_begin(&cs, &t, "http://h/a.sfs?v=1", "a.sfs?v=1", &src);
	CHECK_STR(p.asked[0], "a.sfs.cms.sig?v=1");
	p.nasked = 0;
	t = (struct trust){.gpg = true};
	checks_begin(&cs, &t, "http://h/a.sfs", "a.sfs", &src);
	CHECK_STR(p.asked[0], "a.sfs.sig");
}

int main(void)
{
	test_sha512();
	test_missing();
	test_none();
	test_names();
	return check_done("checks_test");
}
