/* fixture.h - the unit tests' committed fixtures, in a directory of tests/unit/data: found beside
 * this file (run from the repository root, as tests/run.sh does), else relative to the executable
 * in build/tests; each read whole. */
#ifndef PXEROOT_TEST_FIXTURE_H
#define PXEROOT_TEST_FIXTURE_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIXTURE_NAME_MAX 160 /* the longest name below data_dir */

static char data_dir[PATH_MAX + 64];

/* A file's bytes. */
struct buf {
	uint8_t *p;
	size_t n;
};

/* Set data_dir to tests/unit/data/SUB/ (with its slash). */
static inline void find_data_dir(const char *sub)
{
	char exe[PATH_MAX];
	const char *src = __FILE__, *slash = strrchr(src, '/');
	snprintf(data_dir, sizeof(data_dir), "%.*sdata/%s/", slash ? (int)(slash - src + 1) : 0, src, sub);
	if (access(data_dir, R_OK) == 0)
		return;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	char *s = strrchr(exe, '/');
	if (s)
		*s = '\0';
	snprintf(data_dir, sizeof(data_dir), "%s/../../tests/unit/data/%s/", exe, sub);
}

/* The fixture NAME, whole; aborts the test when it is missing. */
static inline struct buf load(const char *name)
{
	char path[sizeof(data_dir) + FIXTURE_NAME_MAX];
	snprintf(path, sizeof(path), "%s%s", data_dir, name);
	FILE *f = fopen(path, "rb");
	struct buf b = {NULL, 0};
	size_t cap = 0, got = 0;
	do {
		if (b.n == cap && !(b.p = realloc(b.p, cap = cap ? 2 * cap : 1 << 16)))
			break;
		got = f ? fread(b.p + b.n, 1, cap - b.n, f) : 0;
		b.n += got;
	} while (got);
	if (!f || !b.p || ferror(f)) {
		printf("not ok - cannot read fixture %s\n", path);
		exit(1);
	}
	fclose(f);
	return b;
}

#endif
