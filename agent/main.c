/* main.c - pxeroot's entry point and subcommands.
 *
 * As PID 1 (the /init of a standalone initramfs) it runs the whole boot and never returns, unless its
 * arguments are those of `fetch` (PID 1 of a container).
 * Otherwise the first argument picks a tool:
 *   boot                 the whole boot (refused unless PID 1)
 *   mount DIR            everything up to a mounted, prepared root at DIR (mkinitcpio/dracut);
 *                        on failure the reason is the one line on stdout
 *   verify IMAGE ...     the boot's checks on a local file (see usage)
 *   claim [FILE]         exit 0 when the command line asks for a root pxeroot handles, 1 when
 *                        not, 2 when an option is malformed
 *   modules [--for-sources | --net]   the kernel modules pxeroot may load (--net: AF_PACKET and
 *                        the NIC drivers, for an initramfs)
 *   fetch URL FILE ...   download with progress and the boot's checks (see usage)
 *   dhcp IFACE           run a DHCP exchange on IFACE and print the lease, configuring nothing
 *   memdisk-find         where syslinux MEMDISK left its disk image, as memdiskfind prints it
 *   files                the files pxeroot reads by default (trust material, CA bundle): key word, path
 *   cmdline [--explain] [FILE]   show how a command line is read (default /proc/cmdline)
 *   version */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cmdline.h"
#include "fetch/fetch.h"
#include "fetch/chunked.h"
#include "fetch/image.h"
#include "url.h"
#include "log.h"
#include "mount/mount.h"
#include "net/dhcp.h"
#include "net/net.h"
#include "options.h"
#include "source/mbft.h"
#include "source/sources.h"
#include "verify/file.h"
#include "verify/trust.h"
#include "plan.h"
#include "report.h"
#include "serve/serve.h"

/* Usage text on stderr; returns the exit code 2. */
static int usage(void)
{
	fputs("usage: pxeroot boot | mount DIR | dhcp IFACE [TIMEOUT_S] | cmdline [--explain] [FILE] | options | version\n"
	      "       | claim [FILE] | modules [--for-sources | --net] | files | memdisk-find\n"
	      "       | verify IMAGE [--checksum] [--cms-cert PEM [--cms-ca PEM]] [--gpg-keyring FILE]\n"
	      "       | fetch URL FILE [--checksum] [--cms-cert PEM [--cms-ca PEM]] [--gpg-keyring FILE]\n"
	      "                        [--ca BUNDLE] [--proxy URL] [--mirror BASE]... [--connect-timeout S]\n"
	      "                        [--stall-timeout S] [--timeout S] [--retries N] [--jitter S] [--store URL]...\n"
	      "                        [--report URL [--report-timeout S]]\n",
	      stderr);
	return 2;
}

/* pxeroot cmdline: print words, init arguments, and (--explain) the plan. */
static int cmd_cmdline(int argc, char **argv)
{
	int explain = argc > 0 && !strcmp(argv[0], "--explain");
	const char *file = argc > explain ? argv[explain] : "/proc/cmdline";
	struct cmdline cl;
	int r = cmdline_read(file, &cl);
	if (r < 0) {
		fprintf(stderr, "pxeroot: cmdline %s: %s\n", file, strerror(-r));
		cmdline_free(&cl);
		return 1;
	}
	for (size_t i = 0; i < cl.nwords; i++)
		printf("%s%s%s\n", cl.words[i].key, cl.words[i].value ? "=" : "", cl.words[i].value ? cl.words[i].value : "");
	for (size_t i = 0; i < cl.ninit; i++)
		printf("init arg: %s\n", cl.init_args[i]);
	struct plan plan;
	if (explain)
		opt_explain(&cl);
	if (explain && (r = plan_from_cmdline(&cl, &plan)) == 0)
		plan_explain(&plan);
	cmdline_free(&cl);
	return r < 0 ? 1 : 0;
}

/* A whole number of seconds or attempts from ARG into *OUT; false when it is not one. */
static bool num_arg(const char *arg, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);
	*out = (unsigned)v;
	return *arg >= '0' && *arg <= '9' && !*end && v <= 86400;
}

/* The check options shared by fetch and verify at ARGV[*I] into T: true when ARGV[*I] was one
 * (*I then at its last word). */
static bool trust_arg(int argc, char **argv, int *i, struct trust *t)
{
	const char *a = argv[*i];
	if (!strcmp(a, "--checksum"))
		return t->sha512 = true;
	if (*i + 1 >= argc)
		return false;
	if (!strcmp(a, "--cms-cert"))
		t->cms = true, t->cms_cert = argv[++*i];
	else if (!strcmp(a, "--cms-ca"))
		t->cms_ca = argv[++*i];
	else if (!strcmp(a, "--gpg-keyring"))
		t->gpg = true, t->gpg_keyring = argv[++*i];
	else
		return false;
	return true;
}

