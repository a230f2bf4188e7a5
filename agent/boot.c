/* boot.c - stages in order, each retried as pxeroot.onerror= says:
 *
 *   options -> modules -> network -> root (the source's get + checks, then mount) -> prepare -> hook
 *   -> serve (a root read from the network after switch_root: its server handed over) -> switch_root
 *
 * A stage logs its own cause; this file decides what happens next: retry the stage with backoff
 * (pxeroot.retries=), then the rescue action (a shell if the initramfs has one, else halt), or
 * reboot / halt / poweroff at once. PID 1 never returns from here. */
#define _GNU_SOURCE
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "fetch/fetch.h"
#include "log.h"
#include "modules.h"
#include "mount/mount.h"
#include "net/net.h"
#include "paths.h"
#include "plan.h"
#include "report.h"
#include "serve/serve.h"
#include "source/sources.h"
#include "source/source.h"
#include "switchroot.h"

#define RESCUE_SHELL "/bin/sh"

struct boot {
	struct cmdline cl;
	struct plan plan;
	struct net_result net;
	struct root root;
	const char *newroot;
	bool starts_init;       /* PID 1: pxeroot execs the new root's init itself */
	bool rooted;            /* the root stage ran: there may be mounts and source state to undo */
	int plan_ok;            /* the options parsed; the plan's policy applies */
	unsigned quick_shells;  /* rescue shells in a row that ended within a second */
	struct report rep;      /* what the boot report says (pxeroot.report=) */
};

struct stage {
	const char *name;
	int (*run)(struct boot *b);
	int retryable;
};

/* Parse /proc/cmdline into the plan. */
static int st_options(struct boot *b)
{
	int r = cmdline_read("/proc/cmdline", &b->cl);
	if (r < 0)
		return log_err(r, "cmdline /proc/cmdline: %s", strerror(-r));
	r = plan_from_cmdline(&b->cl, &b->plan);
	log_set_debug(b->plan.debug); /* read first: a refused plan still says what debug shows */
	if (r < 0)
		return r;
	b->plan_ok = 1;
	if (b->plan.debug)
		plan_explain(&b->plan);
	if (!b->plan.source)
		return log_err(-EINVAL, "cmdline: no root source (%s)", source_options());
	return 0;
}

/* Load the drivers the source needs first: a network source only the NICs' (a disk or CD
 * controller's driver would probe its devices before the network comes up, and the image never
 * reads them; the booted system's own coldplug loads them), any other source every device's.
 * When the network will be needed, set links up now. */
static int st_modules(struct boot *b)
{
	uint64_t t0 = now_ms();
	bool net_only = b->plan.source && b->plan.source->needs_net;
	if (b->plan.net == NET_UP)
		net_ipv6_hold();
	int n = net_only ? mod_coldplug_only(net_modules) : mod_coldplug();
	log_debug("modules: %d loaded for %s in %llu ms", n, net_only ? "the NICs present (a network source needs no other driver)" : "present devices",
		  (unsigned long long)(now_ms() - t0));
	if (b->plan.net == NET_UP)
		net_links_up_early();
	return 0;
}

/* Bring the network up when the plan needs it. */
static int st_network(struct boot *b)
{
	if (b->plan.net == NET_NONE)
		return 0;
	return net_up(&b->plan.netcfg, &b->net);
}

/* Undo what an earlier attempt left, get the root from the source, mount it. */
static int st_root(struct boot *b)
{
	const struct source_io *src = source_io(b->plan.source);
	struct source_ctx ctx = plan_ctx(&b->plan, &b->net);
	ctx.facts = &b->rep.root;
	b->rooted = true;
	mount_undo(b->newroot);
	src->undo();
	int r = src->get(&ctx, &b->root);
	if (r == 0)
		log_mark("image"); /* the source handed over its root: fetched and checked */
	if (r == 0 && (r = mount_root(&b->root, &b->plan.mount, b->newroot)) < 0)
		src->undo();
	return r;
}

/* The new root before its init runs: resolv.conf (copy_resolvconf=); for a root on the network,
 * the NIC kept as it is (net_keep). */
static int st_prepare(struct boot *b)
{
	int r;
	if (b->plan.net != NET_NONE && b->plan.copy_resolvconf && (r = net_copy_resolv(b->newroot)) < 0)
		return r;
	return b->root.on_net ? net_keep(&b->net, b->newroot) : 0;
}

/* The script= hook: got, checked, armed for the new root's init. */
static int st_hook(struct boot *b)
{
	char init[256];
	if (!b->plan.hook.script)
		return 0;
	int r = switchroot_pick_init(b->newroot, b->plan.init, init, sizeof(init));
	return r < 0 ? r : hook_prepare(&b->plan.hook, &b->plan.trust, &b->plan.fetch, &b->net, b->newroot, init, b->starts_init);
}

/* A root the network keeps serving after switch_root (a chunked image read lazily): its server
 * is still there and is handed the root. */
