/* cmdline_test.c - the tokenizer against the kernel's rules, and the option table. */
#include <errno.h>

#include "check.h"
#include "cmdline.h"
#include "log.h"
#include "plan.h"
#include "source/http.h"
#include "source/sources.h"
#include "source/local.h"
#include "source/memdisk.h"
#include "source/nfs.h"

/* Parse TEXT, assert success. */
static void parse(const char *text, struct cmdline *cl)
{
	int r = cmdline_parse(text, cl);
	CHECK(r == 0, "parse \"%s\" = %d", text, r);
}

/* Spaces, tabs, newline at the end, bare words. */
static void test_basic(void)
{
	struct cmdline cl;
	parse("  console=ttyS0\tquiet ip=dhcp\n", &cl);
	CHECK(cl.nwords == 3, "nwords %zu", cl.nwords);
	CHECK_STR(cmdline_get(&cl, "console"), "ttyS0");
	CHECK_STR(cmdline_get(&cl, "quiet"), "");
	CHECK_STR(cmdline_get(&cl, "ip"), "dhcp");
	CHECK(cmdline_get(&cl, "absent") == NULL, "absent");
	CHECK(cmdline_has(&cl, "quiet") && !cmdline_has(&cl, "qu"), "has");
	cmdline_free(&cl);
}

/* Double quotes as next_arg() treats them. */
static void test_quotes(void)
{
	struct cmdline cl;
	parse("a=\"x y\" \"b=c d\" e=\"f\"g h=\"\" \"i j\" k=a\"b c\"", &cl);
	CHECK_STR(cmdline_get(&cl, "a"), "x y");
	CHECK_STR(cmdline_get(&cl, "b"), "c d");
	CHECK_STR(cmdline_get(&cl, "e"), "f\"g"); /* only a final quote is removed */
	CHECK_STR(cmdline_get(&cl, "h"), "");
	CHECK_STR(cmdline_get(&cl, "i j"), "");
	CHECK_STR(cmdline_get(&cl, "k"), "a\"b c\""); /* quote in the middle: kept, and protects the space */
	cmdline_free(&cl);
	parse("x=\"unterminated value", &cl);
	CHECK_STR(cmdline_get(&cl, "x"), "unterminated value");
	cmdline_free(&cl);
}

/* Last occurrence wins; repeatable keys keep all; '=' inside values. */
static void test_last_wins(void)
{
	struct cmdline cl;
	const char *all[4];
	parse("ip=dhcp m=1 ip=off m=2 url=http://h/?a=b m", &cl);
	CHECK_STR(cmdline_get(&cl, "ip"), "off");
	CHECK_STR(cmdline_get(&cl, "url"), "http://h/?a=b");
	CHECK(cmdline_get_all(&cl, "m", all, 4) == 2, "two values");
	CHECK_STR(all[0], "1");
	CHECK_STR(all[1], "2");
	CHECK_STR(cmdline_get(&cl, "m"), ""); /* the bare one is last */
	cmdline_free(&cl);
}

/* Everything after a lone "--" belongs to init, even words that look like options. */
static void test_dashes(void)
{
	struct cmdline cl;
	parse("root=live:http://x/a.sfs -- single init=/bin/sh \"two words\"", &cl);
	CHECK(cl.nwords == 1, "kernel words %zu", cl.nwords);
	CHECK(cl.ninit == 3, "init words %zu", cl.ninit);
	CHECK_STR(cl.init_args[0], "single");
	CHECK_STR(cl.init_args[1], "init=/bin/sh");
	CHECK_STR(cl.init_args[2], "two words");
	CHECK(cmdline_get(&cl, "init") == NULL, "init= after -- is not ours");
	cmdline_free(&cl);
	parse("x -- a=\"b c\" d=\"\" e=\"f\" g=h\"", &cl);
	CHECK(cl.ninit == 4, "init words %zu", cl.ninit);
	CHECK_STR(cl.init_args[0], "a=b c"); /* quotes dropped as the kernel's repair_env_string does */
	CHECK_STR(cl.init_args[1], "d=");
	CHECK_STR(cl.init_args[2], "e=f");
	CHECK_STR(cl.init_args[3], "g=h\"");
	cmdline_free(&cl);
		parse("a=-- --x", &cl);
	CHECK(cl.nwords == 2 && cl.ninit == 0, "-- only as a whole word");
	cmdline_free(&cl);
}

