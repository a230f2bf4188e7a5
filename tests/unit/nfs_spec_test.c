/* nfs_spec_test.c - every NFS root syntax (kernel nfsroot= and option 17, dracut nfs:/nfs4:/nfs://,
 * archiso_nfs_srv=), the option helpers, and the malformed twins. */
#include <errno.h>

#include "check.h"
#include "source/nfs_spec.h"

typedef int (*parse_fn)(const char *v, struct nfs_spec *out, char *why, size_t cap);

/* Parse V with FN, expecting SERVER, PATH and OPTS. */
static void ok(parse_fn fn, const char *v, const char *server, const char *path, const char *opts)
{
	struct nfs_spec s;
	char why[160] = "";
	int r = fn(v, &s, why, sizeof(why));
	CHECK(r == 0, "%s refused: %s", v, why);
	if (r)
		return;
	CHECK(!strcmp(s.server, server), "%s: server \"%s\", want \"%s\"", v, s.server, server);
	CHECK(!strcmp(s.path, path), "%s: path \"%s\", want \"%s\"", v, s.path, path);
	CHECK(!strcmp(s.opts, opts), "%s: opts \"%s\", want \"%s\"", v, s.opts, opts);
}

/* Parse V with FN, expecting -EINVAL with WANT in the reason. */
static void bad(parse_fn fn, const char *v, const char *want)
{
	struct nfs_spec s;
	char why[160] = "";
	int r = fn(v, &s, why, sizeof(why));
	CHECK(r == -EINVAL && strstr(why, want), "%s: r=%d why \"%s\", want \"%s\"", v, r, why, want);
}

/* The kernel's nfsroot= (and option 17 for root=/dev/nfs). */
static void test_kernel(void)
{
	ok(nfs_parse_kernel, "10.0.2.2:/srv/root", "10.0.2.2", "/srv/root", "");
	ok(nfs_parse_kernel, "10.0.2.2:/srv/root,vers=3,tcp", "10.0.2.2", "/srv/root", "vers=3,tcp");
	ok(nfs_parse_kernel, "/srv/%s", "", "/srv/%s", "");
	ok(nfs_parse_kernel, "/srv/root,nolock", "", "/srv/root", "nolock");
	ok(nfs_parse_kernel, "", "", "/tftpboot/%s", "");
	ok(nfs_parse_kernel, ",vers=4.1", "", "/tftpboot/%s", "vers=4.1");
	ok(nfs_parse_kernel, "client1", "", "/tftpboot/client1", "");       /* not '/', ',' or a digit */
	ok(nfs_parse_kernel, "host:/x", "", "/tftpboot/host:/x", "");        /* the kernel takes IPs only */
	ok(nfs_parse_kernel, "10.0.2.2:/a,,b,", "10.0.2.2", "/a", "b");
	bad(nfs_parse_kernel, "10.0.2.2:relative", "must start with '/'");
	bad(nfs_parse_kernel, "/srv/a b", "space");
	bad(nfs_parse_kernel, "/srv/\"x\"", "quote");
	bad(nfs_parse_kernel, "/srv/x,rsize=\x01", "control");
}

/* dracut's forms. */
static void test_dracut(void)
{
	ok(nfs_parse_dracut, "nfs:10.0.0.1:/srv/root", "10.0.0.1", "/srv/root", "");
	ok(nfs_parse_dracut, "nfs:server.lan:/srv/root:vers=3,nolock", "server.lan", "/srv/root", "vers=3,nolock");
	ok(nfs_parse_dracut, "nfs:/srv/root", "", "/srv/root", "");
	ok(nfs_parse_dracut, "nfs:/srv/%s:ro", "", "/srv/%s", "ro");
	ok(nfs_parse_dracut, "nfs4:10.0.2.2:/export", "10.0.2.2", "/export", "");
	ok(nfs_parse_dracut, "nfs://10.0.2.2/export/root", "10.0.2.2", "/export/root", "");
	struct nfs_spec s;
	char why[160];
	CHECK(nfs_parse_dracut("live:http://x/y", &s, why, sizeof(why)) == -ENOENT, "live: is not an NFS root");
	CHECK(nfs_parse_dracut("nfs4:10.0.2.2:/export", &s, why, sizeof(why)) == 0 && s.v4, "nfs4: asks for v4");
	bad(nfs_parse_dracut, "nfs:server", "no export path");
	bad(nfs_parse_dracut, "nfs:ser ver:/x", "server name");
	bad(nfs_parse_dracut, "nfs:a_b:/x", "server name");
	bad(nfs_parse_dracut, "nfs::/x", "server name");
	bad(nfs_parse_dracut, "nfs://server", "no export path");
	bad(nfs_parse_dracut, "nfs://:/x", "server name");
	bad(nfs_parse_dracut, "nfs:10.0.0.1:srv", "must start with '/'");
	bad(nfs_parse_dracut, "nfs:10.0.0.1:/a,b", "comma");
}