static int st_serve(struct boot *b)
{
	(void)b;
	return serve_handover();
}

/* Pick init and switch; returns only on failure. */
static int st_switch(struct boot *b)
{
	char init[256];
	char *argv[CMDLINE_MAX_WORDS + 2];
	int r = switchroot_pick_init(b->newroot, b->plan.init, init, sizeof(init));
	if (r < 0)
		return r;
	argv[0] = init;
	for (unsigned i = 0; i < b->plan.ninit_args; i++)
		argv[i + 1] = (char *)b->plan.init_args[i];
	argv[b->plan.ninit_args + 1] = NULL;
	mod_exit();
	return switch_root(b->newroot, init, argv, hook_start);
}

static const struct stage stages[] = {
	{"options", st_options, 0},
	{"modules", st_modules, 0},
	{"network", st_network, 1},
	{"root", st_root, 1},
	{"prepare", st_prepare, 1},
	{"hook", st_hook, 1},
	{"serve", st_serve, 0},
	{"switch_root", st_switch, 0},
};

/* Wait number N (from 0) of a backoff: 1, 2, 4, 8, 16, then 30 s. */
static unsigned backoff_s(unsigned n)
{
	return n >= 5 ? 30 : 1u << n;
}

/* Run the rescue shell and wait for it; 0 when it ran, -ENOENT when there is none. */
static int rescue_shell(void)
{
	if (access(RESCUE_SHELL, X_OK) < 0)
		return -ENOENT;
	log_info("rescue: starting %s; exit it to try the failed stage again", RESCUE_SHELL);
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		ioctl(0, TIOCSCTTY, 1);
		execl(RESCUE_SHELL, "sh", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -errno;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* Stop the machine as ACTION says; never returns. */
__attribute__((noreturn)) static void final_action(enum onerror action)
{
	sync();
	if (action == ONERR_REBOOT) {
		log_info("rebooting");
		reboot(RB_AUTOBOOT);
	} else if (action == ONERR_POWEROFF) {
		log_info("powering off");
		reboot(RB_POWER_OFF);
	}
	log_info("halted: nothing more will happen until the machine is reset");
	reboot(RB_HALT_SYSTEM);
	for (;;)
		pause();
}

/* A rescue shell that ended within a second had nothing to read (no console): wait 1, 2, 4 … 30 s
 * before the stage and the shell run again, instead of starting shells as fast as they end. */
static void shell_backoff(struct boot *b, uint64_t ran_ms)
{
	if (ran_ms >= 1000) {
		b->quick_shells = 0;
		return;
	}
	unsigned delay = backoff_s(b->quick_shells++);
	log_info("rescue: %s ended within a second (no console to read from?); waiting %u s", RESCUE_SHELL, delay);
	sleep_ms(delay * 1000ull);
}

/* The boot report, once per boot and never again (report.h): OK or not, the stages so far, the
 * lease, what the source fetched, on failure the line that ended the boot. Tried even when the
 * network never came up (the line says so); bounded by pxeroot.report_timeout=. */
static void boot_report(struct boot *b, bool ok)
{
	static bool done;
	if (done || !b->plan.report.url)
		return;
	done = true;
	b->rep.ok = ok;
	b->rep.uptime_ms = now_ms();
	b->rep.error = ok ? NULL : log_last_error();
	report_lease(&b->rep, &b->net);
	report_post(&b->plan.report, &b->plan.fetch, b->net.pxeserver, !b->net.n, &b->rep);
}

/* Stage S failed with R and its retries are spent: the report, then rescue as the plan says.
 * Returns when the stage should be tried again (after a rescue shell). */
static void rescue(struct boot *b, const struct stage *s, int r)
{
	enum onerror action = b->plan_ok ? b->plan.onerror : ONERR_RETRY;
	log_info("giving up on stage %s: %s (pxeroot.onerror=%s)", s->name, strerror(-r), onerror_name(action));
	boot_report(b, false);
	if (log_debug_enabled())
		mounts_dump();
	if (r == -ENOTRECOVERABLE) /* no initramfs left: neither its shell nor a retry */
		final_action(action == ONERR_REBOOT || action == ONERR_POWEROFF ? action : ONERR_HALT);
	if (action == ONERR_RETRY || action == ONERR_SHELL) {
		uint64_t t0 = now_ms();
		if (rescue_shell() == 0) {
			shell_backoff(b, now_ms() - t0);
			return;
		}
		log_info("rescue: no shell in this initramfs");
		action = ONERR_HALT;
	}
	final_action(action);
}

/* Run stage S until it succeeds, per the failure policy; the report goes just before
 * switch_root. */
static void run_stage(struct boot *b, const struct stage *s)
{
	unsigned attempt = 0, tries = 0;
	uint64_t t0 = now_ms();
	for (;;) {
		if (s->run == st_switch) {
			boot_report(b, true);
			log_mark("switch_root");
		}
		int r = s->run(b);
		report_stage(&b->rep, s->name, now_ms() - t0, ++tries, r >= 0);
		if (r >= 0) {
			log_mark(s->name); /* the stage's end: "network" the lease, "root" the mount */
			return;
		}
		unsigned retries = b->plan_ok ? b->plan.retries : 0;
		if (s->retryable && b->plan.onerror == ONERR_RETRY && attempt < retries) {
			unsigned delay = backoff_s(attempt++);
			log_info("retry: stage %s failed (%s); attempt %u of %u in %u s", s->name, strerror(-r), attempt, retries, delay);
			sleep_ms(delay * 1000ull);
			continue;
		}
		rescue(b, s, r);
		attempt = 0;
	}
}

/* Mount FSTYPE at DIR unless something is there already. */
static void early_mount(const char *src, const char *dir, const char *fstype, unsigned long flags, const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, fstype, flags, opts) < 0 && errno != EBUSY)
		log_info("mount %s on %s: %s", fstype, dir, strerror(errno));
}