/* Empty and all-space lines. */
static void test_empty(void)
{
	struct cmdline cl;
	parse("", &cl);
	CHECK(cl.nwords == 0 && cl.ninit == 0, "empty");
	cmdline_free(&cl);
	parse("   \n", &cl);
	CHECK(cl.nwords == 0, "spaces");
	cmdline_free(&cl);
}

/* Build a plan from TEXT; return plan_from_cmdline's result. */
static int plan_of(const char *text, struct plan *p, struct cmdline *cl)
{
	parse(text, cl);
	return plan_from_cmdline(cl, p);
}

/* Options -> plan: defaults, archiso names, dracut names, refusals that quote the value. */
static void test_plan(void)
{
	struct cmdline cl;
	struct plan p;
	CHECK(plan_of("archiso_http_srv=http://${pxeserver}/ checksum", &p, &cl) == 0, "archiso");
	CHECK(p.source == &http_source && p.net == NET_UP && p.trust.sha512 && !p.trust.cms && !p.trust.gpg, "archiso plan");
	CHECK_STR(p.trust.cms_cert, "/etc/pxeroot/codesign.crt");
	CHECK_STR(p.trust.gpg_keyring, "/etc/pxeroot/keyring.gpg");
	CHECK_STR(p.layout.basedir, "arch");
	CHECK_STR(http_opts(&p.src_opts)->spc, "75%");
	CHECK_STR(p.mount.cow_size, "256M");
	CHECK(p.onerror == ONERR_RETRY && p.retries == 3, "default policy");
	cmdline_free(&cl);

	CHECK(plan_of("root=live:https://h/x.sfs rd.live.overlay.size=1G checksum=n pxeroot.onerror=reboot pxeroot.retries=0", &p, &cl) == 0, "dracut");
	CHECK_STR(http_opts(&p.src_opts)->live_url, "https://h/x.sfs");
	CHECK_STR(p.mount.cow_size, "1G");
	CHECK(!p.trust.sha512 && p.onerror == ONERR_REBOOT && p.retries == 0, "dracut plan");
	cmdline_free(&cl);
	CHECK(plan_of("root=live:https://h/x.sfs rd.live.overlay.size=512", &p, &cl) == 0, "dracut's MiB");
	CHECK_STR(p.mount.cow_size, "512M");
	cmdline_free(&cl);
	CHECK(plan_of("root=live:https://h/x.sfs rd.live.overlay.size=lots", &p, &cl) == -EINVAL, "rd.live.overlay.size=lots refused");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=ftp://h/", &p, &cl) == -EINVAL, "archiso_http_srv=ftp:// refused at once");
	CHECK(plan_of("archiso_http_srv=http:///", &p, &cl) == -EINVAL, "a URL with no host (a loader's variable expanded to nothing) refused at once");
	CHECK(plan_of("root=live:https:///arch/airootfs.sfs", &p, &cl) == -EINVAL, "root=live: with no host refused");
	CHECK(plan_of("archiso_http_srv=http://h/ pxeroot.mirror=http://:80/", &p, &cl) == -EINVAL, "a mirror with no host refused");
	cmdline_free(&cl);

	CHECK(plan_of("archiso_http_srv=https://h/ cms_verify=y verify pxeroot.ca=/etc/pxeroot/ca.pem", &p, &cl) == 0, "trust");
	CHECK(p.trust.cms && p.trust.gpg && !p.trust.sha512, "cms and gpg requested");
	CHECK_STR(p.fetch.ca, "/etc/pxeroot/ca.pem");
	cmdline_free(&cl);

	CHECK(plan_of("root=/dev/sda1", &p, &cl) == 0 && p.source == NULL && p.net == NET_NONE, "no source");
	cmdline_free(&cl);

	const char *bad[] = {
		"archiso_http_srv=http://h/ ip=off",
		"archiso_http_srv=http://h/ ip=banana",
		"archiso_http_srv=http://h/ cow_spacesize=lots",
		"archiso_http_srv=http://h/ archiso_http_spc=10%%",
		"archiso_http_srv=http://h/ pxeroot.onerror=explode",
		"archiso_http_srv=http://h/ pxeroot.retries=-1",
		"archiso_http_srv=http://h/ pxeroot.dhcp_timeout=9x",
		"archiso_http_srv=http://h/ init=sbin/init",
		"root=live:ftp://h/x.sfs",
		"archiso_http_srv=",
		"archiso_http_srv=https://h/ pxeroot.ca=ca.pem",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL, "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
}

/* The NFS source claims the kernel's and dracut's forms, checks them, and leaves the rest. */
static void test_nfs(void)
{
	struct cmdline cl;
	struct plan p;
	const struct nfs_opts *o = (const struct nfs_opts *)p.src_opts.b;
	CHECK(plan_of("root=/dev/nfs nfsroot=10.0.2.2:/srv/root,vers=3 ip=dhcp", &p, &cl) == 0 && p.source == &nfs_source &&
		      p.net == NET_UP && o->form == NFS_KERNEL && !o->overlay && o->timeout_s == 60,
	      "kernel form");
	CHECK_STR(o->value, "10.0.2.2:/srv/root,vers=3");
	cmdline_free(&cl);
	CHECK(plan_of("root=/dev/nfs", &p, &cl) == 0 && p.source == &nfs_source && !o->value && p.net == NET_UP, "kernel form, path from DHCP");
	cmdline_free(&cl);
	CHECK(plan_of("root=nfs4:10.0.2.2:/export pxeroot.overlay=1 pxeroot.nfs_timeout=5", &p, &cl) == 0 && o->form == NFS_DRACUT &&
		      o->overlay && o->timeout_s == 5,
	      "dracut nfs4: with the overlay");
	cmdline_free(&cl);
	CHECK(plan_of("root=nfs://srv/export rd.live.overlay.overlayfs=1", &p, &cl) == 0 && o->form == NFS_DRACUT && o->overlay, "nfs:// and dracut's overlay word");
	cmdline_free(&cl);
	CHECK(plan_of("root=dhcp", &p, &cl) == 0 && p.source == &nfs_source && o->form == NFS_DHCP, "root=dhcp");
	cmdline_free(&cl);
	CHECK(plan_of("root=/dev/sda1 nfsroot=10.0.2.2:/x", &p, &cl) == 0 && p.source == NULL, "nfsroot= alone is not a root");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_nfs_srv=${pxeserver}:/srv/archiso archiso_nfs_opt=vers=3", &p, &cl) == 0 && p.source == &nfs_source &&
		      o->form == NFS_ARCHISO && o->copytoram && !strcmp(o->ram_size, "75%"),
	      "archiso over NFS, copied by default");
	CHECK_STR(o->archiso_opt, "vers=3");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_nfs_srv=10.0.2.2:/srv copytoram=n", &p, &cl) == 0 && !o->copytoram, "copytoram=n");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_nfs_srv=10.0.2.2:/srv copytoram=auto copytoram_size=2G", &p, &cl) == 0 && o->copytoram &&
		      !strcmp(o->ram_size, "2G"),
	      "copytoram=auto copies; copytoram_size=");
	cmdline_free(&cl);
	const char *bad[] = {
		"root=/dev/nfs nfsroot=10.0.2.2:relative",
		"root=/dev/nfs nfsroot=\"/a b\"",
		"root=nfs:server",
		"root=nfs:bad_name:/x",
		"root=nfs4:10.0.2.2:/export pxeroot.overlay=maybe",
		"root=nfs:10.0.2.2:/x pxeroot.nfs_timeout=0",
		"root=nfs:10.0.2.2:/x pxeroot.nfs_timeout=9x",
		"root=nfs:10.0.2.2:/x ip=off",
		"archiso_nfs_srv=10.0.2.2:srv",
		"archiso_nfs_srv=10.0.2.2:/srv archiso_nfs_opt=\"a b\"",
		"archiso_nfs_srv=10.0.2.2:/srv copytoram=maybe",
		"archiso_nfs_srv=10.0.2.2:/srv copytoram_size=lots",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL, "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
}

