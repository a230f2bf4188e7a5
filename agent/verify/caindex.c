/* caindex.c - casync's blob index read from untrusted bytes: the header, the table's header, the
 * items and the tail checked against each other before a chunk list is handed out. */
#define _GNU_SOURCE
#include "verify/caindex.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/sha512list.h"

#define HEADER_SIZE 48                      /* size, magic, flags, min, avg, max */
#define TABLE_HEADER_SIZE 16                /* size, magic */
#define ITEM_SIZE (8 + CA_ID_LEN)           /* end offset, id */
#define TAIL_SIZE 40                        /* 0, 0, table offset, table size, marker */
#define INDEX_MAGIC UINT64_C(0x96824d9c7b129ff9)
#define TABLE_MAGIC UINT64_C(0xe75b9e112f17417d)
#define TABLE_SIZE_UNKNOWN UINT64_MAX       /* the table header's size: the table runs to the tail */
#define TAIL_MARKER UINT64_C(0x4b4f050e5549ecd1)

/* The little-endian 64-bit word at P. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* Format the reason into WHY when there is room for one, return ERR. */
int ca_fail(int err, char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cap)
		vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return err;
}

/* The 48-byte header at P into IX: its size, magic and chunk sizes checked. 0 or -EBADMSG. */
static int parse_header(const uint8_t *p, struct ca_index *ix, char *why, size_t cap)
{
	uint64_t size = le64(p), magic = le64(p + 8), min = le64(p + 24), avg = le64(p + 32), max = le64(p + 40);
	if (magic != INDEX_MAGIC)
		return ca_fail(-EBADMSG, why, cap, "not a casync blob index (magic 0x%016" PRIx64 ")", magic);
	if (size != HEADER_SIZE)
		return ca_fail(-EBADMSG, why, cap, "header size %" PRIu64 ", not %d", size, HEADER_SIZE);
	if (min < 1 || min > avg || avg > max)
		return ca_fail(-EBADMSG, why, cap,
			       "chunk sizes out of order: minimum %" PRIu64 ", average %" PRIu64 ", maximum %" PRIu64, min, avg,
			       max);
	if (max > CA_CHUNK_LIMIT)
		return ca_fail(-EBADMSG, why, cap, "maximum chunk size %" PRIu64 " is above the limit of %u", max,
			       CA_CHUNK_LIMIT);
	ix->flags = le64(p + 16);
	ix->digest = ix->flags & CA_FLAG_SHA512_256 ? CA_SHA512_256 : CA_SHA256;
	ix->min = (uint32_t)min;
	ix->avg = (uint32_t)avg;
	ix->max = (uint32_t)max;
	return 0;
}

/* The table header at P (LEN bytes after the header, at least TABLE_HEADER_SIZE) and the tail
 * at the end; the number of items between them into *N. 0 or -EBADMSG. */
static int parse_frame(const uint8_t *p, size_t len, size_t *n, char *why, size_t cap)
{
	uint64_t size = le64(p), magic = le64(p + 8);
	if (size != TABLE_SIZE_UNKNOWN)
		return ca_fail(-EBADMSG, why, cap, "table header size %" PRIu64 ", not 2^64-1", size);
	if (magic != TABLE_MAGIC)
		return ca_fail(-EBADMSG, why, cap, "wrong table magic 0x%016" PRIx64, magic);
	size_t rest = len - TABLE_HEADER_SIZE;
	if (rest < TAIL_SIZE)
		return ca_fail(-EBADMSG, why, cap, "%zu bytes after the table header, too short for the tail (truncated?)",
			       rest);
	if (le64(p + len - 8) != TAIL_MARKER)
		return ca_fail(-EBADMSG, why, cap, "the last word 0x%016" PRIx64 " is not the tail marker (truncated?)",
			       le64(p + len - 8));
	const uint8_t *t = p + len - TAIL_SIZE;
	size_t items = rest - TAIL_SIZE;
	if (items % ITEM_SIZE)
		return ca_fail(-EBADMSG, why, cap, "%zu bytes after the last whole item", items % ITEM_SIZE);
	if (le64(t) || le64(t + 8))
		return ca_fail(-EBADMSG, why, cap, "the tail does not begin with two zero words");
	if (le64(t + 16) != HEADER_SIZE)
		return ca_fail(-EBADMSG, why, cap, "the tail's table offset %" PRIu64 " is not %d", le64(t + 16),
			       HEADER_SIZE);
	if (le64(t + 24) != len)
		return ca_fail(-EBADMSG, why, cap, "the tail's table size %" PRIu64 " does not match the table (%zu bytes)",
			       le64(t + 24), len);
	if (!(*n = items / ITEM_SIZE))
		return ca_fail(-EBADMSG, why, cap, "no chunk");
	return 0;
}

