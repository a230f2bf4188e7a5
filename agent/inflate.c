/* inflate.c - gzip (zlib), zstd (libzstd) and xz (liblzma) unpacked as the bytes arrive.
 *
 * The first bytes are held (at most INFLATE_MAGIC_MAX) until they match a magic or cannot; then
 * they and everything after go to the decoder, or straight on when no magic matched. Each format
 * accepts what its own tool writes in a row: gzip members (gzip -c a b) then zero bytes, zstd
 * frames (skippable ones too), xz streams with their padding. Anything else after the end, or a
 * stream that stops inside a member, frame or stream, refuses the image. */
#define _GNU_SOURCE
#include "inflate.h"

#include <errno.h>
#include <inttypes.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader: exported by the shared and static library alike */
#include <zstd.h>

#include "log.h"

#define OUT_BUF (128 * 1024)           /* unpacked bytes handed on at a time */
#define FEED_MAX (1u << 30)            /* input bytes per zlib call (its counts are 32-bit) */

struct inflate_dec {
	union {
		z_stream z;
		ZSTD_DStream *zs;
		lzma_stream xz;
	} u;
	bool open;    /* gzip: inside a member; zstd: inside a frame */
	bool padding; /* gzip: past the last member, where only zero bytes may follow */
	uint8_t hdr[ZSTD_FRAMEHEADERSIZE_MAX]; /* zstd: a frame header, held until complete */
	size_t nhdr;
	uint8_t buf[OUT_BUF];
};

/* Hand N unpacked bytes at P to OUT, asking the budget first when they pass its mark. */
static int emit(struct inflate *f, const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	f->unpacked += n;
	int r = 0;
	if (f->budget && f->unpacked > f->budget_next) {
		f->budget_next = f->unpacked + INFLATE_BUDGET_STEP;
		r = f->budget(f->ctx, f->label, f->in, f->unpacked, &f->budget_next);
	}
	return r < 0 ? r : sink_feed(f->out, p, n);
}

/* The line for data the decoder rejects at byte OFF of the stream, WHY the library's words. */
static int corrupt(const struct inflate *f, uint64_t off, const char *why)
{
	return log_err(-EBADMSG, "image %s: corrupt %s data at byte %" PRIu64 " (%s)", f->label, f->format, off, why);
}

/* zlib for gzip (16 + MAX_WBITS: the gzip wrapper only, CRC-32 and length checked). */
static int gzip_start(struct inflate_dec *d)
{
	d->open = true;
	return inflateInit2(&d->u.z, 16 + MAX_WBITS) == Z_OK ? 0 : -ENOMEM;
}

