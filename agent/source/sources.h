/* sources.h - the root sources pxeroot knows, in the order they are asked: their options halves
 * (sources.c) and their I/O halves (sources_io.c) */
#ifndef PXEROOT_SOURCE_SOURCES_H
#define PXEROOT_SOURCE_SOURCES_H

#include "cmdline.h"
#include "source/source.h"

/* The source CL asks for into *OUT (NULL: none) and its options into OPTS: every source checks
 * its options, in the table's order, and the first that claims the line wins. 0, or a negative
 * errno (logged) for a malformed option. */
int source_claim(const struct cmdline *cl, const struct source **out, struct source_opts *opts);
/* The options of every source, joined with " or ", for the line that says no source was asked for. */
const char *source_options(void);
/* Every source, in the table's order, NULL-terminated. */
extern const struct source *const sources[];
/* The I/O half of source S (sources_io.c; not linked by the parser tests). */
const struct source_io *source_io(const struct source *s);

#endif
