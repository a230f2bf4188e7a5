/* inflate.h - an image that arrives compressed (gzip, zstd or xz, told by its magic bytes, never
 * by its name), unpacked while it arrives; any other stream passes through unchanged */
#ifndef PXEROOT_INFLATE_H
#define PXEROOT_INFLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sink.h"

#define INFLATE_MAGIC_MAX 6             /* the longest magic (xz): bytes held back until it is known */
#define INFLATE_BUDGET_STEP (1u << 20)  /* the budget is asked again at most this many bytes later */
#define INFLATE_WINDOW_LOG_MAX 27       /* the most memory a decoder may ask for: 128 MiB ... */
#define INFLATE_MEM_MAX (1ull << INFLATE_WINDOW_LOG_MAX) /* ... (zstd --ultra -22 and xz -9e need less) */

struct inflate_dec;

/* A sink for the bytes as served. Put S in the producer's chain (S.next goes on to the chain's
 * other consumers, e.g. the checks, which see the served bytes); the unpacked bytes go to OUT
 * (and OUT's own chain), never to S.next. Fields above the line are the caller's to set after
 * inflate_init; below it, read only. */
struct inflate {
	struct sink s;
	struct sink *out;         /* gets the unpacked bytes; a plain stream's bytes as they came */
	const char *label;        /* names the stream in lines ("image LABEL: ..."), e.g. the URL */
	/* Optional: asked before unpacked bytes reach OUT, with IN and UNPACKED counting them: first
	 * at the first of them, then whenever UNPACKED would pass *NEXT, which is UNPACKED +
	 * INFLATE_BUDGET_STEP when it is called; the callee may lower it to be asked sooner (as room
	 * runs out: asked again past the last byte that fits, a refusal comes before a write fails).
	 * 0, or a negative errno (logged by the callee) that fails the write. Never asked for a plain
	 * stream. */
	int (*budget)(void *ctx, const char *label, uint64_t in, uint64_t unpacked, uint64_t *next);
	void *ctx;
	/* ---- */
	const char *format;       /* NULL until the first bytes tell; then "gzip", "zstd", "xz" or "plain" */
	uint64_t in;              /* bytes taken so far, as served */
	uint64_t unpacked;        /* bytes unpacked so far (0 for a plain stream) */
	uint64_t budget_next;     /* the budget is asked when UNPACKED passes this */
	int err;                  /* the error that stopped the stream; every later call returns it */
	bool ended;               /* inflate_finish found the end: a later call says 0 again, no line */
	uint8_t head[INFLATE_MAGIC_MAX];
	unsigned nhead;           /* first bytes held until the format is known */
	struct inflate_dec *dec;  /* the decoder, made when the magic is seen */
};

/* An inflate sink feeding OUT, LABEL naming it in lines; nothing is allocated until the first
 * compressed byte. */
void inflate_init(struct inflate *f, struct sink *out, const char *label);
/* The end of the stream: a stream too short for a magic is passed on as it is. 0 when the stream
 * was plain or ended exactly at the end of a gzip member, zstd frame or xz stream (trailing zero
 * bytes allowed after gzip, stream padding after xz), after a line naming the format and both
 * sizes; -EBADMSG after the line "image LABEL: FORMAT stream truncated after N bytes (M
 * unpacked)"; an earlier error again, without a new line. A second call gives the first one's
 * result without a line. */
int inflate_finish(struct inflate *f);
/* Free the decoder (any time; F can be initialised again after). */
void inflate_free(struct inflate *f);

/* "gzip", "zstd" or "xz" when the N bytes at P begin with that format's magic, else NULL (the
 * table the sink tells a stream's format by, for whoever unpacks bytes of its own). */
const char *inflate_format_of(const uint8_t *p, size_t n);
/* liblzma's result LR (an lzma_ret) in words, as the sink's lines quote it. */
const char *inflate_xz_why(int lr);

/* Errors of the write (S.write): -EBADMSG after "image LABEL: corrupt FORMAT data at byte N
 * (library message)" or "image LABEL: garbage after the end of the gzip stream at byte N";
 * -ENOMEM; the budget's or OUT's error. */

#endif
