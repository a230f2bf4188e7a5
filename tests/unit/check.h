/* check.h - the unit tests' assertions: one "ok"/"not ok" line each, a summary, exit status. */
#ifndef PXEROOT_CHECK_H
#define PXEROOT_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed, check_passed;

/* Record one assertion. */
#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (cond) {                                                   \
			check_passed++;                                       \
		} else {                                                      \
			check_failed++;                                       \
			printf("not ok - %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                  \
			printf("\n");                                         \
		}                                                             \
	} while (0)

/* Compare two strings, NULL-safe. */
#define CHECK_STR(got, want)                                                              \
	do {                                                                              \
		const char *g_ = (got), *w_ = (want);                                     \
		CHECK((g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0),    \
		      "got \"%s\", want \"%s\"", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

/* Print the summary and give main's return value. */
static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
