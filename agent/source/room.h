/* room.h - whether an image unpacked while it arrives still fits in the image tmpfs and in RAM */
#ifndef PXEROOT_SOURCE_ROOM_H
#define PXEROOT_SOURCE_ROOM_H

#include <stdint.h>

/* The budget of an image that arrives compressed (fetch_req.on_unpacked; CTX is the struct plan):
 * UNPACKED bytes, from SERVED bytes as served, are about to be kept. What is written already
 * sits in the image tmpfs, so the tmpfs must hold UNPACKED and the RAM still available must keep
 * RAM_HEADROOM. *NEXT is lowered to where the room ends, so the next call comes before a write
 * could fail. 0, or -EFBIG after a line that names both sizes. */
int http_unpacked_fits(void *ctx, const char *url, uint64_t served, uint64_t unpacked, uint64_t *next);

#endif