/* The MEMDISK source: pxeroot.memdisk or the bare word memdisk; no network needed. */
static void test_memdisk(void)
{
	struct cmdline cl;
	struct plan p;
	const struct memdisk_opts *o = (const struct memdisk_opts *)p.src_opts.b;
	CHECK(plan_of("pxeroot.memdisk checksum=y", &p, &cl) == 0 && p.source == &memdisk_source && p.net == NET_NONE &&
		      !o->copytoram && !strcmp(o->ram_size, "75%"),
	      "pxeroot.memdisk: in place, no network");
	cmdline_free(&cl);
	CHECK(plan_of("memdisk copytoram=y copytoram_size=1G", &p, &cl) == 0 && p.source == &memdisk_source && o->copytoram &&
		      !strcmp(o->ram_size, "1G"),
	      "the bare word memdisk, copytoram=y");
	cmdline_free(&cl);
	CHECK(plan_of("pxeroot.memdisk=0", &p, &cl) == 0 && p.source == NULL, "pxeroot.memdisk=0: not asked");
	cmdline_free(&cl);
	const char *bad[] = {"pxeroot.memdisk=maybe", "pxeroot.memdisk copytoram=perhaps", "memdisk copytoram_size=lots"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL, "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
}

/* Local media: archiso's device options in archiso's order of precedence, dracut's root=live:
 * devices, rootdelay=, copytoram= (auto by default); no network. */
static void test_local(void)
{
	struct cmdline cl;
	struct plan p;
	const struct local_opts *o = (const struct local_opts *)p.src_opts.b;
	CHECK(plan_of("archisolabel=ARCH_202611 archisobasedir=arch", &p, &cl) == 0 && p.source == &local_source && p.net == NET_NONE &&
		      o->has_dev && o->dev.kind == DEV_LABEL && !strcmp(o->dev.value, "ARCH_202611") && !o->search &&
		      o->copytoram == COPY_AUTO && o->wait_s == 30 && !strcmp(o->option, "archisolabel="),
	      "archisolabel=: by label, auto, 30 s");
	cmdline_free(&cl);
	CHECK(plan_of("archisolabel=A archisodevice=/dev/sr1 rootdelay=5 copytoram=n", &p, &cl) == 0 && o->dev.kind == DEV_PATH &&
		      !strcmp(o->dev.value, "/dev/sr1") && o->wait_s == 5 && o->copytoram == COPY_N,
	      "archisodevice= wins over archisolabel=");
	cmdline_free(&cl);
	CHECK(plan_of("archisodevice=/dev/sr1 archisosearchuuid=2026-11-30-05-00-00-00", &p, &cl) == 0 && o->dev.kind == DEV_UUID &&
		      !strcmp(o->dev.value, "2026-11-30-05-00-00-00") && o->search && !strcmp(o->search, "/boot/2026-11-30-05-00-00-00.uuid"),
	      "archisosearchuuid= wins, with its default file");
	cmdline_free(&cl);
	CHECK(plan_of("archisosearchuuid=U archisosearchfilename=/x/marker", &p, &cl) == 0 && !strcmp(o->search, "/x/marker"),
	      "archisosearchfilename= names the file");
	cmdline_free(&cl);
	CHECK(plan_of("archisosearchfilename=/boot/m", &p, &cl) == 0 && p.source == &local_source && !o->has_dev &&
		      !strcmp(o->search, "/boot/m"),
	      "archisosearchfilename= alone: a search");
	cmdline_free(&cl);
	CHECK(plan_of("root=live:CDLABEL=Fedora-Live copytoram=y", &p, &cl) == 0 && p.source == &local_source &&
		      o->dev.kind == DEV_LABEL && !strcmp(o->dev.value, "Fedora-Live") && o->copytoram == COPY_Y,
	      "root=live:CDLABEL=");
	cmdline_free(&cl);
	CHECK(plan_of("root=live:/dev/disk/by-uuid/1234-ABCD", &p, &cl) == 0 && o->dev.kind == DEV_UUID, "root=live:/dev/disk/by-uuid/");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=http://h/ archisolabel=X", &p, &cl) == 0 && p.source == &http_source,
	      "archiso_http_srv= wins over archisolabel= (archiso's PXE hooks do)");
	cmdline_free(&cl);
	CHECK(plan_of("pxeroot.memdisk archisolabel=X", &p, &cl) == 0 && p.source == &memdisk_source, "pxeroot.memdisk wins");
	cmdline_free(&cl);
	CHECK(plan_of("root=/dev/sda1", &p, &cl) == 0 && p.source == NULL, "a plain root= is not ours");
	cmdline_free(&cl);
	CHECK(plan_of("archisolabel= archisodevice=", &p, &cl) == 0 && p.source == NULL, "empty values are unset, as archiso reads them");
	cmdline_free(&cl);
	const char *bad[] = {"root=live:garbage", "archisodevice=sr0", "archisolabel=X rootdelay=soon",
			     "archisosearchfilename=/a/../b", "archisolabel=X copytoram=perhaps", "root=live:/srv/x.iso"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL, "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
}

/* The rule every source passes through: a requested check the chosen source cannot make on
 * exactly the bytes it hands over refuses the plan, with one line naming the options and the
 * source; every source of the table declares what it can check. */
static void test_checks_rule(void)
{
	struct cmdline cl;
	struct plan p;
	static const struct {
		const char *line;
		const char *words; /* in the refusal line; NULL: accepted */
	} cases[] = {
		{"root=nfs:10.0.2.2:/srv/root checksum=y", "cmdline checksum=y: the nfs source"},
		{"root=/dev/nfs nfsroot=10.0.2.2:/srv/root verify=y cms_verify=y", "cmdline verify=y cms_verify=y: the nfs source"},
		{"root=dhcp checksum", "an NFS export is the root as it is"},
		{"root=nfs4:10.0.2.2:/export pxeroot.overlay=1 cms_verify=y", "the nfs source"},
		{"root=nfs:10.0.2.2:/srv/root checksum=n verify=0", NULL},
		{"archiso_nfs_srv=10.0.2.2:/srv checksum=y verify=y cms_verify=y", NULL},
		{"archiso_nfs_srv=10.0.2.2:/srv copytoram=auto checksum=y", NULL},
		{"archiso_nfs_srv=10.0.2.2:/srv copytoram=n checksum=y", "with copytoram=n the image would be read from the share again"},
		{"archiso_nfs_srv=10.0.2.2:/srv copytoram=n", NULL},
		{"archisolabel=X copytoram=n verify=y", "cmdline verify=y: the local source"},
		{"root=live:CDLABEL=X copytoram=n checksum=y", "read from the medium again"},
		{"archisolabel=X checksum=y", NULL},
		{"archisolabel=X copytoram=n", NULL},
		{"pxeroot.memdisk copytoram=n checksum=y verify=y", NULL},
		{"archiso_http_srv=http://h/ checksum=y verify=y cms_verify=y", NULL},
		{"root=live:http://h/x.sfs checksum=y", NULL},
	};
	for (const struct source *const *s = sources; *s; s++)
		CHECK((*s)->unchecked != NULL, "the %s source declares what it can check", (*s)->name);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = plan_of(cases[i].line, &p, &cl);
		if (cases[i].words)
			CHECK(r == -EINVAL && strstr(log_last_error(), cases[i].words), "refused at claim: %s (%s)", cases[i].line, log_last_error());
		else
			CHECK(r == 0 && p.source, "accepted: %s", cases[i].line);
		cmdline_free(&cl);
	}
}

