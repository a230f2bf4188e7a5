/* chunk.h - one chunk of a store checked: unpacked (zstd, xz or gzip, told by its magic bytes)
 * into a buffer of exactly the size the index gives, and its digest compared with its id. Pure:
 * no I/O, no log line; the caller names the chunk and the store in its line. */
#ifndef PXEROOT_CHUNK_H
#define PXEROOT_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "verify/caindex.h"

/* Decoders kept from one chunk to the next (one per thread). */
struct chunk_dec;

/* A decoder set; NULL when out of memory. */
struct chunk_dec *chunk_dec_new(void);
void chunk_dec_free(struct chunk_dec *d);

/* Unpack the N bytes at IN, chunk C of an index whose ids are digests DG, into OUT (C->size
 * bytes), and check them against C->id. 0 when OUT holds exactly the bytes C names; else OUT's
 * content is undefined and: -EBADMSG with WHY (CAP bytes) naming the cause (no known compression
 * magic, corrupt data, more or fewer than C->size bytes unpacked, data after the end of the
 * compressed stream), -EILSEQ with WHY "digest <hex of what came> does not match the id", or
 * -ENOMEM. */
int chunk_decode(struct chunk_dec *d, enum ca_digest dg, const struct ca_chunk *c, const uint8_t *in, size_t n,
		 uint8_t *out, char *why, size_t cap);

#endif