/* Unpack the N bytes at P, the stream's bytes from BASE on: members, then zero bytes only. */
static int gzip_feed(struct inflate *f, const uint8_t *p, size_t n, uint64_t base)
{
	struct inflate_dec *d = f->dec;
	z_stream *z = &d->u.z;
	size_t i = 0;
	while (i < n) {
		if (!d->open && (d->padding || p[i] == 0)) {
			d->padding = true;
			for (; i < n; i++)
				if (p[i])
					return log_err(-EBADMSG, "image %s: garbage after the end of the gzip stream at byte %" PRIu64,
						       f->label, base + i);
			return 0;
		}
		if (!d->open) { /* the next member */
			inflateReset(z);
			d->open = true;
		}
		z->next_in = (Bytef *)(p + i);
		z->avail_in = n - i < FEED_MAX ? (uInt)(n - i) : FEED_MAX;
		int zr, r;
		do {
			z->next_out = d->buf;
			z->avail_out = OUT_BUF;
			zr = inflate(z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
				return corrupt(f, base + (uint64_t)(z->next_in - p), z->msg ? z->msg : zError(zr));
			if ((r = emit(f, d->buf, OUT_BUF - z->avail_out)) < 0)
				return r;
		} while (zr == Z_OK && (z->avail_in || !z->avail_out));
		if (zr == Z_BUF_ERROR && z->avail_in)
			return corrupt(f, base + (uint64_t)(z->next_in - p), "no progress");
		i = (size_t)(z->next_in - p);
		if (zr == Z_STREAM_END)
			d->open = false;
	}
	return 0;
}

/* 0 when the stream ended between members, else 1. */
static int gzip_ended(struct inflate *f)
{
	return f->dec->open;
}

/* Free zlib's state. */
static void gzip_end(struct inflate_dec *d)
{
	inflateEnd(&d->u.z);
}

/* libzstd, every frame in a row, a window of at most 2^INFLATE_WINDOW_LOG_MAX. */
static int zstd_start(struct inflate_dec *d)
{
	d->open = false;
	d->nhdr = 0;
	d->u.zs = ZSTD_createDStream();
	if (!d->u.zs || ZSTD_isError(ZSTD_DCtx_setParameter(d->u.zs, ZSTD_d_windowLogMax, INFLATE_WINDOW_LOG_MAX)))
		return -ENOMEM;
	return 0;
}

/* Unpack up to N bytes at P (the stream's bytes from BASE on) until the frame ends; the bytes
 * taken into *USED. */
static int zstd_run(struct inflate *f, const uint8_t *p, size_t n, uint64_t base, size_t *used)
{
	struct inflate_dec *d = f->dec;
	ZSTD_inBuffer in = {p, n, 0};
	ZSTD_outBuffer o;
	size_t zr;
	do {
		o = (ZSTD_outBuffer){d->buf, OUT_BUF, 0};
		zr = ZSTD_decompressStream(d->u.zs, &o, &in);
		if (ZSTD_isError(zr))
			return corrupt(f, base + in.pos, ZSTD_getErrorName(zr));
		int r = emit(f, d->buf, o.pos);
		if (r < 0)
			return r;
	} while (zr != 0 && (in.pos < in.size || o.pos == o.size));
	d->open = zr != 0; /* 0: the frame is complete and flushed; the next bytes start another */
	*used = in.pos;
	return 0;
}

/* At a frame's start: hold its first bytes (from P, N of them, BASE on) until its header can be
 * read, into *USED. A frame that asks for a dictionary is refused (pxeroot has none, and libzstd's
 * one-pass and streaming paths disagree on such a frame); then the header goes to the decoder. */
static int zstd_header(struct inflate *f, const uint8_t *p, size_t n, uint64_t base, size_t *used)
{
	struct inflate_dec *d = f->dec;
	ZSTD_frameHeader fh;
	size_t need;
	*used = 0;
	while ((need = ZSTD_getFrameHeader(&fh, d->hdr, d->nhdr)) != 0) {
		if (ZSTD_isError(need))
			return corrupt(f, base - d->nhdr, ZSTD_getErrorName(need));
		if (*used == n)
			return 0; /* the rest of the header is still to come */
		size_t take = need - d->nhdr < n - *used ? need - d->nhdr : n - *used;
		memcpy(d->hdr + d->nhdr, p + *used, take);
		d->nhdr += take;
		*used += take;
	}
	if (fh.frameType != ZSTD_skippableFrame && fh.dictID)
		return corrupt(f, base + *used - d->nhdr, "the frame needs a dictionary");
	size_t hdr_used;
	int r = zstd_run(f, d->hdr, d->nhdr, base + *used - d->nhdr, &hdr_used);
	d->nhdr = 0;
	d->open = true;
	return r;
}

/* Unpack the N bytes at P, the stream's bytes from BASE on: each frame's header is read first. */
static int zstd_feed(struct inflate *f, const uint8_t *p, size_t n, uint64_t base)
{
	struct inflate_dec *d = f->dec;
	size_t done = 0, used;
	while (done < n) {
		int r = d->open ? zstd_run(f, p + done, n - done, base + done, &used)
				: zstd_header(f, p + done, n - done, base + done, &used);
		if (r < 0)
			return r;
		done += used;
	}
	return 0;
}

/* 0 when the stream ended at the end of a frame, else 1. */
static int zstd_ended(struct inflate *f)
{
	return f->dec->open || f->dec->nhdr > 0;
}

/* Free libzstd's state. */
static void zstd_end(struct inflate_dec *d)
{
	ZSTD_freeDStream(d->u.zs);
}

/* liblzma's words for a result. */
const char *inflate_xz_why(int lr)
{
	switch (lr) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_MEMLIMIT_ERROR: return "needs more than 128 MiB of memory to unpack";
	case LZMA_FORMAT_ERROR: return "not in the xz format";
	case LZMA_OPTIONS_ERROR: return "unsupported options";
	case LZMA_DATA_ERROR: return "compressed data is corrupt";
	case LZMA_BUF_ERROR: return "compressed data is truncated or otherwise corrupt";
	default: return "internal error";
	}
}