/* archiso's copytoram=auto rule: under 4 GiB, and MemAvailable above the size plus 2 GiB. */
static void test_copy_auto(void)
{
	const uint64_t mib = 1024 * 1024, gib_kb = 1024 * 1024;
	CHECK(copytoram_auto(800 * mib, 2 * gib_kb + 800 * 1024 + 1), "800 MiB, 1 KiB more than 2 GiB to spare: copied");
	CHECK(!copytoram_auto(800 * mib, 2 * gib_kb + 800 * 1024), "exactly 2 GiB to spare: not (archiso's -gt)");
	CHECK(!copytoram_auto(4096 * mib, 64 * gib_kb), "4 GiB: never");
	CHECK(copytoram_auto(4096 * mib - 1024, 64 * gib_kb), "1 KiB under 4 GiB: copied");
	CHECK(copytoram_auto(1, 2 * gib_kb + 2), "a 1-byte image counts as 1 KiB, as du -k does");
	CHECK(!copytoram_auto(1, 2 * gib_kb + 1), "...so 2 GiB + 1 KiB is not enough");
}

/* script=, pxeroot.script_sha512=, pxeroot.script_required=: the forms, the network they need,
 * the refusals. */
static void test_hook(void)
{
	struct cmdline cl;
	struct plan p;
	const char *pin = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
			  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
	CHECK(plan_of("archisolabel=X script=http://10.0.2.2/hook.sh", &p, &cl) == 0 && p.hook.url && p.net == NET_UP &&
		      !p.hook.pinned && !p.hook.required,
	      "an http script: the network comes up even for a local medium");
	cmdline_free(&cl);
	CHECK(plan_of("archisolabel=X script=/root/install.sh", &p, &cl) == 0 && !p.hook.url && p.net == NET_NONE &&
		      !strcmp(p.hook.script, "/root/install.sh"),
	      "a path in the new root: no network");
	cmdline_free(&cl);
	char line[400];
	snprintf(line, sizeof(line), "archiso_http_srv=http://h/ script=tftp://h/s.sh pxeroot.script_sha512=%s pxeroot.script_required=1", pin);
	CHECK(plan_of(line, &p, &cl) == 0 && p.hook.url && p.hook.pinned && p.hook.required && p.hook.sha512[0] == 0xcf &&
		      p.hook.sha512[63] == 0x3e,
	      "tftp, pinned, required");
	cmdline_free(&cl);
	CHECK(plan_of("archisolabel=X script=", &p, &cl) == 0 && !p.hook.script, "an empty script= is none, as archiso reads it");
	cmdline_free(&cl);
	const char *bad[] = {"archisolabel=X script=ftp://h/s.sh", "archisolabel=X script=relative.sh", "archisolabel=X script=/a/../b",
			     "archisolabel=X script=http://h/s ip=off", "archisolabel=X pxeroot.script_sha512=00",
			     "archisolabel=X script=/s pxeroot.script_sha512=xyz", "archisolabel=X pxeroot.script_required=1",
			     "archisolabel=X script=/s pxeroot.script_required=maybe"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL, "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
}

/* ro / rw: bare words only, the later one wins, default ro. */
static void test_rw(void)
{
	struct cmdline cl;
	struct plan p;
	const char *rw[] = {"root=live:http://h/r.ext4 rw", "ro root=live:http://h/r.ext4 rw", "rw=0 rw"};
	const char *ro[] = {"root=live:http://h/r.ext4", "rw root=live:http://h/r.ext4 ro", "rw=1", "ro rw=1", "x -- rw"};
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		CHECK(plan_of(rw[i], &p, &cl) == 0 && p.mount.rw, "rw: %s", rw[i]);
		cmdline_free(&cl);
	}
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		CHECK(plan_of(ro[i], &p, &cl) == 0 && !p.mount.rw, "ro: %s", ro[i]);
		cmdline_free(&cl);
	}
	parse("ro a rw b ro=x", &cl);
	CHECK(cmdline_flag_pos(&cl, "rw") == 2 && cmdline_flag_pos(&cl, "ro") == 0 && cmdline_flag_pos(&cl, "b") == 3, "flag positions");
	CHECK(cmdline_flag_pos(&cl, "c") == -1, "absent flag");
	cmdline_free(&cl);
}

