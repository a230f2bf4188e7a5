/* fuzz_plan.c - libFuzzer target for the boot plan: a whole kernel command line (the input, cut at
 * its first NUL) goes through the tokenizer and plan_from_cmdline; an accepted plan is checked
 * against the documented ranges and defaults, built a second time from the same line (it must come
 * out the same) and explained. The agent's log lines are dropped (fuzz_quiet_stderr). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "cmdline.h"
#include "plan.h"
#include "source/http.h"
#include "source/local.h"
#include "source/memdisk.h"
#include "source/nfs.h"

/* Drop the agent's log lines (see fuzz_quiet_stderr). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_stderr(argc, argv);
	return 0;
}

/* Bytes of the buffer every cmdline of this input holds: the line and its NUL (the tokenizer puts
 * more NULs inside, so strlen of the buffer says nothing). */
static size_t line_size;

/* Whether S points into the parsed command line CL. */
static int is_in_line(const char *s, const struct cmdline *cl)
{
	return s >= cl->buf && s < cl->buf + line_size;
}

/* S is a string inside the parsed command line CL. */
static void in_line(const char *s, const struct cmdline *cl)
{
	REQUIRE(s != NULL && is_in_line(s, cl));
}

/* S is a string inside CL or the built-in default DEF. */
static void in_line_or(const char *s, const char *def, const struct cmdline *cl)
{
	REQUIRE(s != NULL);
	REQUIRE(is_in_line(s, cl) || strcmp(s, def) == 0);
}

/* S is a tmpfs size as plan.c accepts it: digits, then nothing or one of k, m, g (any case), %. */
static int size_ok(const char *s)
{
	const char *p = s;
	while (isdigit((unsigned char)*p))
		p++;
	return p > s && (!*p || (!p[1] && strchr("kKmMgG%", *p)));
}

/* S starts with http:// or https://. */
static int http_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* Whether the value V of an accepted yes/no option means yes: present, and empty or a yes word. */
static bool yes(const char *v)
{
	static const char *const words[] = {"", "y", "yes", "1", "true", "on"};
	for (size_t i = 0; v && i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(v, words[i]))
			return true;
	return false;
}

