/* sha512list.h - the sha512 list file (archiso's airootfs.sha512), parsed as untrusted input; a
 * pure parser: it returns the reason (-EINVAL, -ENOENT) and never logs. */
#ifndef PXEROOT_SHA512LIST_H
#define PXEROOT_SHA512LIST_H

#include <stddef.h>
#include <stdint.h>

/* Find the SHA-512 of file NAME in TEXT (LEN bytes, the format `sha512sum` writes:
 * "<128 hex>  NAME" or "<128 hex> *NAME", LF or CRLF, '#' comments, blank lines). Strict: any
 * malformed line or two different sums for NAME make it -EINVAL; no line for NAME is -ENOENT.
 * On success the 64 bytes go to OUT. */
int sha512_file_lookup(const char *text, size_t len, const char *name, uint8_t out[64]);
/* Lower-case hex of LEN bytes of BIN into OUT (2*LEN+1 bytes). */
void hex_encode(const uint8_t *bin, size_t len, char *out);

#endif
