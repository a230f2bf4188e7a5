/* fuzz_nfs_spec.c - libFuzzer target for the NFS root syntaxes. The input, cut at its first NUL,
 * is tried as a kernel nfsroot= value, a dracut root= value and an archiso_nfs_srv= value; what
 * a success promises is checked, then the option helpers run over the result. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "source/nfs_spec.h"

/* What every parse must leave: terminated fields, a path from '/', a reason on refusal. */
static void check(int r, const struct nfs_spec *s, const char *why)
{
	REQUIRE(memchr(why, '\0', 160) != NULL);
	if (r != 0) {
		REQUIRE(r == -ENOENT || why[0] != '\0');
		return;
	}
	REQUIRE(memchr(s->server, '\0', sizeof(s->server)) && memchr(s->path, '\0', sizeof(s->path)) &&
		memchr(s->opts, '\0', sizeof(s->opts)));
	REQUIRE(s->path[0] == '/');
	REQUIRE(!strchr(s->path, ',') && !strchr(s->path, ' ') && !strchr(s->opts, ' '));
	struct nfs_spec t = *s;
	char v[16];
	nfs_opt_vers(&t, v, sizeof(v));
	nfs_opt_last(&t, "lock", "nolock");
	nfs_expand_path(&t, "host-name");
	nfs_add_opts(&t, "vers=4.2,addr=10.0.2.2");
	REQUIRE(memchr(t.opts, '\0', sizeof(t.opts)) && memchr(t.path, '\0', sizeof(t.path)));
}

/* Parse one input in every syntax. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[3072], why[160];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	struct nfs_spec s;
	why[0] = '\0';
	check(nfs_parse_kernel(text, &s, why, sizeof(why)), &s, why);
	why[0] = '\0';
	check(nfs_parse_dracut(text, &s, why, sizeof(why)), &s, why);
	why[0] = '\0';
	char *sep = strchr(text, '|'); /* "srv|opt" tries archiso_nfs_opt= too */
	if (sep)
		*sep = '\0';
	check(nfs_parse_archiso(text, sep ? sep + 1 : NULL, &s, why, sizeof(why)), &s, why);
	return 0;
}
