/* http_url_test.c - image URL composition (archiso layout, ${pxeserver}, root=live:), the
 * checksum list URL beside it, and the file name at the end of a URL. */
#include <errno.h>

#include "check.h"
#include "cmdline.h"
#include "plan.h"
#include "url.h"
#include "source/http.h"
#include "url.h"

/* Plan from the command line TEXT (must be accepted), then the image URL for PXESERVER/MACHINE. */
static int url_of(const char *text, const char *pxeserver, const char *machine, char *url, size_t cap)
{
	struct cmdline cl;
	struct plan p;
	int r = cmdline_parse(text, &cl);
	CHECK(r == 0, "parse \"%s\" = %d", text, r);
	r = plan_from_cmdline(&cl, &p);
	CHECK(r == 0 && p.source == &http_source, "plan \"%s\" = %d", text, r);
	url[0] = '\0';
	struct source_ctx ctx = plan_ctx(&p, NULL);
	r = http_image_url(&ctx, pxeserver, machine, url, cap, NULL);
	cmdline_free(&cl);
	return r;
}

/* Assert the command line TEXT gives the image URL WANT with server 10.0.2.2 on x86_64. */
static void want_url(const char *text, const char *want)
{
	char url[2048];
	int r = url_of(text, "10.0.2.2", "x86_64", url, sizeof(url));
	CHECK(r == 0, "\"%s\" = %d", text, r);
	CHECK_STR(url, want);
}

/* archiso layout: srv + basedir + arch + airootfs.sfs. */
static void test_archiso(void)
{
	want_url("archiso_http_srv=http://${pxeserver}:8080/", "http://10.0.2.2:8080/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://${pxeserver}:8080", "http://10.0.2.2:8080/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://mirror/iso/", "http://mirror/iso/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://${pxeserver}/${pxeserver}/x${pxeserver}",
		 "http://10.0.2.2/10.0.2.2/x10.0.2.2/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://${pxeserver}/ arch=aarch64", "http://10.0.2.2/arch/aarch64/airootfs.sfs");
	want_url("archiso_http_srv=http://${pxeserver}/ arch=", "http://10.0.2.2/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://${pxeserver}/ archisobasedir=releng", "http://10.0.2.2/releng/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://${pxeserver}/ archisobasedir=", "http://10.0.2.2/arch/x86_64/airootfs.sfs");
	/* not the variable: copied as they are */
	want_url("archiso_http_srv=http://${pxeserve}/", "http://${pxeserve}/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://$pxeserver/", "http://$pxeserver/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://${PXESERVER}/", "http://${PXESERVER}/arch/x86_64/airootfs.sfs");
	want_url("archiso_http_srv=http://${pxeserver/", "http://${pxeserver/arch/x86_64/airootfs.sfs");
}

/* dracut's root=live:URL is the URL, also with ${pxeserver}; it wins over archiso_http_srv. */
static void test_live(void)
{
	want_url("root=live:http://h/x/rootfs.img", "http://h/x/rootfs.img");
	want_url("root=live:http://${pxeserver}/x/rootfs.img", "http://10.0.2.2/x/rootfs.img");
	want_url("root=live:https://h/a.sfs archiso_http_srv=http://other/", "https://h/a.sfs");
	want_url("root=live:http://h/dir/", "http://h/dir/");
}

/* ${pxeserver} without a known server is an error, whatever the URL form. */
/* A chunked image: archiso's index beside the images, a live URL naming one; url_is_index. */
static void test_chunked(void)
{
	want_url("archiso_http_srv=http://${pxeserver}/ pxeroot.chunks=1", "http://10.0.2.2/arch/x86_64/airootfs.caibx");
	want_url("root=live:http://h/x/root.caibx", "http://h/x/root.caibx");
	CHECK(url_is_index("http://h/x/root.caibx") && url_is_index("root.caibx"), "an index");
	CHECK(!url_is_index("http://h/x/root.sfs") && !url_is_index(".caibx") && !url_is_index("http://h/root.caibx.sig"), "not an index");
}

static void test_no_server(void)
{
	char url[256];
	CHECK(url_of("archiso_http_srv=http://${pxeserver}/", "", "x86_64", url, sizeof(url)) == -EINVAL, "empty server");
	CHECK(url_of("archiso_http_srv=http://${pxeserver}/", NULL, "x86_64", url, sizeof(url)) == -EINVAL, "NULL server");
	CHECK(url_of("root=live:http://${pxeserver}/a.sfs", NULL, "x86_64", url, sizeof(url)) == -EINVAL, "live, NULL server");
	CHECK(url_of("archiso_http_srv=http://mirror/", NULL, "x86_64", url, sizeof(url)) == 0, "no variable, no server needed");
	CHECK_STR(url, "http://mirror/arch/x86_64/airootfs.sfs");
}

