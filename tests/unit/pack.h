/* pack.h - the unit tests' compressed streams: sample bytes, and each of them as one gzip member,
 * one zstd frame or one xz stream, made with the libraries pxeroot links. */
#ifndef PXEROOT_TEST_PACK_H
#define PXEROOT_TEST_PACK_H

#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"

/* A growable byte string for building test streams. */
struct bytes {
	uint8_t *p;
	size_t len;
};

/* Append N bytes at P to B. */
static inline void add(struct bytes *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* LEN bytes that compress to about a third: words from a small vocabulary, some noise. */
static inline struct bytes sample(size_t len, unsigned seed)
{
	static const char *const words[] = {"root ", "image ", "squashfs ", "ext2 ", "\n", "pxeroot ", "\0\0\0\0"};
	struct bytes b = {0};
	uint32_t x = seed * 2654435761u + 1;
	while (b.len < len) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		const char *w = words[x % 7];
		size_t n = x % 7 == 6 ? 4 : strlen(w);
		if (x % 11 == 0) {
			uint8_t noise = (uint8_t)(x >> 8);
			add(&b, &noise, 1);
		} else {
			add(&b, w, n < len - b.len ? n : len - b.len);
		}
	}
	return b;
}

/* B as one gzip member. */
static inline struct bytes gzip_of(struct bytes b)
{
	z_stream z = {0};
	struct bytes o = {malloc(compressBound(b.len) + 64), 0};
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = b.p;
	z.avail_in = (uInt)b.len;
	z.next_out = o.p;
	z.avail_out = (uInt)(compressBound(b.len) + 64);
	CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
	o.len = z.total_out;
	deflateEnd(&z);
	return o;
}

/* B as one zstd frame with its checksum. */
static inline struct bytes zstd_of(struct bytes b)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	struct bytes o = {malloc(ZSTD_compressBound(b.len)), 0};
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	o.len = ZSTD_compress2(c, o.p, ZSTD_compressBound(b.len), b.p, b.len);
	CHECK(!ZSTD_isError(o.len), "zstd compress: %s", ZSTD_getErrorName(o.len));
	ZSTD_freeCCtx(c);
	return o;
}

/* B as one xz stream (CRC64). */
static inline struct bytes xz_of(struct bytes b)
{
	size_t cap = lzma_stream_buffer_bound(b.len);
	struct bytes o = {malloc(cap), 0};
	CHECK(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, b.p, b.len, o.p, &o.len, cap) == LZMA_OK, "xz encode");
	return o;
}

/* Which compressor each format's test streams come from. */
static const struct kind {
	const char *name;
	struct bytes (*pack)(struct bytes b);
} kinds[] = {{"gzip", gzip_of}, {"zstd", zstd_of}, {"xz", xz_of}};

#endif