/* Transfer options: defaults, mirrors in order, proxy, timeouts; refusals. */
static void test_fetch(void)
{
	struct cmdline cl;
	struct plan p;
	CHECK(plan_of("archiso_http_srv=http://h/", &p, &cl) == 0, "defaults");
	CHECK(http_opts(&p.src_opts)->nmirrors == 0 && !p.fetch.proxy && p.fetch.connect_s == 15 && p.fetch.stall_s == 30 &&
	      p.fetch.attempts == 5 && p.fetch.deadline_s == 0, "transfer defaults");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=http://a/ pxeroot.mirror=http://b/ pxeroot.mirror=https://${pxeserver}/c proxy=http://p:3128 "
		      "pxeroot.stall_timeout=3 pxeroot.connect_timeout=2 pxeroot.timeout=600 pxeroot.fetch_retries=9", &p, &cl) == 0, "set");
	CHECK(http_opts(&p.src_opts)->nmirrors == 2, "two mirrors");
	CHECK_STR(http_opts(&p.src_opts)->mirrors[0], "http://b/");
	CHECK_STR(http_opts(&p.src_opts)->mirrors[1], "https://${pxeserver}/c");
	CHECK_STR(p.fetch.proxy, "http://p:3128");
	CHECK(p.fetch.stall_s == 3 && p.fetch.connect_s == 2 && p.fetch.deadline_s == 600 && p.fetch.attempts == 9, "numbers");
	cmdline_free(&cl);
	const char *bad[] = {
		"archiso_http_srv=http://h/ pxeroot.mirror=ftp://m/",
		"archiso_http_srv=http://h/ pxeroot.stall_timeout=0",
		"archiso_http_srv=http://h/ pxeroot.fetch_retries=0",
		"archiso_http_srv=http://h/ pxeroot.timeout=1h",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL, "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
	CHECK(plan_of("archiso_http_srv=http://h/ pxeroot.mirror=http://1/ pxeroot.mirror=http://2/ pxeroot.mirror=http://3/ "
		      "pxeroot.mirror=http://4/ pxeroot.mirror=http://5/ pxeroot.mirror=http://6/ pxeroot.mirror=http://7/ "
		      "pxeroot.mirror=http://8/", &p, &cl) == -E2BIG, "more than 7 mirrors refused");
	cmdline_free(&cl);
}

