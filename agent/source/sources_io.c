/* sources_io.c - the table of the sources' I/O halves, each beside its options half (sources.c) */
#include "source/sources.h"

#include "source/http.h"
#include "source/local.h"
#include "source/memdisk.h"
#include "source/nfs.h"

static const struct source_io *const ios[] = {&http_io, &nfs_io, &memdisk_io, &local_io, NULL};

/* The I/O half whose options half is S. */
const struct source_io *source_io(const struct source *s)
{
	for (const struct source_io *const *io = ios; *io; io++)
		if ((*io)->source == s)
			return *io;
	return NULL;
}
