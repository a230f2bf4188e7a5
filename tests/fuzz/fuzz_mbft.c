/* fuzz_mbft.c - libFuzzer target for the mBFT scan and the /proc/iomem reading. The input is the
 * base-memory window (physical 0x9f000 on, scanned from its start and from 0x9f010); the same
 * bytes, cut at the first NUL, are read as /proc/iomem text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "source/mbft.h"

#define BASE 0x9f000u

/* What a hit promises: inside the window, on a 16-byte step from FROM, a table that fits. */
static void scan(const uint8_t *data, size_t size, uint64_t from)
{
	struct mbft m;
	if (mbft_scan(data, size, BASE, from, &m) != 1)
		return;
	REQUIRE(m.at >= from && m.at < BASE + size && (m.at - from) % 16 == 0);
	const uint8_t *p = data + (m.at - BASE);
	uint32_t len = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
	REQUIRE(len >= 66 && len <= size - (m.at - BASE) && !memcmp(p, "mBFT", 4));
	REQUIRE(m.shift >= 1);
}

/* One window, two starting points, and the text reading. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	scan(data, size, BASE);
	scan(data, size, BASE + 16);
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	uint64_t end = mbft_low_ram_end(text);
	REQUIRE(end <= MBFT_BASE_END);
	free(text);
	return 0;
}
