/* chunk.c - one compressed chunk of a casync store unpacked into a buffer of the size its index
 * gives, and its digest compared with its id.
 *
 * A chunk is exactly one gzip member, zstd frame or xz stream. The decoder writes into OUT until
 * it is full; then, when the stream has not ended, into one spare byte: a byte there means the
 * chunk unpacks to more than its size, and OUT was never written past its end. The decoders'
 * states are kept in struct chunk_dec and reset for each chunk. */
#define _GNU_SOURCE
#include "verify/chunk.h"

#include <errno.h>
#include <limits.h>
#include <lzma.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "inflate.h"

struct chunk_dec {
	z_stream z;
	bool z_ready;   /* inflateInit2 done */
	ZSTD_DCtx *zs;
	lzma_stream xz;
};

/* One pass of a decoder: the input, the output window, and what the decoder said. */
struct pass {
	const uint8_t *in;
	size_t n, used;       /* the input's length, the bytes taken so far */
	uint8_t *out;
	size_t cap, got;      /* the window's length, the bytes written into it */
	bool ended;           /* the member, frame or stream ended */
	const char *err;      /* the library's words for corrupt data, else NULL */
};

/* A new set; each decoder is made when a chunk first needs it. */
struct chunk_dec *chunk_dec_new(void)
{
	struct chunk_dec *d = calloc(1, sizeof(*d));
	if (d)
		d->xz = (lzma_stream)LZMA_STREAM_INIT;
	return d;
}

/* Free every decoder made and the set. */
void chunk_dec_free(struct chunk_dec *d)
{
	if (!d)
		return;
	if (d->z_ready)
		inflateEnd(&d->z);
	ZSTD_freeDCtx(d->zs);
	lzma_end(&d->xz);
	free(d);
}

/* zlib, the gzip wrapper only (its CRC-32 and length checked); 0 or -ENOMEM. */
static int gzip_start(struct chunk_dec *d)
{
	if (d->z_ready)
		return inflateReset(&d->z) == Z_OK ? 0 : -ENOMEM;
	d->z_ready = inflateInit2(&d->z, 16 + MAX_WBITS) == Z_OK;
	return d->z_ready ? 0 : -ENOMEM;
}

/* Run zlib on P until the member ends, the window is full or no progress is made (the input is
 * handed over at most UINT_MAX bytes at a time: zlib's counts are 32-bit). */
static void gzip_pass(struct chunk_dec *d, struct pass *p)
{
	z_stream *z = &d->z;
	int zr;
	do {
		size_t left = p->n - p->used;
		z->next_in = (Bytef *)(p->in + p->used);
		z->avail_in = left < UINT_MAX ? (uInt)left : UINT_MAX;
		z->next_out = p->out + p->got;
		z->avail_out = (uInt)(p->cap - p->got);
		zr = inflate(z, Z_NO_FLUSH);
		p->used = (size_t)(z->next_in - p->in);
		p->got = p->cap - z->avail_out;
	} while (zr == Z_OK && p->got < p->cap && p->used < p->n);
	p->ended = zr == Z_STREAM_END;
	if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
		p->err = z->msg ? z->msg : zError(zr);
}

/* libzstd, a window of at most 2^INFLATE_WINDOW_LOG_MAX; 0 or -ENOMEM. */
static int zstd_start(struct chunk_dec *d)
{
	if (d->zs)
		return ZSTD_isError(ZSTD_DCtx_reset(d->zs, ZSTD_reset_session_only)) ? -ENOMEM : 0;
	d->zs = ZSTD_createDCtx();
	if (!d->zs || ZSTD_isError(ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, INFLATE_WINDOW_LOG_MAX)))
		return -ENOMEM;
	return 0;
}

/* Run libzstd on P until the frame ends, the window is full or no progress is made. */
static void zstd_pass(struct chunk_dec *d, struct pass *p)
{
	ZSTD_inBuffer in = {p->in, p->n, p->used};
	ZSTD_outBuffer out = {p->out, p->cap, p->got};
	size_t zr, before_in, before_out;
	do {
		before_in = in.pos;
		before_out = out.pos;
		zr = ZSTD_decompressStream(d->zs, &out, &in);
	} while (!ZSTD_isError(zr) && zr && out.pos < out.size && (in.pos > before_in || out.pos > before_out));
	p->used = in.pos;
	p->got = out.pos;
	p->ended = zr == 0;
	if (ZSTD_isError(zr))
		p->err = ZSTD_getErrorName(zr);
}

/* liblzma, one stream (no concatenation), at most INFLATE_MEM_MAX of memory; 0 or -ENOMEM. */
static int xz_start(struct chunk_dec *d)
{
	return lzma_stream_decoder(&d->xz, INFLATE_MEM_MAX, 0) == LZMA_OK ? 0 : -ENOMEM;
}

