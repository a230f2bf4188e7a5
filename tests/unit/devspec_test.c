/* devspec_test.c - the device a command line names: tags, udev links, nodes, refusals, matching. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "source/devspec.h"

/* S parses as KIND with VALUE. */
static void parses(const char *s, enum devspec_kind kind, const char *value)
{
	struct devspec d;
	int r = devspec_parse(s, &d);
	CHECK(r == 0 && d.kind == kind, "%s: r=%d kind=%d", s, r, (int)d.kind);
	if (r == 0)
		CHECK_STR(d.value, value);
}

/* Every form, and the escapes of udev's link names. */
static void test_parse(void)
{
	parses("LABEL=ARCH_202611", DEV_LABEL, "ARCH_202611");
	parses("CDLABEL=Fedora-WS-Live", DEV_LABEL, "Fedora-WS-Live");
	parses("UUID=2026-11-30-05-00-00-00", DEV_UUID, "2026-11-30-05-00-00-00");
	parses("PARTUUID=0fc63daf-8483-4772-8e79-3d69d8477de4", DEV_PARTUUID, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	parses("PARTLABEL=live", DEV_PARTLABEL, "live");
	parses("/dev/disk/by-label/ARCH\\x20LIVE", DEV_LABEL, "ARCH LIVE");
	parses("/dev/disk/by-label/a\\x2fb", DEV_LABEL, "a/b");
	parses("/dev/disk/by-label/bad\\xZZ", DEV_LABEL, "bad\\xZZ");
	parses("/dev/disk/by-uuid/1234-ABCD", DEV_UUID, "1234-ABCD");
	parses("/dev/disk/by-partuuid/abcd-01", DEV_PARTUUID, "abcd-01");
	parses("/dev/disk/by-partlabel/ESP", DEV_PARTLABEL, "ESP");
	parses("/dev/sr0", DEV_PATH, "/dev/sr0");
	parses("/dev/mtdblock0", DEV_PATH, "/dev/mtdblock0");
	parses("LABEL=with space", DEV_LABEL, "with space");
	char long_label[300];
	memset(long_label, 'x', sizeof(long_label) - 1);
	long_label[sizeof(long_label) - 1] = '\0';
	memcpy(long_label, "LABEL=", 6);
	const char *bad[] = {"", "LABEL=", "UUID=", "/dev/", "sr0", "ftp://x", "/srv/live.iso", "/dev/../etc/passwd",
			     "/dev/disk/by-label/", "/dev/disk/by-label/\\x00", "label=lower", long_label};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct devspec d;
		CHECK(devspec_parse(bad[i], &d) == -EINVAL, "refused: \"%.40s\"", bad[i]);
	}
}

/* Matching probed devices. */
static void test_match(void)
{
	struct devinfo cd = {.dev = "/dev/sr0", .type = "iso9660", .label = "ARCH_202611", .uuid = "2026-11-30-05-00-00-00", .removable = true};
	struct devinfo part = {.dev = "/dev/vda1", .type = "vfat", .label = "ESP", .uuid = "1234-ABCD",
			       .partuuid = "0fc63daf-8483-4772-8e79-3d69d8477de4", .partlabel = "live"};
	struct devinfo empty = {.dev = "/dev/sr1"};
	struct devspec s;
	devspec_parse("LABEL=ARCH_202611", &s);
	CHECK(devspec_match(&s, &cd) && !devspec_match(&s, &part) && !devspec_match(&s, &empty), "by label");
	devspec_parse("UUID=1234-abcd", &s);
	CHECK(devspec_match(&s, &part) && !devspec_match(&s, &cd), "by UUID, any case");
	devspec_parse("PARTUUID=0FC63DAF-8483-4772-8E79-3D69D8477DE4", &s);
	CHECK(devspec_match(&s, &part), "by PARTUUID, any case");
	devspec_parse("PARTLABEL=live", &s);
	CHECK(devspec_match(&s, &part) && !devspec_match(&s, &cd), "by PARTLABEL");
	devspec_parse("/dev/sr1", &s);
	CHECK(devspec_match(&s, &empty) && !devspec_match(&s, &cd), "by node, even without a filesystem");
	struct devinfo nolabel = {.dev = "/dev/vdb", .label = "", .type = ""};
	devspec_parse("LABEL=x", &s);
	CHECK(!devspec_match(&s, &nolabel), "no filesystem: no label match");
	char buf[300];
	CHECK_STR(devspec_str(&s, buf, sizeof(buf)), "LABEL=x");
	devspec_parse("/dev/disk/by-uuid/u", &s);
	CHECK_STR(devspec_str(&s, buf, sizeof(buf)), "UUID=u");
}

int main(void)
{
	test_parse();
	test_match();
	return check_done("devspec_test");
}
