/* sha512list.c - the sha512 list file (archiso's airootfs.sha512). Untrusted input: bounded, strict. */
#define _GNU_SOURCE
#include "verify/sha512list.h"

#include <errno.h>
#include <string.h>

/* Value of hex digit C, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode 128 hex digits at P into OUT; -EINVAL on a non-hex digit. */
static int hex_decode64(const char *p, uint8_t out[64])
{
	for (int i = 0; i < 64; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Parse one line (without its newline) of LEN bytes. Returns 1 if it names NAME (sum in OUT),
 * 0 if it is blank, a comment or names another file, -EINVAL if malformed. */
static int parse_line(const char *line, size_t len, const char *name, uint8_t out[64])
{
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0 || line[0] == '#')
		return 0;
	if (len < 128 + 2 + 1 || line[128] != ' ' || (line[129] != ' ' && line[129] != '*'))
		return -EINVAL;
	if (hex_decode64(line, out) < 0)
		return -EINVAL;
	const char *file = line + 130;
	size_t flen = len - 130;
	if (memchr(file, '\0', flen) || memchr(file, '\r', flen))
		return -EINVAL;
	return flen == strlen(name) && memcmp(file, name, flen) == 0;
}

/* Look NAME up in the list. */
int sha512_file_lookup(const char *text, size_t len, const char *name, uint8_t out[64])
{
	int found = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;
		uint8_t sum[64];
		int r = parse_line(text + pos, llen, name, sum);
		if (r < 0)
			return r;
		if (r == 1) {
			if (found && memcmp(out, sum, 64) != 0)
				return -EINVAL;
			memcpy(out, sum, 64);
			found = 1;
		}
		pos += llen + (nl ? 1 : 0);
	}
	return found ? 0 : -ENOENT;
}

/* Bytes to lower-case hex. */
void hex_encode(const uint8_t *bin, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bin[i] >> 4];
		out[2 * i + 1] = digits[bin[i] & 15];
	}
	out[2 * len] = '\0';
}
