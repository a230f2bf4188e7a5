/* fuzz.h - what every libFuzzer target here shares. */
#ifndef PXEROOT_FUZZ_H
#define PXEROOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Stop the run when COND is false: libFuzzer records the input as a crash. */
#define REQUIRE(cond)                     \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

/* For LLVMFuzzerInitialize: add -close_fd_mask=2 unless given, so the agent's log lines (stderr)
 * are dropped while libFuzzer and the sanitizers keep reporting on a duplicate of the original
 * stderr. */
static inline void fuzz_quiet_stderr(int *argc, char ***argv)
{
	static char flag[] = "-close_fd_mask=2";
	static char *args[256];
	int n = *argc;
	for (int i = 1; i < n; i++)
		if (strncmp((*argv)[i], "-close_fd_mask=", 15) == 0)
			return;
	if (n < 1 || n > 250)
		return;
	memcpy(args, *argv, (size_t)n * sizeof(args[0]));
	args[n] = flag;
	args[n + 1] = NULL;
	*argc = n + 1;
	*argv = args;
}

#endif