/* A machine with a dead RTC boots in 1970 or 2000, when no certificate is valid yet: move the
 * clock to pxeroot's build time, as systemd does with its time epoch. */
static void clock_fix(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec >= (time_t)PXEROOT_BUILD_EPOCH)
		return;
	struct timespec epoch = {.tv_sec = (time_t)PXEROOT_BUILD_EPOCH};
	char was[32], set[32];
	strftime(was, sizeof(was), "%Y-%m-%d %H:%M:%S", gmtime(&now.tv_sec));
	strftime(set, sizeof(set), "%Y-%m-%d %H:%M:%S", gmtime(&epoch.tv_sec));
	if (clock_settime(CLOCK_REALTIME, &epoch) < 0)
		log_info("clock: %s UTC is before the build time, and setting %s failed: %s", was, set, strerror(errno));
	else
		log_info("clock: %s UTC is before the build time, set to %s UTC", was, set);
}

/* The console on fds 0-2, inherited by the rescue shell and init (so never close-on-exec); without
 * one (no console device, or no node in the cpio) /dev/null there instead, so the files opened later
 * never take fds 0-2. Returns 0, or the errno of the console's open. */
static int console_fds(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		log_std_fds();
		return e;
	}
	for (int i = 0; i <= 2; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
	return 0;
}

/* The log: the console, /dev/kmsg and LOG_FILE (so a hook can quote the last line). */
static void log_begin(void)
{
	log_open();
	mkdir(RUN_DIR, 0755);
	log_to_file(LOG_FILE);
	log_timeline(TIMELINE_FILE);
	log_mark("start");
}

/* What every run needs before the stages: the clock floor, libcurl. 0 or -EIO (logged). */
static int runtime_init(void)
{
	clock_fix();
	return fetch_global_init() < 0 ? log_err(-EIO, "libcurl: global init failed") : 0;
}

/* PID-1 setup: API filesystems, console on fds 0-2, the log. */
static void early_setup(void)
{
	early_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	early_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	early_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	early_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	int console_err = console_fds();
	signal(SIGPIPE, SIG_IGN);
	log_begin();
	if (console_err)
		log_info("console: /dev/console: %s; standard input and output are /dev/null (this log is in %s)",
			 strerror(console_err), LOG_FILE);
}

/* The whole boot as PID 1. */
void boot_pid1(void)
{
	struct boot b = {.newroot = NEWROOT, .starts_init = true};
	early_setup();
	log_info("pxeroot %s starting", PXEROOT_VERSION);
	runtime_init(); /* on failure the transfers say so and the policy applies */
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		run_stage(&b, &stages[i]);
	/* st_switch only comes back on failure, and run_stage retries it; not reached */
	final_action(ONERR_HALT);
}

/* Give up the root of a failed `pxeroot mount`: the hook's files, every mount on and under the
 * new root, what the source set up. Quiet, so the failure's line stays the reason. */
static void give_up(struct boot *b)
{
	if (!b->rooted)
		return;
	hook_undo();
	mount_undo(b->newroot);
	source_io(b->plan.source)->undo();
}

/* Up to a prepared root, for hosts that switch root themselves; on a failure nothing of it is
 * left. */
int boot_mount(const char *newroot)
{
	static struct boot b;
	b.newroot = newroot;
	log_begin();
	int r = runtime_init();
	if (r < 0)
		return r;
	for (size_t i = 0; i + 1 < sizeof(stages) / sizeof(stages[0]); i++) {
		uint64_t t0 = now_ms();
		r = stages[i].run(&b);
		report_stage(&b.rep, stages[i].name, now_ms() - t0, 1, r >= 0);
		if (r < 0) {
			boot_report(&b, false);
			give_up(&b);
			return r;
		}
		log_mark(stages[i].name);
	}
	boot_report(&b, true);
	return 0;
}