/* What an accepted plan P, built from CL, promises. */
static void check_plan(const struct plan *p, const struct cmdline *cl)
{
	REQUIRE(p->onerror <= ONERR_POWEROFF && onerror_name(p->onerror) != NULL);
	REQUIRE(p->retries <= 100);
	REQUIRE(p->netcfg.carrier_timeout_s <= 3600 && p->netcfg.dhcp_timeout_s <= 3600);
	REQUIRE(p->fetch.connect_s >= 1 && p->fetch.connect_s <= 3600);
	REQUIRE(p->fetch.stall_s >= 1 && p->fetch.stall_s <= 3600);
	REQUIRE(p->fetch.attempts >= 1 && p->fetch.attempts <= 1000);
	REQUIRE(p->fetch.deadline_s <= 86400);
	REQUIRE(p->fetch.ca == cmdline_get(cl, "pxeroot.ca"));
	REQUIRE(!p->fetch.proxy || *p->fetch.proxy);
	REQUIRE(!p->fetch.ca || p->fetch.ca[0] == '/');
	REQUIRE(!p->init || p->init[0] == '/');

	if (p->hook.script) { /* script=: in the line, a URL (the network up) or an absolute path */
		in_line(p->hook.script, cl);
		REQUIRE(p->hook.url ? p->net == NET_UP : p->hook.script[0] == '/');
	}
	REQUIRE(p->hook.script || (!p->hook.pinned && !p->hook.required));
	in_line_or(p->layout.basedir, "arch", cl);
	REQUIRE(*p->layout.basedir);
	REQUIRE(!p->layout.arch || *p->layout.arch);
	if (p->mount.cow_size != p->cow_mib) /* else rd.live.overlay.size=N as NM */
		in_line_or(p->mount.cow_size, "256M", cl);
	REQUIRE(size_ok(p->mount.cow_size));
	REQUIRE(p->trust.cms_cert && p->trust.gpg_keyring);
	REQUIRE(p->debug == yes(cmdline_get(cl, "pxeroot.debug")));
	REQUIRE(p->trust.sha512 == yes(cmdline_get(cl, "checksum"))); /* a trust word never fails open */
	REQUIRE(p->trust.cms == yes(cmdline_get(cl, "cms_verify")));
	REQUIRE(p->trust.gpg == yes(cmdline_get(cl, "verify")));
	REQUIRE(p->netcfg.neednet == yes(cmdline_get(cl, "rd.neednet")));
	REQUIRE(p->copy_resolvconf == (!cmdline_get(cl, "copy_resolvconf") || yes(cmdline_get(cl, "copy_resolvconf"))));
	REQUIRE(!p->mount.rw || cmdline_flag_pos(cl, "rw") >= 0);
	REQUIRE(p->ninit_args == cl->ninit && p->init_args == cl->init_args);

	const struct net_config *n = &p->netcfg;
	REQUIRE(n->n <= IPCONF_MAX && n->ndns <= IPCONF_MAX_DNS);
	REQUIRE((p->net == NET_UP) == (n->n > 0));
	REQUIRE(!n->off || n->n == 0);
	for (unsigned i = 0; i < n->n; i++) {
		REQUIRE(n->conf[i].method == IPC_DHCP || n->conf[i].method == IPC_STATIC);
		REQUIRE(memchr(n->conf[i].device, '\0', sizeof(n->conf[i].device)) != NULL);
		for (unsigned j = 0; j < i; j++) /* one configuration per device */
			REQUIRE(strcmp(n->conf[i].device, n->conf[j].device) != 0);
	}

	if (p->source == &http_source) {
		REQUIRE(p->net == NET_UP);
		REQUIRE(http_opts(&p->src_opts)->nmirrors < MIRRORS_MAX);
		for (unsigned i = 0; i < http_opts(&p->src_opts)->nmirrors; i++) {
			in_line(http_opts(&p->src_opts)->mirrors[i], cl);
			REQUIRE(http_url(http_opts(&p->src_opts)->mirrors[i]));
		}
		in_line_or(http_opts(&p->src_opts)->spc, "75%", cl);
		REQUIRE(size_ok(http_opts(&p->src_opts)->spc));
		REQUIRE(http_opts(&p->src_opts)->live_url || (http_opts(&p->src_opts)->srv && *http_opts(&p->src_opts)->srv));
		if (http_opts(&p->src_opts)->live_url)
			REQUIRE(http_url(http_opts(&p->src_opts)->live_url));
	} else if (p->source == &nfs_source) {
		const struct nfs_opts *o = (const struct nfs_opts *)p->src_opts.b;
		REQUIRE(p->net == NET_UP && o->form <= NFS_ARCHISO && o->timeout_s >= 1 && o->timeout_s <= 3600);
		REQUIRE(o->form == NFS_KERNEL || o->form == NFS_DHCP || (o->value && *o->value));
		if (o->value && *o->value) /* a bare nfsroot is "" */
			in_line(o->value, cl);
		REQUIRE(o->ram_size && (o->form != NFS_ARCHISO || size_ok(o->ram_size)));
	} else if (p->source == &memdisk_source) {
		const struct memdisk_opts *o = (const struct memdisk_opts *)p->src_opts.b;
		REQUIRE(o->ram_size && size_ok(o->ram_size));
		REQUIRE(p->net == NET_UP || !n->neednet || n->off); /* the network only when asked for */
	} else if (p->source == &local_source) {
		const struct local_opts *o = (const struct local_opts *)p->src_opts.b;
		REQUIRE(o->has_dev || (o->search && *o->search));
		REQUIRE(!o->has_dev || (o->dev.value[0] && memchr(o->dev.value, '\0', sizeof(o->dev.value))));
		REQUIRE(o->ram_size && size_ok(o->ram_size) && o->copytoram <= COPY_AUTO && o->wait_s <= 3600 && o->option);
		REQUIRE(p->net == NET_UP || !n->neednet || n->off);
	} else {
		REQUIRE(p->source == NULL && !http_opts(&p->src_opts)->srv && !http_opts(&p->src_opts)->live_url);
		REQUIRE(p->net == NET_UP || !n->neednet || n->off); /* rd.neednet=1 unless ip=off */
	}
}

/* A string of plan A (from line CA) and of plan B (from line CB) are the same default or sit at
 * the same offset of their lines. */
static void same_str(const char *a, const struct cmdline *ca, const char *b, const struct cmdline *cb)
{
	REQUIRE(!a == !b);
	if (!a)
		return;
	int a_in = is_in_line(a, ca), b_in = is_in_line(b, cb);
	REQUIRE(a_in == b_in);
	REQUIRE(a_in ? a - ca->buf == b - cb->buf : a == b);
}