/* Trust material at the defaults, no check asked for yet, the CA only when given. */
static void trust_args_init(struct trust *t)
{
	trust_defaults(t);
	t->cms_ca = NULL;
}

/* A chunked image: the index URL (RQ: its bases and path) checked by T into FILE.caibx, then its
 * chunks from the stores (the one beside the index, then the NX stores X) into FILE; the figures
 * into F for the report. */
static int fetch_chunked(struct fetch_req *rq, const struct trust *t, const char *file, const char *const *x, unsigned nx,
			 struct report_root *f)
{
	static char bases[MIRRORS_MAX][2048];
	char index[4096];
	struct mirrors st;
	struct ca_index ix = {0};
	snprintf(index, sizeof(index), "%s" URL_INDEX_SUFFIX, file);
	rq->label = NULL;
	int r = chunked_stores(rq->m, rq->path, x, nx, &st, bases);
	if (r == 0) {
		r = chunked_index(rq, t, index, &ix, NULL, NULL);
		report_fetched(f, rq->url, 0);
	}
	if (r < 0)
		return r;
	struct chunks_req cr = {.cfg = rq->cfg, .stores = &st, .ix = &ix};
	const char *slash = strrchr(file, '/');
	r = chunked_fetch(&cr, file, slash ? slash + 1 : file);
	report_chunks(f, &cr);
	ca_index_free(&ix);
	return r;
}

/* The report of a fetch that ended with R after MS milliseconds (REP holds what it fetched): one
 * document to P's URL, its one line; the fetch's exit status stays its own. */
static void fetch_report(const struct report_plan *p, const struct fetch_config *fc, struct report *rep, int r, uint64_t ms)
{
	rep->ok = r == 0;
	rep->error = r < 0 ? log_last_error() : NULL;
	report_stage(rep, "fetch", ms, 1, r == 0);
	report_post(p, fc, NULL, false, rep);
}

/* pxeroot fetch URL FILE [options]: the boot's one-pass download, checks and transfer policy, on
 * any machine. --mirror BASE stands in for the directory of URL, like pxeroot.mirror=. A URL
 * naming a casync index (.caibx) is a chunked image: --store URL adds a store after the one
 * beside the index, like pxeroot.store=. --report URL POSTs the boot report's document for the
 * fetch, like pxeroot.report=. */
static int cmd_fetch(int argc, char **argv)
{
	static struct report rep;
	struct report_plan rp = {.timeout_s = REPORT_TIMEOUT_S};
	struct trust t;
	struct fetch_config fc = {0};
	static char base0[2048];
	struct mirrors m = {.n = 1, .base = {base0}};
	const char *stores[MIRRORS_MAX];
	unsigned nstores = 0;
	trust_args_init(&t);
	bool ok = true;
	for (int i = 2; i < argc && ok; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (trust_arg(argc, argv, &i, &t))
			continue;
		else if (!next)
			ok = false;
		else if (!strcmp(a, "--ca"))
			fc.ca = argv[++i];
		else if (!strcmp(a, "--proxy"))
			fc.proxy = argv[++i];
		else if (!strcmp(a, "--mirror") && m.n < MIRRORS_MAX)
			m.base[m.n++] = argv[++i];
		else if (!strcmp(a, "--store") && nstores < MIRRORS_MAX)
			stores[nstores++] = argv[++i];
		else if (!strcmp(a, "--connect-timeout"))
			ok = num_arg(argv[++i], &fc.connect_s);
		else if (!strcmp(a, "--stall-timeout"))
			ok = num_arg(argv[++i], &fc.stall_s);
		else if (!strcmp(a, "--timeout"))
			ok = num_arg(argv[++i], &fc.deadline_s);
		else if (!strcmp(a, "--retries"))
			ok = num_arg(argv[++i], &fc.attempts);
		else if (!strcmp(a, "--jitter"))
			ok = num_arg(argv[++i], &fc.jitter_s);
		else if (!strcmp(a, "--report"))
			ok = url_is_http(rp.url = argv[++i]);
		else if (!strcmp(a, "--report-timeout"))
			ok = num_arg(argv[++i], &rp.timeout_s) && rp.timeout_s;
		else
			ok = false;
	}
	if (!ok)
		return usage();
	if (fetch_global_init() < 0) {
		log_err(-EIO, "libcurl: global init failed");
		return 1;
	}
	const char *url = argv[0], *file = argv[1], *slash = strrchr(file, '/');
	size_t split = url_dir_len(url);
	snprintf(base0, sizeof(base0), "%.*s", (int)split, url);
	bool chunked = url_is_index(url);
	struct fetch_req rq = {.cfg = &fc, .m = m.n > 1 || chunked ? &m : NULL, .path = m.n > 1 || chunked ? url + split : url,
			       .label = slash ? slash + 1 : file};
	if (nstores && !chunked)
		return usage();
	uint64_t t0 = now_ms();
	int r = chunked ? fetch_chunked(&rq, &t, file, stores, nstores, &rep.root) : image_fetch(&rq, &t, file);
	if (!chunked)
		report_fetched(&rep.root, rq.url, rq.size);
	if (rp.url)
		fetch_report(&rp, &fc, &rep, r, now_ms() - t0);
	return r < 0 ? 1 : 0;
}