/* Run liblzma on P, every byte of the input at hand, until the stream ends, the window is full
 * or no progress is made. */
static void xz_pass(struct chunk_dec *d, struct pass *p)
{
	lzma_stream *x = &d->xz;
	x->next_in = p->in + p->used;
	x->avail_in = p->n - p->used;
	x->next_out = p->out + p->got;
	x->avail_out = p->cap - p->got;
	lzma_ret lr;
	do
		lr = lzma_code(x, LZMA_FINISH);
	while (lr == LZMA_OK && x->avail_out);
	p->used = p->n - x->avail_in;
	p->got = p->cap - x->avail_out;
	p->ended = lr == LZMA_STREAM_END;
	if (lr != LZMA_OK && lr != LZMA_STREAM_END && lr != LZMA_BUF_ERROR)
		p->err = inflate_xz_why(lr);
}

/* The decoders, by the names inflate_format_of gives. */
static const struct decoder {
	const char *name;
	const char *unit; /* what one chunk is */
	int (*start)(struct chunk_dec *d);
	void (*pass)(struct chunk_dec *d, struct pass *p);
} decoders[] = {
	{"gzip", "gzip member", gzip_start, gzip_pass},
	{"zstd", "zstd frame", zstd_start, zstd_pass},
	{"xz", "xz stream", xz_start, xz_pass},
};

/* The decoder named NAME (one of inflate_format_of's), NULL for none. */
static const struct decoder *decoder_of(const char *name)
{
	for (size_t i = 0; name && i < sizeof(decoders) / sizeof(decoders[0]); i++)
		if (!strcmp(decoders[i].name, name))
			return &decoders[i];
	return NULL;
}

/* Unpack the N bytes at IN with K into OUT (SIZE bytes): exactly SIZE bytes, the stream ending
 * at the input's end. 0 or -EBADMSG with the cause. */
static int unpack(struct chunk_dec *d, const struct decoder *k, const uint8_t *in, size_t n, uint8_t *out, size_t size,
		  char *why, size_t cap)
{
	uint8_t spare;
	struct pass p = {.in = in, .n = n, .out = out, .cap = size};
	k->pass(d, &p);
	size_t got = p.got;
	if (!p.err && !p.ended && got == size) { /* OUT is full: one byte more, or the end */
		p.out = &spare;
		p.cap = 1;
		p.got = 0;
		k->pass(d, &p);
		if (p.got)
			return ca_fail(-EBADMSG, why, cap, "more than %zu bytes unpacked (the size the index gives)", size);
	}
	if (p.err)
		return ca_fail(-EBADMSG, why, cap, "corrupt %s data at byte %zu (%s)", k->name, p.used, p.err);
	if (!p.ended)
		return ca_fail(-EBADMSG, why, cap, "%s stream truncated after %zu bytes (%zu unpacked)", k->name, n, got);
	if (p.used < n)
		return ca_fail(-EBADMSG, why, cap, "%zu bytes after the end of the %s", n - p.used, k->unit);
	if (got < size)
		return ca_fail(-EBADMSG, why, cap, "only %zu bytes unpacked, the index gives %zu", got, size);
	return 0;
}

/* OUT's SIZE bytes digested with DG and compared with ID: 0, -EILSEQ or -ENOMEM. */
static int check_id(enum ca_digest dg, const uint8_t *id, const uint8_t *out, size_t size, char *why, size_t cap)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (EVP_Digest(out, size, md, &len, dg == CA_SHA512_256 ? EVP_sha512_256() : EVP_sha256(), NULL) != 1 ||
	    len != CA_ID_LEN)
		return ca_fail(-ENOMEM, why, cap, "no memory for the %s digest", ca_digest_name(dg));
	if (!memcmp(md, id, CA_ID_LEN))
		return 0;
	char hex[CA_ID_HEX];
	ca_id_hex(md, hex);
	return ca_fail(-EILSEQ, why, cap, "digest %s does not match the id", hex);
}

/* Tell the compression by its magic, unpack, digest. */
int chunk_decode(struct chunk_dec *d, enum ca_digest dg, const struct ca_chunk *c, const uint8_t *in, size_t n,
		 uint8_t *out, char *why, size_t cap)
{
	if (!n)
		return ca_fail(-EBADMSG, why, cap, "no data");
	const struct decoder *k = decoder_of(inflate_format_of(in, n));
	if (!k)
		return ca_fail(-EBADMSG, why, cap, "no gzip, zstd or xz magic at the start");
	int r = k->start(d);
	if (r < 0)
		return ca_fail(r, why, cap, "no memory for the %s decoder", k->name);
	if ((r = unpack(d, k, in, n, out, c->size, why, cap)) < 0)
		return r;
	return check_id(dg, c->id, out, c->size, why, cap);
}