/* The boot report: none by default or when empty, the URL kept as given (${pxeserver} replaced
 * when it is sent), the timeout; a malformed URL or timeout refused at claim time, and read even
 * when a later option refuses the plan (a refused command line is reported). */
static void test_report(void)
{
	struct cmdline cl;
	struct plan p;
	CHECK(plan_of("archiso_http_srv=http://h/", &p, &cl) == 0 && !p.report.url && p.report.timeout_s == 5, "no report, timeout 5");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=http://h/ pxeroot.report=", &p, &cl) == 0 && !p.report.url, "empty: no report");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=http://h/ pxeroot.report=https://${pxeserver}:8443/r?n=1 pxeroot.report_timeout=2", &p, &cl) == 0,
	      "report set");
	CHECK_STR(p.report.url, "https://${pxeserver}:8443/r?n=1");
	CHECK(p.report.timeout_s == 2, "timeout 2");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=ftp://h/ pxeroot.report=http://r/", &p, &cl) == -EINVAL && p.report.url, "read before a refusal");
	cmdline_free(&cl);
	const char *bad[] = {
		"archiso_http_srv=http://h/ pxeroot.report=ftp://r/",
		"archiso_http_srv=http://h/ pxeroot.report=http:///r",
		"archiso_http_srv=http://h/ pxeroot.report=r:80/x",
		"archiso_http_srv=http://h/ \"pxeroot.report=http://r/a b\"",
		"archiso_http_srv=http://h/ pxeroot.report=http://r/\x01",
		"archiso_http_srv=http://h/ pxeroot.report=http://r/ pxeroot.report_timeout=0",
		"archiso_http_srv=http://h/ pxeroot.report=http://r/ pxeroot.report_timeout=601",
		"archiso_http_srv=http://h/ pxeroot.report_timeout=5s",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL && strstr(log_last_error(), "pxeroot.report"), "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
}

