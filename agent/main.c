/* main.c - pxeroot's entry point and subcommands.
 *
 * As PID 1 (the /init of a standalone initramfs) it always runs the whole boot and never returns.
 * Otherwise the first argument picks a tool:
 *   boot                 the whole boot (refused unless PID 1)
 *   mount DIR            everything up to a mounted root at DIR (mkinitcpio/dracut)
 *   fetch URL FILE ...   download with progress and the boot's checks (see usage)
 *   dhcp IFACE           run a DHCP exchange on IFACE and print the lease, configuring nothing
 *   cmdline [--explain] [FILE]   show how a command line is read (default /proc/cmdline)
 *   version */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cmdline.h"
#include "fetch.h"
#include "image.h"
#include "log.h"
#include "net/dhcp.h"
#include "plan.h"

/* Usage text on stderr; returns the exit code 2. */
static int usage(void)
{
	fputs("usage: pxeroot boot | mount DIR | dhcp IFACE [TIMEOUT_S] | cmdline [--explain] [FILE] | version\n"
	      "       | fetch URL FILE [--checksum] [--cms-cert PEM [--cms-ca PEM]] [--gpg-keyring FILE [--gpgv PATH]]\n"
	      "                        [--ca BUNDLE]\n",
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
	if (explain && (r = plan_from_cmdline(&cl, &plan)) == 0)
		plan_explain(&plan);
	cmdline_free(&cl);
	return r < 0 ? 1 : 0;
}

/* pxeroot fetch URL FILE [--checksum] [--cms-cert F] [--cms-ca F] [--gpg-keyring F] [--gpgv F]
 * [--ca F]: the boot's one-pass download and checks, on any machine. */
static int cmd_fetch(int argc, char **argv)
{
	struct trust t;
	trust_defaults(&t);
	t.cms_ca = NULL;
	for (int i = 2; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--checksum"))
			t.sha512 = true;
		else if (!strcmp(argv[i], "--cms-cert") && next)
			t.cms = true, t.cms_cert = argv[++i];
		else if (!strcmp(argv[i], "--cms-ca") && next)
			t.cms_ca = argv[++i];
		else if (!strcmp(argv[i], "--gpg-keyring") && next)
			t.gpg = true, t.gpg_keyring = argv[++i];
		else if (!strcmp(argv[i], "--gpgv") && next)
			t.gpgv = argv[++i];
		else if (!strcmp(argv[i], "--ca") && next)
			fetch_set_ca(argv[++i]);
		else
			return usage();
	}
	fetch_global_init();
	const char *slash = strrchr(argv[1], '/');
	return image_fetch(argv[0], &t, argv[1], slash ? slash + 1 : argv[1]) < 0 ? 1 : 0;
}

/* pxeroot dhcp IFACE [TIMEOUT_S]: one exchange, the lease printed, nothing configured. */
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
	printf("lease_s=%u\nmtu=%u\nhostname=%s\ndomain=%s\nroot_path=%s\nbootfile=%s\n", l.lease_s,
	       l.mtu, l.hostname, l.domain, l.root_path, l.bootfile);
	return 0;
}

/* Dispatch. */
int main(int argc, char **argv)
{
	if (getpid() == 1)
		boot_pid1();
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "boot")) {
		fputs("pxeroot: boot runs only as PID 1 (the initramfs's /init); use `pxeroot mount DIR` under another init\n", stderr);
		return 1;
	}
	if (!strcmp(cmd, "mount") && argc == 3)
		return boot_mount(argv[2]) < 0 ? 1 : 0;
	if (!strcmp(cmd, "fetch") && argc >= 4 && argv[2][0] != '-')
		return cmd_fetch(argc - 2, argv + 2);
	if (!strcmp(cmd, "dhcp"))
		return cmd_dhcp(argc - 2, argv + 2);
	if (!strcmp(cmd, "cmdline"))
		return cmd_cmdline(argc - 2, argv + 2);
	if (!strcmp(cmd, "version")) {
		printf("pxeroot %s\n", PXEROOT_VERSION);
		return 0;
	}
	return usage();
}
