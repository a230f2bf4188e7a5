/* caindex.h - casync's blob index (.caibx): an image as a list of chunks, each named by the digest
 * of its bytes. A pure parser of untrusted bytes: no I/O, no log line; the caller logs the reason
 * with the URL or file it read.
 *
 * The layout (little-endian 64-bit words): a 48-byte header (size 48, the index magic, feature
 * flags, the chunk sizes' minimum, average and maximum), a table header (size UINT64_MAX, the
 * table magic), one 40-byte item per chunk (the offset where the chunk ends, its 32-byte id), and
 * a 40-byte tail (0, 0, the table's offset 48, the table's size, the tail marker). The feature
 * flag CA_FLAG_SHA512_256 says the ids are SHA-512/256 digests; without it they are SHA-256. */
#ifndef PXEROOT_CAINDEX_H
#define PXEROOT_CAINDEX_H

#include <stddef.h>
#include <stdint.h>

#define CA_ID_LEN 32
#define CA_ID_HEX (2 * CA_ID_LEN + 1)
/* The largest chunk accepted (an index whose maximum is larger is refused): what one request
 * holds in memory, compressed and unpacked. casync's default maximum is 256 KiB. */
#define CA_CHUNK_LIMIT (16u << 20)
#define CA_FLAG_SHA512_256 UINT64_C(0x2000000000000000)

enum ca_digest { CA_SHA512_256, CA_SHA256 };

struct ca_chunk {
	uint64_t start;          /* offset of its first byte in the image */
	uint32_t size;           /* its length, unpacked */
	uint8_t id[CA_ID_LEN];   /* the digest of its unpacked bytes */
};

struct ca_index {
	enum ca_digest digest;
	uint64_t flags;          /* the feature flags as found */
	uint32_t min, avg, max;  /* chunk sizes the index declares */
	uint64_t size;           /* the image's size: where the last chunk ends */
	size_t n;                /* chunks, at least one */
	struct ca_chunk *chunk;  /* in image order, allocated by ca_index_parse */
};

/* Parse the LEN bytes at P into IX. 0, -ENOMEM, or -EBADMSG with the reason in WHY (CAP bytes):
 * a wrong magic or header size, chunk sizes out of order or above CA_CHUNK_LIMIT, a length that
 * is not a whole number of items, end offsets that do not grow, a chunk of 0 bytes or larger than
 * the declared maximum, a chunk other than the last smaller than the declared minimum, a tail
 * whose marker, offset or size disagrees with the table. On failure IX holds nothing to free. */
int ca_index_parse(const uint8_t *p, size_t len, struct ca_index *ix, char *why, size_t cap);
/* Free what ca_index_parse allocated (IX can be parsed into again). */
void ca_index_free(struct ca_index *ix);
/* The chunk holding byte OFF of the image (OFF < IX->size). */
size_t ca_index_find(const struct ca_index *ix, uint64_t off);
/* ID as lowercase hex into OUT (CA_ID_HEX bytes). */
void ca_id_hex(const uint8_t *id, char *out);
/* The chunk's path in a store, "<first 4 hex digits>/<id in hex>.cacnk", into OUT (CAP bytes);
 * its length, or -ENAMETOOLONG. */
int ca_chunk_path(const struct ca_chunk *c, char *out, size_t cap);
/* "sha512-256" or "sha256" (casync's words). */
const char *ca_digest_name(enum ca_digest d);
/* Write the reason (FMT) into WHY (CAP bytes; nothing when CAP is 0) and return ERR: how this
 * parser and chunk.c refuse, `return ca_fail(-EBADMSG, why, cap, ...)`. */
int ca_fail(int err, char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
