/* sources.c - the table of root sources (their options halves), asked in order */
#include "source/sources.h"

#include <stdio.h>
#include <string.h>

#include "source/http.h"
#include "source/local.h"
#include "source/memdisk.h"
#include "source/nfs.h"

const struct source *const sources[] = {
	&http_source,
	&nfs_source,
	&memdisk_source,
	&local_source,
	NULL,
};

/* The first source that claims CL. */
int source_claim(const struct cmdline *cl, const struct source **out, struct source_opts *opts)
{
	*out = NULL;
	for (const struct source *const *s = sources; *s; s++) {
		struct source_opts mine = {0};
		int r = (*s)->claim(cl, &mine);
		if (r < 0)
			return r;
		if (r > 0 && !*out) {
			*out = *s;
			*opts = mine;
		}
	}
	return 0;
}

/* "A or B or C" over the sources' options. */
const char *source_options(void)
{
	static char text[512];
	size_t n = 0;
	text[0] = '\0';
	for (const struct source *const *s = sources; *s && n < sizeof(text); s++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", s == sources ? "" : " or ", (*s)->options);
	return text;
}
