/* fuzz.h - what every libFuzzer target here shares. */
#ifndef PXEROOT_FUZZ_H
#define PXEROOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop the run when COND is false: libFuzzer records the input as a crash. */
#define REQUIRE(cond)                     \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

#endif