/* URLs that do not fit are errors, and nothing is written past the buffer. */
static void test_too_long(void)
{
	static char text[4200], url[2048 + 16];
	memcpy(text, "archiso_http_srv=http://", 24);
	memset(text + 24, 'a', 3000);
	strcpy(text + 3024, "/");
	int r = url_of(text, "10.0.2.2", "x86_64", url, 2048);
	CHECK(r < 0, "3000-byte server: %d", r);

	/* fits before expansion, not after */
	size_t n = 24;
	memcpy(text, "archiso_http_srv=http://", 24);
	for (int i = 0; i < 100; i++, n += 12)
		memcpy(text + n, "${pxeserver}", 12);
	strcpy(text + n, "/");
	r = url_of(text, "a-rather-long-host-name.example", "x86_64", url, 2048);
	CHECK(r < 0, "expansion too long: %d", r);

	/* the composed URL does not fit the caller's buffer */
	memset(url, '#', sizeof(url));
	r = url_of("archiso_http_srv=http://${pxeserver}/", "10.0.2.2", "x86_64", url, 20);
	CHECK(r < 0, "cap 20: %d", r);
	CHECK(url[20] == '#', "nothing past cap");
	r = url_of("root=live:http://h/x/rootfs.img", "10.0.2.2", "x86_64", url, 21);
	CHECK(r < 0, "live cap 21: %d", r);
	CHECK(url[21] == '#', "nothing past cap (live)");
	r = url_of("root=live:http://h/x/rootfs.img", "10.0.2.2", "x86_64", url, 22);
	CHECK(r == 0, "live cap 22 exact: %d", r);
	CHECK_STR(url, "http://h/x/rootfs.img");

	/* the longest server part that fits */
	n = 17;
	memcpy(text, "archiso_http_srv=", 17);
	memcpy(text + n, "http://", 7);
	memset(text + n + 7, 'b', 2047 - 7);
	text[n + 2047] = '\0';
	r = url_of(text, "10.0.2.2", "x86_64", url, 2048);
	CHECK(r < 0, "2047-byte server + suffix: %d", r);
}

/* A plan built by hand: arch set, machine ignored. */
static void test_plan_by_hand(void)
{
	struct plan p = {.source = &http_source, .layout = {.basedir = "arch", .arch = "i686"}};
	*(struct http_opts *)p.src_opts.b = (struct http_opts){.srv = "http://${pxeserver}/"};
	struct source_ctx ctx = plan_ctx(&p, NULL);
	char url[256];
	CHECK(http_image_url(&ctx, "192.168.1.1", "x86_64", url, sizeof(url), NULL) == 0, "by hand");
	CHECK_STR(url, "http://192.168.1.1/arch/i686/airootfs.sfs");
	p.layout.arch = NULL;
	CHECK(http_image_url(&ctx, "192.168.1.1", "riscv64", url, sizeof(url), NULL) == 0, "machine");
	CHECK_STR(url, "http://192.168.1.1/arch/riscv64/airootfs.sfs");
}

/* Assert the checksum list URL for IMAGE is WANT. */
static void want_sha(const char *image, const char *want)
{
	char url[256];
	int r = image_sha512_url(image, url, sizeof(url));
	CHECK(r == 0, "%s: %d", image, r);
	CHECK_STR(url, want);
}

/* The .sha512 list beside the image. */
static void test_sha512_url(void)
{
	want_sha("http://10.0.2.2:8080/arch/x86_64/airootfs.sfs", "http://10.0.2.2:8080/arch/x86_64/airootfs.sha512");
	want_sha("http://h/a.sfs?x=1", "http://h/a.sha512?x=1");
	want_sha("http://h/a.sfs#frag", "http://h/a.sha512");
	want_sha("http://h/a.sfs?v=1.2", "http://h/a.sha512?v=1.2");
	want_sha("http://h/a.sfs?v=1#frag.x", "http://h/a.sha512?v=1");
	want_sha("http://h/a.sfs#frag?v=1", "http://h/a.sha512");
	want_sha("http://h/rootfs", "http://h/rootfs.sha512");
	want_sha("http://h/rootfs?x=1", "http://h/rootfs.sha512?x=1");
	want_sha("arch/x86_64/airootfs.sfs?v=1", "arch/x86_64/airootfs.sha512?v=1");
	want_sha("http://h/v1.2/rootfs", "http://h/v1.2/rootfs.sha512");
	want_sha("http://h/img.tar.gz", "http://h/img.tar.sha512");

	char url[32];
	memset(url, '#', sizeof(url));
	CHECK(image_sha512_url("http://h/airootfs.sfs", url, 20) == -ENAMETOOLONG, "too long");
	CHECK(url[20] == '#', "nothing past cap");
	CHECK(image_sha512_url("http://h/a.sfs", url, 18) == 0, "exact fit");
	CHECK_STR(url, "http://h/a.sha512");
	CHECK(image_sha512_url("http://h/a.sfs", url, 17) == -ENAMETOOLONG, "one short");
}