/* Chunked images: what makes one, its stores, lazy and cache; what is refused with it. */
static void test_chunks(void)
{
	struct cmdline cl;
	struct plan p;
	const struct http_opts *o;
	CHECK(plan_of("root=live:http://h/root.caibx", &p, &cl) == 0, "a live index");
	o = http_opts(&p.src_opts);
	CHECK(o->chunks && o->lazy == LAZY_AUTO && o->nstores == 0, "chunked, lazy when it does not fit");
	CHECK_STR(o->cache, "25%");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=http://h/ pxeroot.chunks=1 pxeroot.store=http://s1/ pxeroot.store=https://${pxeserver}/s2 "
		      "pxeroot.lazy=1 pxeroot.cache=512M", &p, &cl) == 0, "archiso's index, two stores");
	o = http_opts(&p.src_opts);
	CHECK(o->chunks && o->lazy == LAZY_YES && o->nstores == 2, "chunked, lazy, two stores");
	CHECK_STR(o->stores[1], "https://${pxeserver}/s2");
	CHECK_STR(o->cache, "512M");
	cmdline_free(&cl);
	CHECK(plan_of("root=live:http://h/root.caibx pxeroot.lazy=0", &p, &cl) == 0 && http_opts(&p.src_opts)->lazy == LAZY_NO, "whole");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=http://h/", &p, &cl) == 0 && !http_opts(&p.src_opts)->chunks, "an image file by default");
	cmdline_free(&cl);
	const char *bad[] = {
		"archiso_http_srv=http://h/ pxeroot.store=http://s/",   /* a store, no chunked image */
		"archiso_http_srv=http://h/ pxeroot.lazy=1",            /* lazy, no chunked image */
		"archiso_http_srv=http://h/ pxeroot.cache=1G",          /* a cache, no chunked image */
		"root=live:http://h/root.sfs pxeroot.chunks=1",         /* chunks=1, the URL no index */
		"root=live:http://h/root.caibx pxeroot.lazy=maybe",
		"root=live:http://h/root.caibx pxeroot.cache=lots",
		"root=live:http://h/root.caibx pxeroot.store=ftp://s/",
		"archiso_http_srv=http://h/ pxeroot.chunks=perhaps",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(plan_of(bad[i], &p, &cl) == -EINVAL, "refused: %s", bad[i]);
		cmdline_free(&cl);
	}
	CHECK(plan_of("root=live:http://h/r.caibx pxeroot.mirror=http://1/ pxeroot.mirror=http://2/ pxeroot.mirror=http://3/ "
		      "pxeroot.mirror=http://4/ pxeroot.store=http://5/ pxeroot.store=http://6/ pxeroot.store=http://7/ "
		      "pxeroot.store=http://8/", &p, &cl) == -E2BIG, "more than 7 stores and mirrors refused");
	cmdline_free(&cl);
}