/* pxeroot verify IMAGE [options]: the boot's checks on a local file, companions beside it. */
static int cmd_verify(int argc, char **argv)
{
	struct trust t;
	trust_args_init(&t);
	for (int i = 1; i < argc; i++)
		if (!trust_arg(argc, argv, &i, &t))
			return usage();
	if (argc < 1 || argv[0][0] == '-')
		return usage();
	if (!t.sha512 && !t.cms && !t.gpg) {
		fputs("pxeroot: verify: no check asked for (--checksum, --cms-cert, --gpg-keyring)\n", stderr);
		return 2;
	}
	const char *slash = strrchr(argv[0], '/');
	int r = verify_file(argv[0], &t, NULL, isatty(STDERR_FILENO) ? (slash ? slash + 1 : argv[0]) : NULL);
	if (r == 0)
		printf("%s: ok\n", argv[0]);
	return r < 0 ? 1 : 0;
}

/* pxeroot claim [FILE]: 0 when the command line asks for a root pxeroot handles, 1 when not, 2
 * when an option is malformed (the line that says so on stderr). */
static int cmd_claim(int argc, char **argv)
{
	const char *file = argc > 0 ? argv[0] : "/proc/cmdline";
	struct cmdline cl;
	struct plan plan;
	int r = cmdline_read(file, &cl);
	if (r < 0) {
		log_errno(r, "cmdline %s", file);
		return 2;
	}
	r = plan_from_cmdline(&cl, &plan);
	cmdline_free(&cl);
	return r < 0 ? 2 : plan.source ? 0 : 1;
}

/* pxeroot modules [--for-sources | --net]: every kernel module pxeroot may load, once each, one
 * per line; with --for-sources, each followed by the first that needs it ("mount" or a source's
 * name); with --net, the network stage's (AF_PACKET, the NIC drivers) instead. */
static int cmd_modules(int argc, char **argv)
{
	bool who = argc > 0 && !strcmp(argv[0], "--for-sources");
	bool net = argc > 0 && !strcmp(argv[0], "--net");
	if (argc > (int)(who || net))
		return usage();
	if (net) {
		for (const char *const *m = net_modules; *m; m++)
			puts(*m);
		return 0;
	}
	const char *mods[128], *owner[128];
	size_t n = mount_modules(mods, 32);
	for (size_t i = 0; i < n; i++)
		owner[i] = "mount";
	for (const struct source *const *s = sources; *s; s++)
		for (const char *const *m = (*s)->modules; m && *m && n < 128; m++) {
			size_t i = 0;
			while (i < n && strcmp(mods[i], *m))
				i++;
			if (i == n) {
				mods[n] = *m;
				owner[n++] = (*s)->name;
			}
		}
	for (size_t i = 0; i < n; i++)
		printf("%s%s%s\n", mods[i], who ? "\t" : "", who ? owner[i] : "");
	return 0;
}

/* pxeroot files: each file pxeroot reads unless an option names another (the trust material, the
 * CA bundle), one per line: its key word, a tab, its path in the initramfs. */
static int cmd_files(int argc)
{
	if (argc > 0)
		return usage();
	for (const struct trust_file *f = trust_files; f < trust_files + TRUST_NFILES; f++)
		printf("%s\t%s\n", f->key, f->path);
	return 0;
}

/* pxeroot dhcp IFACE [TIMEOUT_S]: one exchange, the lease printed (its text escaped), nothing
 * configured. */