/* liblzma, concatenated streams and their padding, at most INFLATE_MEM_MAX of memory. */
static int xz_start(struct inflate_dec *d)
{
	d->u.xz = (lzma_stream)LZMA_STREAM_INIT;
	return lzma_stream_decoder(&d->u.xz, INFLATE_MEM_MAX, LZMA_CONCATENATED) == LZMA_OK ? 0 : -ENOMEM;
}

/* Run liblzma on what is in its input with ACTION, handing on the output; its last result. */
static lzma_ret xz_run(struct inflate *f, lzma_action action, int *r)
{
	lzma_stream *x = &f->dec->u.xz;
	lzma_ret lr;
	do {
		x->next_out = f->dec->buf;
		x->avail_out = OUT_BUF;
		lr = lzma_code(x, action);
		if ((*r = emit(f, f->dec->buf, OUT_BUF - x->avail_out)) < 0)
			break;
	} while (lr == LZMA_OK && (x->avail_in || !x->avail_out || action == LZMA_FINISH));
	return lr;
}

/* Unpack the N bytes at P, the stream's bytes from BASE on. */
static int xz_feed(struct inflate *f, const uint8_t *p, size_t n, uint64_t base)
{
	lzma_stream *x = &f->dec->u.xz;
	x->next_in = p;
	x->avail_in = n;
	int r = 0;
	lzma_ret lr = xz_run(f, LZMA_RUN, &r);
	if (r < 0)
		return r;
	if (lr == LZMA_STREAM_END && x->avail_in)
		return corrupt(f, base + (uint64_t)(x->next_in - p), "data after the end of the stream");
	if (lr != LZMA_OK && lr != LZMA_STREAM_END)
		return corrupt(f, base + (uint64_t)(x->next_in - p), inflate_xz_why(lr));
	return 0;
}

/* 0 when the stream ended at the end of an xz stream (its padding included), else 1; the
 * error of handing on the last bytes. */
static int xz_ended(struct inflate *f)
{
	int r = 0;
	f->dec->u.xz.next_in = NULL;
	f->dec->u.xz.avail_in = 0;
	lzma_ret lr = xz_run(f, LZMA_FINISH, &r);
	return r < 0 ? r : lr != LZMA_STREAM_END;
}

/* Free liblzma's state. */
static void xz_end(struct inflate_dec *d)
{
	lzma_end(&d->u.xz);
}