/* Which plan field boolean option NAME sets. */
static bool bool_field(const struct plan *p, const char *name)
{
	if (!strcmp(name, "checksum"))
		return p->trust.sha512;
	if (!strcmp(name, "cms_verify"))
		return p->trust.cms;
	if (!strcmp(name, "verify"))
		return p->trust.gpg;
	if (!strcmp(name, "copy_resolvconf"))
		return p->copy_resolvconf;
	if (!strcmp(name, "rd.neednet"))
		return p->netcfg.neednet;
	return p->debug;
}

/* Every boolean option takes a closed set of words in any case; anything else is refused, never
 * read as "off" (verify=on used to mean no check at all). */
static void test_bool_words(void)
{
	const char *opts[] = {"checksum", "cms_verify", "verify", "copy_resolvconf", "rd.neednet", "pxeroot.debug"};
	const char *on[] = {"", "=y", "=Y", "=yes", "=YES", "=1", "=true", "=True", "=on", "=ON"};
	const char *off[] = {"=n", "=N", "=no", "=No", "=0", "=false", "=FALSE", "=off", "=Off"};
	const char *bad[] = {"=maybe", "=2", "=yess", "=o", "=t", "=enable", "=\"\"x"};
	struct cmdline cl;
	struct plan p;
	char text[256];
	for (size_t o = 0; o < sizeof(opts) / sizeof(opts[0]); o++) {
		for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
			snprintf(text, sizeof(text), "archiso_http_srv=http://h/ %s%s", opts[o], on[i]);
			CHECK(plan_of(text, &p, &cl) == 0 && bool_field(&p, opts[o]), "on: %s", text);
			cmdline_free(&cl);
		}
		for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
			snprintf(text, sizeof(text), "archiso_http_srv=http://h/ %s%s", opts[o], off[i]);
			CHECK(plan_of(text, &p, &cl) == 0 && !bool_field(&p, opts[o]), "off: %s", text);
			cmdline_free(&cl);
		}
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(text, sizeof(text), "archiso_http_srv=http://h/ %s%s", opts[o], bad[i]);
			CHECK(plan_of(text, &p, &cl) == -EINVAL, "refused: %s", text);
			cmdline_free(&cl);
		}
	}
	CHECK(plan_of("archiso_http_srv=http://h/", &p, &cl) == 0 && !p.trust.sha512 && !p.trust.cms && !p.trust.gpg &&
	      p.copy_resolvconf && !p.netcfg.neednet && !p.debug, "boolean defaults");
	cmdline_free(&cl);
	CHECK(plan_of("archiso_http_srv=http://h/ verify=maybe verify=y", &p, &cl) == 0 && p.trust.gpg, "the last word wins");
	cmdline_free(&cl);
}

int main(void)
{
	test_basic();
	test_quotes();
	test_last_wins();
	test_dashes();
	test_empty();
	test_plan();
	test_nfs();
	test_memdisk();
	test_local();
	test_copy_auto();
	test_checks_rule();
	test_hook();
	test_rw();
	test_fetch();
	test_chunks();
	test_report();
	test_bool_words();
	return check_done("cmdline_test");
}