static int cmd_dhcp(int argc, char **argv)
{
	struct nic nics[16], *nic = NULL;
	int n = link_list(nics, 16);
	for (int i = 0; i < n; i++)
		if (argc > 0 && !strcmp(nics[i].name, argv[0]))
			nic = &nics[i];
	if (!nic) {
		fprintf(stderr, "pxeroot: dhcp %s: no such Ethernet interface\n", argc > 0 ? argv[0] : "");
		return argc > 0 ? 1 : usage();
	}
	struct dhcp_lease l;
	int r = dhcp_acquire(nic, 1, 10, argc > 1 ? (unsigned)atoi(argv[1]) : 30, &l);
	if (r < 0) {
		fprintf(stderr, "pxeroot: dhcp %s: %s\n", nic->name, strerror(-r));
		return 1;
	}
	printf("address=%s\n", inet_ntoa(l.addr));
	printf("netmask=%s\n", inet_ntoa(l.netmask));
	printf("router=%s\n", inet_ntoa(l.router));
	printf("server=%s\n", inet_ntoa(l.server_id));
	printf("next_server=%s\n", inet_ntoa(l.next_server));
	for (unsigned i = 0; i < l.ndns; i++)
		printf("dns=%s\n", inet_ntoa(l.dns[i]));
	char rp[4 * sizeof(l.root_path)], bf[4 * sizeof(l.bootfile)]; /* the server's text, escaped */
	printf("lease_s=%u\nmtu=%u\nhostname=%s\ndomain=%s\nroot_path=%s\nbootfile=%s\n", l.lease_s,
	       l.mtu, l.hostname, l.domain, log_clean(l.root_path, rp, sizeof(rp)), log_clean(l.bootfile, bf, sizeof(bf)));
	return 0;
}

/* pxeroot memdisk-find: "START,LENGTH" of MEMDISK's image as syslinux's memdiskfind prints it
 * (%#x,%#x); exit 0 found, 1 not found, 2 when memory cannot be read or the image is 4 GiB or
 * more (memdiskfind would print its length cut to 32 bits). */
static int cmd_memdisk_find(int argc)
{
	struct mbft m;
	if (argc > 0)
		return usage();
	int r = mbft_find(&m);
	if (r < 0)
		return 2;
	if (r == 0)
		return 1;
	if (m.size > UINT32_MAX) {
		fprintf(stderr, "pxeroot: memdisk: the image at %#x is %llu bytes, 4 GiB or more\n", m.start, (unsigned long long)m.size);
		return 2;
	}
	printf("%#x,%#x\n", m.start, (unsigned)m.size);
	return 0;
}

/* Whether ARGV is "pxeroot fetch URL FILE ...": a tool run, even as PID 1 (a container's entrypoint).
 * The kernel's init never gets such words: it passes on only bare words of its command line. */
static bool fetch_args(int argc, char **argv)
{
	return argc >= 4 && !strcmp(argv[1], "fetch") && strstr(argv[2], "://") && argv[3][0] != '-';
}

/* Dispatch: PID 1 boots (unless asked to fetch); otherwise the first argument picks a tool. */
int main(int argc, char **argv)
{
	if (argv[0] && argv[0][0] == '@')
		return serve_main();
	if (getpid() == 1 && !fetch_args(argc, argv))
		boot_pid1();
	log_std_fds();
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "boot")) {
		fputs("pxeroot: boot runs only as PID 1 (the initramfs's /init); use `pxeroot mount DIR` under another init\n", stderr);
		return 1;
	}
	if (!strcmp(cmd, "mount") && argc == 3) { /* on failure stdout gets the reason, for the hooks */
		if (boot_mount(argv[2]) == 0)
			return 0;
		printf("pxeroot: %s\n", log_last_error()[0] ? log_last_error() : "failed without a reason");
		return 1;
	}
	if (!strcmp(cmd, "verify"))
		return cmd_verify(argc - 2, argv + 2);
	if (!strcmp(cmd, "claim") && argc <= 3)
		return cmd_claim(argc - 2, argv + 2);
	if (!strcmp(cmd, "modules"))
		return cmd_modules(argc - 2, argv + 2);
	if (!strcmp(cmd, "files"))
		return cmd_files(argc - 2);
	if (fetch_args(argc, argv))
		return cmd_fetch(argc - 2, argv + 2);
	if (!strcmp(cmd, "dhcp"))
		return cmd_dhcp(argc - 2, argv + 2);
	if (!strcmp(cmd, "memdisk-find"))
		return cmd_memdisk_find(argc - 2);
	if (!strcmp(cmd, "cmdline"))
		return cmd_cmdline(argc - 2, argv + 2);
	if (!strcmp(cmd, "options") && argc == 2) {
		opt_print(stdout);
		return 0;
	}
	if (!strcmp(cmd, "version")) {
		printf("pxeroot %s\n", PXEROOT_VERSION);
		return 0;
	}
	return usage();
}
