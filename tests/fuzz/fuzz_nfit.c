/* fuzz_nfit.c - libFuzzer target for the NFIT table's RAM disk ranges (bytes the firmware
 * publishes, read from /sys/firmware/acpi/tables/NFIT). */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "source/nfit.h"

/* What a result promises: within MAX, only kept ranges that neither are empty nor wrap, and only
 * from a table that starts with the signature and fits the input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfit_disk d[NFIT_DISKS_MAX];
	for (size_t max = 1; max <= NFIT_DISKS_MAX; max += NFIT_DISKS_MAX - 1) {
		int n = nfit_ramdisks(data, size, d, max);
		REQUIRE(n >= -22 && n <= (int)max);
		if (n < 0)
			continue;
		REQUIRE(size >= 40 && !memcmp(data, "NFIT", 4));
		for (int i = 0; i < n; i++) {
			REQUIRE(d[i].length && d[i].base + d[i].length > d[i].base);
			REQUIRE(nfit_kind(&d[i])[0] == 'v');
		}
	}
	return 0;
}