/* Assert the companion URL of IMAGE with SUFFIX is WANT. */
static void want_comp(const char *image, const char *suffix, const char *want)
{
	char url[256];
	int r = image_companion_url(image, suffix, url, sizeof(url));
	CHECK(r == 0, "%s + %s: %d", image, suffix ? suffix : "(sha512)", r);
	CHECK_STR(url, want);
}

/* Signatures are named on the path: the query stays after them, a fragment goes. */
static void test_companion_url(void)
{
	want_comp("http://h/arch/x86_64/airootfs.sfs", ".sig", "http://h/arch/x86_64/airootfs.sfs.sig");
	want_comp("http://h/arch/x86_64/airootfs.sfs?v=1", ".sig", "http://h/arch/x86_64/airootfs.sfs.sig?v=1");
	want_comp("http://h/arch/x86_64/airootfs.sfs?v=1", ".cms.sig", "http://h/arch/x86_64/airootfs.sfs.cms.sig?v=1");
	want_comp("http://h/arch/x86_64/airootfs.sfs?v=1", NULL, "http://h/arch/x86_64/airootfs.sha512?v=1");
	want_comp("http://h/a.sfs#part", ".sig", "http://h/a.sfs.sig");
	want_comp("http://h/a.sfs?v=1&w=a/b#part", ".sig", "http://h/a.sfs.sig?v=1&w=a/b");
	want_comp("http://h/a.sfs#part?v=1", ".cms.sig", "http://h/a.sfs.cms.sig");
	want_comp("airootfs.sfs?token=x.y", ".sig", "airootfs.sfs.sig?token=x.y");

	char url[32];
	memset(url, '#', sizeof(url));
	CHECK(image_companion_url("http://h/a.sfs?v=1", ".sig", url, 22) == -ENAMETOOLONG, "too long");
	CHECK(url[22] == '#', "nothing past cap");
	CHECK(image_companion_url("http://h/a.sfs?v=1", ".sig", url, 23) == 0, "exact fit");
	CHECK_STR(url, "http://h/a.sfs.sig?v=1");
}

/* The sha512 list is searched for the file name of the path, without the query. */
static void test_sha512_name(void)
{
	static const char list[] = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
				   "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e  airootfs.sfs\n";
	struct trust t = {.sha512 = true};
	struct check *c = NULL;
	int r = sha512_check_new("http://h/arch/x86_64/airootfs.sfs?v=1#x", "http://h/arch/x86_64/airootfs.sha512?v=1",
				 (const uint8_t *)list, sizeof(list) - 1, &t, &c);
	CHECK(r == 0 && c, "the list's line for airootfs.sfs found: %d", r);
	if (c)
		c->release(c);
}

/* Assert the file name of URL is WANT. */
static void want_base(const char *url, const char *want)
{
	char name[64];
	int r = url_basename(url, name, sizeof(name));
	CHECK(r == 0, "%s: %d", url, r);
	CHECK_STR(name, want);
}

/* The file name at the end of a URL. */
static void test_basename(void)
{
	want_base("http://h/arch/x86_64/airootfs.sfs", "airootfs.sfs");
	want_base("http://h/a.sfs?x=1/y", "a.sfs");
	want_base("http://h/a.sfs#part/2", "a.sfs");
	want_base("http://h/a.sfs?x#y", "a.sfs");
	want_base("rootfs.img", "rootfs.img");

	char name[16];
	memset(name, '#', sizeof(name));
	CHECK(url_basename("http://h/dir/", name, sizeof(name)) == -EINVAL, "trailing slash");
	CHECK(url_basename("http://h/dir/?x=1", name, sizeof(name)) == -EINVAL, "trailing slash, query");
	CHECK(url_basename("", name, sizeof(name)) == -EINVAL, "empty");
	CHECK(url_basename("http://h/airootfs.sfs", name, 12) == -EINVAL, "cap 12 for 12 chars");
	CHECK(name[0] == '#', "nothing written on error");
	CHECK(url_basename("http://h/airootfs.sfs", name, 13) == 0, "cap 13");
	CHECK_STR(name, "airootfs.sfs");
	CHECK(url_basename("http://h/a", name, 0) == -EINVAL, "cap 0");
}

/* Run every test; the exit status says whether all passed. */
int main(void)
{
	test_archiso();
	test_live();
	test_chunked();
	test_no_server();
	test_too_long();
	test_plan_by_hand();
	test_sha512_url();
	test_basename();
	test_companion_url();
	test_sha512_name();
	return check_done("http_url_test");
}