/* Plans A and B, built from two parses of the same line, say the same. */
static void same_plan(const struct plan *a, const struct cmdline *ca, const struct plan *b, const struct cmdline *cb)
{
	REQUIRE(a->net == b->net && a->source == b->source && a->onerror == b->onerror);
	REQUIRE(a->retries == b->retries && a->debug == b->debug && a->mount.rw == b->mount.rw);
	REQUIRE(a->netcfg.carrier_timeout_s == b->netcfg.carrier_timeout_s && a->netcfg.dhcp_timeout_s == b->netcfg.dhcp_timeout_s);
	REQUIRE(a->copy_resolvconf == b->copy_resolvconf);
	REQUIRE(a->trust.sha512 == b->trust.sha512 && a->trust.cms == b->trust.cms && a->trust.gpg == b->trust.gpg);
	REQUIRE(a->fetch.connect_s == b->fetch.connect_s && a->fetch.stall_s == b->fetch.stall_s);
	REQUIRE(a->fetch.attempts == b->fetch.attempts && a->fetch.deadline_s == b->fetch.deadline_s);
	REQUIRE(a->netcfg.n == b->netcfg.n && a->netcfg.ndns == b->netcfg.ndns && a->netcfg.off == b->netcfg.off);
	REQUIRE(a->netcfg.has_bootif == b->netcfg.has_bootif && a->netcfg.neednet == b->netcfg.neednet);
	REQUIRE(memcmp(a->netcfg.dns, b->netcfg.dns, sizeof(a->netcfg.dns)) == 0);
	REQUIRE(memcmp(a->netcfg.bootif, b->netcfg.bootif, sizeof(a->netcfg.bootif)) == 0);
	REQUIRE((a->mount.cow_size == a->cow_mib) == (b->mount.cow_size == b->cow_mib));
	REQUIRE(a->mount.cow_size != a->cow_mib || !strcmp(a->cow_mib, b->cow_mib));
	const char *sa[] = {a->layout.basedir, a->layout.arch, a->mount.cow_size == a->cow_mib ? NULL : a->mount.cow_size, a->init, a->fetch.ca, a->fetch.proxy};
	const char *sb[] = {b->layout.basedir, b->layout.arch, b->mount.cow_size == b->cow_mib ? NULL : b->mount.cow_size, b->init, b->fetch.ca, b->fetch.proxy};
	for (size_t i = 0; i < sizeof(sa) / sizeof(sa[0]); i++)
		same_str(sa[i], ca, sb[i], cb);
	if (a->source != &http_source) /* the other sources' options: check_plan */
		return;
	const struct http_opts *ha = http_opts(&a->src_opts), *hb = http_opts(&b->src_opts);
	REQUIRE(ha->nmirrors == hb->nmirrors);
	same_str(ha->srv, ca, hb->srv, cb);
	same_str(ha->live_url, ca, hb->live_url, cb);
	same_str(ha->spc, ca, hb->spc, cb);
	for (unsigned i = 0; i < ha->nmirrors; i++)
		same_str(ha->mirrors[i], ca, hb->mirrors[i], cb);
}

/* One input: the line, its plan, the plan again, the explanation. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct cmdline *cl = calloc(2, sizeof(*cl));
	struct plan *p = calloc(2, sizeof(*p));
	REQUIRE(text && cl && p);
	memcpy(text, data, size);
	text[size] = '\0';
	line_size = strlen(text) + 1;

	int r = cmdline_parse(text, &cl[0]);
	REQUIRE(r == 0 || r == -E2BIG || r == -ENOMEM);
	if (r == 0) {
		r = plan_from_cmdline(&cl[0], &p[0]);
		REQUIRE(r == 0 || r == -EINVAL || r == -E2BIG);
	}
	if (r == 0) {
		check_plan(&p[0], &cl[0]);
		REQUIRE(cmdline_parse(text, &cl[1]) == 0);
		REQUIRE(plan_from_cmdline(&cl[1], &p[1]) == 0);
		same_plan(&p[0], &cl[0], &p[1], &cl[1]);
		plan_explain(&p[0]);
	}
	cmdline_free(&cl[0]);
	cmdline_free(&cl[1]);
	free(p);
	free(cl);
	free(text);
	return 0;
}