/* Item I at P, its chunk starting at START, into C: its end must grow, its size stay within the
 * declared bounds (the last, LAST, may be below the minimum). 0 or -EBADMSG. */
static int parse_item(const struct ca_index *ix, size_t i, bool last, const uint8_t *p, uint64_t start,
		      struct ca_chunk *c, char *why, size_t cap)
{
	uint64_t end = le64(p);
	if (end == start)
		return ca_fail(-EBADMSG, why, cap, "chunk %zu ends at %" PRIu64 ", where it starts (an empty chunk)", i,
			       end);
	if (end < start)
		return ca_fail(-EBADMSG, why, cap, "chunk %zu ends at %" PRIu64 ", before chunk %zu (%" PRIu64 ")", i, end,
			       i - 1, start);
	uint64_t size = end - start;
	if (size > ix->max)
		return ca_fail(-EBADMSG, why, cap, "chunk %zu is %" PRIu64 " bytes, more than the index's maximum of %" PRIu32,
			       i, size, ix->max);
	if (size < ix->min && !last)
		return ca_fail(-EBADMSG, why, cap,
			       "chunk %zu is %" PRIu64 " bytes, less than the index's minimum of %" PRIu32 " (only the last may be)",
			       i, size, ix->min);
	c->start = start;
	c->size = (uint32_t)size;
	memcpy(c->id, p + 8, CA_ID_LEN);
	return 0;
}

/* Check the whole index, then copy its items into a chunk list. */
int ca_index_parse(const uint8_t *p, size_t len, struct ca_index *ix, char *why, size_t cap)
{
	*ix = (struct ca_index){0};
	if (len < HEADER_SIZE + TABLE_HEADER_SIZE)
		return ca_fail(-EBADMSG, why, cap, "%zu bytes, too short for an index", len);
	size_t n = 0;
	int r = parse_header(p, ix, why, cap);
	if (r < 0 || (r = parse_frame(p + HEADER_SIZE, len - HEADER_SIZE, &n, why, cap)) < 0)
		return r;
	if (n > SIZE_MAX / sizeof(*ix->chunk) || !(ix->chunk = malloc(n * sizeof(*ix->chunk))))
		return -ENOMEM;
	const uint8_t *item = p + HEADER_SIZE + TABLE_HEADER_SIZE;
	uint64_t start = 0;
	for (size_t i = 0; i < n; i++, item += ITEM_SIZE) {
		if ((r = parse_item(ix, i, i == n - 1, item, start, &ix->chunk[i], why, cap)) < 0) {
			ca_index_free(ix);
			return r;
		}
		start += ix->chunk[i].size;
	}
	ix->n = n;
	ix->size = start;
	return 0;
}

/* Release the chunk list and clear IX. */
void ca_index_free(struct ca_index *ix)
{
	free(ix->chunk);
	*ix = (struct ca_index){0};
}

/* Binary search for the last chunk that starts at or before OFF. */
size_t ca_index_find(const struct ca_index *ix, uint64_t off)
{
	size_t lo = 0, hi = ix->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (ix->chunk[mid].start <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* The id's 32 bytes as 64 lower-case hex digits. */
void ca_id_hex(const uint8_t *id, char *out)
{
	hex_encode(id, CA_ID_LEN, out);
}

/* "<4 hex>/<64 hex>.cacnk", or -ENAMETOOLONG when CAP is too small. */
int ca_chunk_path(const struct ca_chunk *c, char *out, size_t cap)
{
	char hex[CA_ID_HEX];
	ca_id_hex(c->id, hex);
	int r = snprintf(out, cap, "%.4s/%s.cacnk", hex, hex);
	return r < 0 || (size_t)r >= cap ? -ENAMETOOLONG : r;
}

/* casync's name for digest D. */
const char *ca_digest_name(enum ca_digest d)
{
	return d == CA_SHA512_256 ? "sha512-256" : "sha256";
}