/* The formats, told apart by their first bytes. */
static const struct format {
	const char *name;
	unsigned len;
	uint8_t magic[INFLATE_MAGIC_MAX];
	int (*start)(struct inflate_dec *d);
	int (*feed)(struct inflate *f, const uint8_t *p, size_t n, uint64_t base);
	int (*ended)(struct inflate *f); /* 0: at an end; 1: inside; or an errno */
	void (*end)(struct inflate_dec *d);
} formats[] = {
	{"gzip", 2, {0x1f, 0x8b}, gzip_start, gzip_feed, gzip_ended, gzip_end},
	{"zstd", 4, {0x28, 0xb5, 0x2f, 0xfd}, zstd_start, zstd_feed, zstd_ended, zstd_end},
	{"xz", 6, {0xfd, '7', 'z', 'X', 'Z', 0x00}, xz_start, xz_feed, xz_ended, xz_end},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* The format whose magic the N first bytes HEAD begin with; NULL with *MORE set when they are
 * still the start of one (and not FINAL), NULL otherwise (a plain stream). */
static const struct format *which(const uint8_t *head, unsigned n, bool final, bool *more)
{
	*more = false;
	for (const struct format *k = formats; k < formats + NFORMATS; k++) {
		unsigned m = n < k->len ? n : k->len;
		if (memcmp(head, k->magic, m))
			continue;
		if (m == k->len)
			return k;
		*more = !final;
	}
	return NULL;
}

/* The name of the format whose magic the N bytes at P begin with, NULL when none. */
const char *inflate_format_of(const uint8_t *p, size_t n)
{
	bool more;
	const struct format *k = n ? which(p, n < INFLATE_MAGIC_MAX ? (unsigned)n : INFLATE_MAGIC_MAX, true, &more) : NULL;
	return k ? k->name : NULL;
}

/* The format of F's stream once known (NULL for a plain one). */
static const struct format *format_of(const struct inflate *f)
{
	for (const struct format *k = formats; k < formats + NFORMATS; k++)
		if (f->format == k->name)
			return k;
	return NULL;
}

/* Settle on format K (NULL: plain) and make its decoder. */
static int start(struct inflate *f, const struct format *k)
{
	f->format = k ? k->name : "plain";
	if (!k)
		return 0;
	f->dec = calloc(1, sizeof(*f->dec));
	int r = f->dec ? k->start(f->dec) : -ENOMEM;
	if (r < 0)
		return log_err(r, "image %s: no memory for the %s decoder", f->label, k->name);
	return 0;
}

/* N bytes at P of a stream whose format is known. */
static int feed(struct inflate *f, const uint8_t *p, size_t n)
{
	const struct format *k = format_of(f);
	uint64_t base = f->in;
	if (!n)
		return 0;
	f->in += n;
	return k ? k->feed(f, p, n, base) : sink_feed(f->out, p, n);
}

/* Hold the first bytes until they tell the format (or the stream ends: FINAL), then feed them
 * and the rest of the N bytes at P. */
static int take(struct inflate *f, const uint8_t *p, size_t n, bool final)
{
	if (!f->format) {
		size_t t = n < INFLATE_MAGIC_MAX - f->nhead ? n : INFLATE_MAGIC_MAX - f->nhead;
		if (t)
			memcpy(f->head + f->nhead, p, t);
		f->nhead += (unsigned)t;
		p += t;
		n -= t;
		bool more;
		const struct format *k = which(f->head, f->nhead, final, &more);
		if (more)
			return 0; /* every byte is in HEAD */
		int r = start(f, k);
		if (r < 0 || (r = feed(f, f->head, f->nhead)) < 0)
			return r;
	}
	return feed(f, p, n);
}

/* The sink's write: remember the first error. */
static int inflate_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct inflate *f = (struct inflate *)s;
	if (!f->err)
		f->err = take(f, p, n, false);
	return f->err;
}

/* A fresh sink with no decoder yet. */
void inflate_init(struct inflate *f, struct sink *out, const char *label)
{
	*f = (struct inflate){.s = {.write = inflate_write}, .out = out, .label = label};
}

/* Flush a stream too short to tell, then ask the decoder whether it stopped at an end. */
int inflate_finish(struct inflate *f)
{
	static const uint8_t none[1];
	if (!f->err && !f->format)
		f->err = take(f, none, 0, true);
	const struct format *k = format_of(f);
	if (f->err || !k || f->ended)
		return f->err;
	int r = k->ended(f);
	if (r > 0)
		r = log_err(-EBADMSG, "image %s: %s stream truncated after %" PRIu64 " bytes (%" PRIu64 " unpacked)", f->label,
			    k->name, f->in, f->unpacked);
	if (r < 0)
		return f->err = r;
	f->ended = true;
	log_info("image %s: %s, %" PRIu64 " bytes as served, %" PRIu64 " unpacked", f->label, k->name, f->in, f->unpacked);
	return 0;
}

/* Release the decoder. */
void inflate_free(struct inflate *f)
{
	const struct format *k = format_of(f);
	if (k && f->dec)
		k->end(f->dec);
	free(f->dec);
	f->dec = NULL;
}
