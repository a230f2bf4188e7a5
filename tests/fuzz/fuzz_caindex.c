/* fuzz_caindex.c - libFuzzer target for casync's blob index reader. The input is the index. A
 * refusal must leave nothing to free and say why; an accepted index must hold what the bytes
 * say: a length of whole items, the declared sizes in order, chunks from 0 on without a gap, each
 * within the bounds, the ids as found, and the lookup must give each chunk for its first and last
 * byte. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "verify/caindex.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_stderr(argc, argv);
	return 0;
}

/* The accepted index IX of the SIZE bytes at DATA checked chunk by chunk. */
static void check_chunks(const struct ca_index *ix, const uint8_t *data, size_t size)
{
	REQUIRE(ix->n >= 1 && size == 48 + 16 + 40 * ix->n + 40);
	REQUIRE(1 <= ix->min && ix->min <= ix->avg && ix->avg <= ix->max && ix->max <= CA_CHUNK_LIMIT);
	REQUIRE(ix->digest == (ix->flags & CA_FLAG_SHA512_256 ? CA_SHA512_256 : CA_SHA256));
	uint64_t start = 0;
	for (size_t i = 0; i < ix->n; i++) {
		const struct ca_chunk *c = &ix->chunk[i];
		REQUIRE(c->start == start && c->size > 0 && c->size <= ix->max);
		REQUIRE(c->size >= ix->min || i == ix->n - 1);
		REQUIRE(memcmp(c->id, data + 64 + 40 * i + 8, CA_ID_LEN) == 0);
		REQUIRE(ca_index_find(ix, c->start) == i && ca_index_find(ix, c->start + c->size - 1) == i);
		start += c->size;
	}
	REQUIRE(ix->size == start);
	char path[128];
	REQUIRE(ca_chunk_path(&ix->chunk[0], path, sizeof(path)) == 75);
}

/* One index. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_index ix;
	char why[160] = "";
	int r = ca_index_parse(data, size, &ix, why, sizeof(why));
	REQUIRE(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0) {
		REQUIRE(ix.chunk == NULL && ix.n == 0);
		REQUIRE(r != -EBADMSG || why[0]);
		return 0;
	}
	check_chunks(&ix, data, size);
	ca_index_free(&ix);
	REQUIRE(ix.chunk == NULL);
	return 0;
}