/* archiso's archiso_nfs_srv= and archiso_nfs_opt=. */
static void test_archiso(void)
{
	struct nfs_spec s;
	char why[160] = "";
	CHECK(nfs_parse_archiso("10.0.2.2:/srv/archiso", "vers=3", &s, why, sizeof(why)) == 0 &&
		      !strcmp(s.server, "10.0.2.2") && !strcmp(s.path, "/srv/archiso") && !strcmp(s.opts, "vers=3"),
	      "archiso_nfs_srv with a server: %s", why);
	CHECK(nfs_parse_archiso("/srv/archiso", NULL, &s, why, sizeof(why)) == 0 && !s.server[0], "without: %s", why);
	CHECK(nfs_parse_archiso("10.0.2.2:srv", NULL, &s, why, sizeof(why)) == -EINVAL, "relative path refused");
	CHECK(nfs_parse_archiso("10.0.2.2:/x", "a b", &s, why, sizeof(why)) == -EINVAL && strstr(why, "space"),
	      "options with a space refused: %s", why);
}

/* %s, option order, version and the last-word helpers. */
static void test_options(void)
{
	struct nfs_spec s;
	char why[160], v[16];
	CHECK(nfs_parse_kernel("/tftpboot/%s/root/%s", &s, why, sizeof(why)) == 0, "parse");
	CHECK(nfs_expand_path(&s, "node7") == 0 && !strcmp(s.path, "/tftpboot/node7/root/%s"), "only the first %%s: %s", s.path);
	CHECK(nfs_parse_kernel("10.0.2.2:/r,vers=3", &s, why, sizeof(why)) == 0, "parse");
	CHECK(nfs_add_opts(&s, ",nolock,") == 0 && !strcmp(s.opts, "vers=3,nolock"), "appended: %s", s.opts);
	nfs_opt_vers(&s, v, sizeof(v));
	CHECK(!strcmp(v, "3"), "vers=3: %s", v);
	CHECK(nfs_add_opts(&s, "nfsvers=4.1") == 0, "add");
	nfs_opt_vers(&s, v, sizeof(v));
	CHECK(!strcmp(v, "4.1"), "the last version wins: %s", v);
	CHECK(nfs_add_opts(&s, "v4.2") == 0, "add");
	nfs_opt_vers(&s, v, sizeof(v));
	CHECK(!strcmp(v, "4.2"), "v4.2: %s", v);
	CHECK(nfs_opt_last(&s, "lock", "nolock") == 0, "nolock last");
	CHECK(nfs_add_opts(&s, "lock") == 0 && nfs_opt_last(&s, "lock", "nolock") == 1, "lock last");
	CHECK(nfs_opt_last(&s, "port=", NULL) == 0, "no port=");
	CHECK(nfs_add_opts(&s, "port=2049") == 0 && nfs_opt_last(&s, "port=", NULL) == 1, "port=");
	CHECK(nfs_opt_last(&s, "vers", NULL) == 0, "a word is not a key prefix");
	nfs_parse_dracut("nfs4:/export", &s, why, sizeof(why));
	nfs_opt_vers(&s, v, sizeof(v));
	CHECK(!strcmp(v, "4"), "nfs4: gives 4: %s", v);
	char big[NFS_OPTS_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(nfs_add_opts(&s, big) == -E2BIG, "too many options refused");
	char path[NFS_PATH_MAX + 16];
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	memcpy(path, "nfs:/", 5); /* a path past NFS_PATH_MAX */
	bad(nfs_parse_dracut, path, "longer");
}

int main(void)
{
	test_kernel();
	test_dracut();
	test_archiso();
	test_options();
	return check_done("nfs_spec_test");
}
