/* cmdline.h - the kernel command line, split the way the kernel splits it */
#ifndef PXEROOT_CMDLINE_H
#define PXEROOT_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX_WORDS 1024 /* a 2048-byte x86 command line has at most 1024 words */

struct cmdline_word {
	const char *key;   /* text before '=' (or the whole word) */
	const char *value; /* text after '=', quotes removed; NULL for a bare word */
};

struct cmdline {
	char *buf;                              /* owned copy the words point into */
	size_t nwords;
	struct cmdline_word words[CMDLINE_MAX_WORDS];
	size_t ninit;                           /* words after " -- ": arguments for init */
	const char *init_args[CMDLINE_MAX_WORDS];
};

/* Split TEXT into words: spaces separate, double quotes protect spaces, quotes around a value are
 * dropped, everything after a lone "--" goes to init. 0 or -ENOMEM/-E2BIG. */
int cmdline_parse(const char *text, struct cmdline *cl);
/* Release what cmdline_parse allocated. */
void cmdline_free(struct cmdline *cl);
/* Value of the last KEY=value word; "" for a bare KEY; NULL when absent. */
const char *cmdline_get(const struct cmdline *cl, const char *key);
/* Whether KEY is present as a bare word or with a value. */
int cmdline_has(const struct cmdline *cl, const char *key);
/* Position of the last bare word KEY (no '='), for flags where the later of two wins (ro / rw);
 * -1 when absent. */
long cmdline_flag_pos(const struct cmdline *cl, const char *key);
/* Store up to MAX values of every KEY=value word in order into OUT; returns the count. */
size_t cmdline_get_all(const struct cmdline *cl, const char *key, const char **out, size_t max);
/* Read /proc/cmdline (or PATH) into CL. */
int cmdline_read(const char *path, struct cmdline *cl);

#endif
