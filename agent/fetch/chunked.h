/* chunked.h - an image made of chunks (casync's blob index and chunk store): the index fetched
 * with every requested check, as an image is (image.h), then read; the chunks fetched (chunks.h),
 * each checked against its id, and written at their offsets into the image file. The ids are
 * what the checks of the index cover, so every byte written is covered. */
#ifndef PXEROOT_CHUNKED_H
#define PXEROOT_CHUNKED_H

#include <stdint.h>

#include "fetch/chunks.h"
#include "fetch/fetch.h"
#include "verify/caindex.h"
#include "verify/trust.h"

#define CA_INDEX_MAX (64u << 20) /* the largest index taken: 1.6 million chunks */

/* Fetch the index RQ (its mirrors and path; its sinks are set here) into FILE with every check T
 * asks for (image_fetch), then parse it into IX; its bytes into *RAW (malloc'd, *LEN bytes) when
 * RAW is not NULL. 0, or a negative errno after the line naming the URL and the cause; FILE
 * removed on failure. */
int chunked_index(struct fetch_req *rq, const struct trust *t, const char *file, struct ca_index *ix, uint8_t **raw,
		  size_t *len);
/* Every chunk of CR->ix fetched (CR: stores, policy, requests in flight) and written at its
 * offset into IMAGE (created; sparse until filled), with a progress line named LABEL. 0, or a
 * negative errno after the lines naming the chunk that could not be had; IMAGE removed on
 * failure. */
int chunked_fetch(struct chunks_req *cr, const char *image, const char *label);
/* The stores of the index PATH under the bases M, in the order they are tried, into ST (their
 * text in B): the store beside the index at M's first base (".caibx" replaced with ".castr/"),
 * then the NX stores X (a '/' ensured at their end), then the store beside each other base's copy
 * of the index. At most MIRRORS_MAX in all. 0, or -EINVAL after a line. */
int chunked_stores(const struct mirrors *m, const char *path, const char *const *x, unsigned nx, struct mirrors *st,
		   char (*b)[2048]);

#endif
