/* plan.c - options -> boot plan: the options every source shares (network, transfers, checks,
 * overlay, init, failure policy), the source's claim (source/) and the hook's (hook_opts.c). */
#define _GNU_SOURCE
#include "plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "log.h"
#include "options.h"
#include "source/sources.h"
#include "url.h"

/* Add ip= value V to CFG: one configuration per named device, the last device-less one wins. */
static int add_ip(struct net_config *cfg, const char *v)
{
	struct ip_conf c;
	char why[160];
	if (ipconf_parse(v, &c, why, sizeof(why)) < 0)
		return log_err(-EINVAL, "cmdline ip=\"%s\": %s", v, why);
	unsigned i;
	for (i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->conf[i].device, c.device))
			break;
	if (c.method == IPC_OFF && !c.device[0]) {
		cfg->off = true;
		cfg->n = 0; /* ip=off after other values: the kernel's last-wins */
		return 0;
	}
	if (c.method == IPC_OFF)
		return 0; /* <iface>:off: leave that interface alone */
	if (i == IPCONF_MAX)
		return log_err(-E2BIG, "cmdline ip=\"%s\": more than %d configurations", v, IPCONF_MAX);
	cfg->off = false;
	cfg->conf[i] = c;
	if (i == cfg->n)
		cfg->n++;
	return 0;
}

/* nameserver= (repeatable) and BOOTIF=. */
static int plan_net_extra(const struct cmdline *cl, struct net_config *cfg)
{
	const char *ns[IPCONF_MAX_DNS];
	size_t n = opt_get_all(cl, OPT_NAMESERVER, ns, IPCONF_MAX_DNS);
	for (size_t i = 0; i < n; i++) {
		if (inet_pton(AF_INET, ns[i], &cfg->dns[cfg->ndns]) != 1)
			return log_err(-EINVAL, "cmdline nameserver=\"%s\": not an IPv4 address", ns[i]);
		cfg->ndns++;
	}
	const char *b = opt_get(cl, OPT_BOOTIF);
	if (b) {
		if (bootif_parse(b, cfg->bootif) < 0)
			return log_err(-EINVAL, "cmdline BOOTIF=\"%s\": not 01-aa-bb-cc-dd-ee-ff", b);
		cfg->has_bootif = true;
	}
	return opt_bool(cl, OPT_NEEDNET, &cfg->neednet);
}

/* The network plan: every ip= value, then whether the network stage runs at all. */
static int plan_net(const struct cmdline *cl, struct plan *plan)
{
	struct net_config *cfg = &plan->netcfg;
	const char *ips[CMDLINE_MAX_WORDS];
	size_t n = opt_get_all(cl, OPT_IP, ips, CMDLINE_MAX_WORDS);
	int r;
	for (size_t i = 0; i < n; i++)
		if ((r = add_ip(cfg, ips[i])) < 0)
			return r;
	if ((r = plan_net_extra(cl, cfg)) < 0 ||
	    (r = opt_uint(cl, OPT_CARRIER_TIMEOUT, &cfg->carrier_timeout_s)) < 0 ||
	    (r = opt_uint(cl, OPT_DHCP_TIMEOUT, &cfg->dhcp_timeout_s)) < 0)
		return r;
	bool src_net = plan->source && plan->source->needs_net;
	if (cfg->off && src_net)
		return log_err(-EINVAL, "cmdline ip=\"%s\": the root source (%s) needs the network", ips[n - 1], plan->source->options);
	if (cfg->off && plan->hook.url)
		return log_err(-EINVAL, "cmdline ip=\"%s\": script=%s needs the network", ips[n - 1], plan->hook.script);
	bool needed = src_net || plan->hook.url || cfg->neednet;
	if (needed && cfg->n == 0 && !cfg->off)
		cfg->n = 1; /* conf[0] is all zero: DHCP on any interface */
	plan->net = cfg->n ? NET_UP : NET_NONE;
	return 0;
}

/* Transfers: CA bundle, proxy, timeouts and attempts. */
static int plan_fetch(const struct cmdline *cl, struct plan *plan)
{
	struct fetch_config *f = &plan->fetch;
	*f = (struct fetch_config){.ca = opt_get(cl, OPT_CA), .proxy = opt_get(cl, OPT_PROXY)};
	if (f->proxy && !*f->proxy)
		f->proxy = NULL;
	if (f->ca && f->ca[0] != '/')
		return log_err(-EINVAL, "cmdline pxeroot.ca=\"%s\": not an absolute path", f->ca);
	int r;
	if ((r = opt_uint(cl, OPT_CONNECT_TIMEOUT, &f->connect_s)) < 0 ||
	    (r = opt_uint(cl, OPT_STALL_TIMEOUT, &f->stall_s)) < 0 ||
	    (r = opt_uint(cl, OPT_TIMEOUT, &f->deadline_s)) < 0 ||
	    (r = opt_uint(cl, OPT_FETCH_RETRIES, &f->attempts)) < 0 ||
	    (r = opt_uint(cl, OPT_JITTER, &f->jitter_s)) < 0)
		return r;
	if (!f->connect_s || !f->stall_s || !f->attempts)
		return log_err(-EINVAL, "cmdline: pxeroot.connect_timeout=, pxeroot.stall_timeout= and pxeroot.fetch_retries= must be at least 1");
	return 0;
}

static const char *const onerror_names[] = {"retry", "shell", "reboot", "halt", "poweroff"};
#define N_ONERROR (sizeof(onerror_names) / sizeof(onerror_names[0]))

/* The failure policy. */
static int plan_onerror(const struct cmdline *cl, struct plan *plan)
{
	const char *v = opt_get(cl, OPT_ONERROR);
	size_t i;
	for (i = 0; i < N_ONERROR; i++)
		if (!strcmp(v, onerror_names[i]))
			break;
	if (i == N_ONERROR)
		return log_err(-EINVAL, "cmdline pxeroot.onerror=\"%s\": not one of retry, shell, reboot, halt, poweroff", v);
	plan->onerror = (enum onerror)i;
	return opt_uint(cl, OPT_RETRIES, &plan->retries);
}

/* The boot report: pxeroot.report= (empty: none; http:// or https:// naming a host, ${pxeserver}
 * allowed, no control byte), pxeroot.report_timeout= (at least 1). */
static int plan_report(const struct cmdline *cl, struct report_plan *p)
{
	p->url = opt_get(cl, OPT_REPORT);
	p->timeout_s = opt_default_uint(OPT_REPORT_TIMEOUT);
	if (p->url && !*p->url)
		p->url = NULL;
	for (const char *c = p->url; c && *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return log_err(-EINVAL, "cmdline pxeroot.report=\"%s\": holds a space or a control character", p->url);
	if (p->url && !url_is_http(p->url))
		return log_err(-EINVAL, "cmdline pxeroot.report=\"%s\": not an http:// or https:// URL naming a host", p->url);
	int r = opt_uint(cl, OPT_REPORT_TIMEOUT, &p->timeout_s);
	if (r == 0 && !p->timeout_s)
		return log_err(-EINVAL, "cmdline pxeroot.report_timeout=0: must be at least 1");
	return r;
}

/* The source's view of PLAN. */
struct source_ctx plan_ctx(const struct plan *plan, const struct net_result *net)
{
	return (struct source_ctx){.opts = &plan->src_opts, .layout = &plan->layout, .trust = &plan->trust,
				   .fetch = &plan->fetch, .net = net, .rw = plan->mount.rw};
}

/* Name of onerror action E. */
const char *onerror_name(enum onerror e)
{
	return onerror_names[e];
}

/* The overlay's tmpfs size: cow_spacesize= (tmpfs syntax), else dracut's rd.live.overlay.size=
 * (a bare number is MiB there), else 256M. */
static int plan_cow(const struct cmdline *cl, struct plan *plan)
{
	enum opt_id id = OPT_COW_SPACESIZE;
	const char *v = opt_value(cl, id);
	if (!v && (v = opt_get(cl, id = OPT_LIVE_OVERLAY_SIZE)) && *v && v[strspn(v, "0123456789")] == '\0' &&
	    strlen(v) < sizeof(plan->cow_mib) - 1) {
		snprintf(plan->cow_mib, sizeof(plan->cow_mib), "%sM", v);
		v = plan->cow_mib;
	}
	plan->mount.cow_size = v ? v : options[OPT_COW_SPACESIZE].def;
	return opt_check_size(id, plan->mount.cow_size);
}

/* The rule every source passes through: a check the command line asks for that the chosen
 * source cannot make on exactly the bytes it hands to the mount stage refuses the plan, before
 * any network or device is touched. A source that declares nothing is taken to check nothing. */
static int plan_checks_covered(const struct plan *plan)
{
	char opts[64];
	if (!plan->source || !trust_any(&plan->trust))
		return 0;
	const struct source *s = plan->source;
	const char *why = s->unchecked ? s->unchecked(&plan->src_opts) : "it declares no checks";
	if (!why)
		return 0;
	return log_err(-EINVAL, "cmdline %s: the %s source (%s) cannot check what it boots: %s",
		       trust_options(&plan->trust, opts, sizeof(opts)), s->name, s->options, why);
}

/* Read every option into PLAN. */
int plan_from_cmdline(const struct cmdline *cl, struct plan *plan)
{
	int r;
	memset(plan, 0, sizeof(*plan));
	if ((r = opt_bool(cl, OPT_DEBUG, &plan->debug)) < 0 || (r = plan_report(cl, &plan->report)) < 0)
		return r; /* read first: a refused plan is still reported */
	if ((r = source_claim(cl, &plan->source, &plan->src_opts)) < 0 || (r = hook_claim(cl, &plan->hook)) < 0 ||
	    (r = plan_net(cl, plan)) < 0 || (r = plan_onerror(cl, plan)) < 0)
		return r;


	plan->layout.basedir = opt_get(cl, OPT_ARCHISOBASEDIR);
	if (!*plan->layout.basedir) /* archisobasedir= empty: the default, as absent */
		plan->layout.basedir = options[OPT_ARCHISOBASEDIR].def;
	plan->layout.arch = opt_get(cl, OPT_ARCH);
	if (plan->layout.arch && !*plan->layout.arch)
		plan->layout.arch = NULL; /* the machine's */
	if ((r = plan_cow(cl, plan)) < 0)
		return r;
	trust_defaults(&plan->trust);
	if ((r = opt_bool(cl, OPT_CHECKSUM, &plan->trust.sha512)) < 0 ||
	    (r = opt_bool(cl, OPT_CMS_VERIFY, &plan->trust.cms)) < 0 || (r = opt_bool(cl, OPT_VERIFY, &plan->trust.gpg)) < 0 ||
	    (r = plan_checks_covered(plan)) < 0)
		return r;
	if ((r = plan_fetch(cl, plan)) < 0)
		return r;
	if ((r = opt_bool(cl, OPT_COPY_RESOLVCONF, &plan->copy_resolvconf)) < 0)
		return r;
	plan->mount.rw = opt_word_pos(cl, OPT_RW) > opt_word_pos(cl, OPT_RO); /* the later word wins */

	plan->init = opt_get(cl, OPT_INIT);
	if (plan->init && plan->init[0] != '/')
		return log_err(-EINVAL, "cmdline init=\"%s\": not an absolute path", plan->init);
	plan->init_args = cl->init_args;
	plan->ninit_args = (unsigned)cl->ninit;
	return 0;
}

/* Print the plan for a person. */
void plan_explain(const struct plan *plan)
{
	if (plan->net == NET_NONE)
		log_info("plan: network none");
	for (unsigned i = 0; plan->net == NET_UP && i < plan->netcfg.n; i++) {
		const struct ip_conf *c = &plan->netcfg.conf[i];
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &c->client, a, sizeof(a));
		log_info("plan: network %s on %s%s%s", c->method == IPC_DHCP ? "dhcp" : "static",
			 c->device[0] ? c->device : "any interface", c->method == IPC_STATIC ? " address " : "",
			 c->method == IPC_STATIC ? a : "");
	}
	if (plan->source) {
		struct source_ctx ctx = plan_ctx(plan, NULL);
		plan->source->explain(&ctx);
		log_info("plan: checks:%s%s%s%s", plan->trust.sha512 ? " sha512" : "", plan->trust.cms ? " cms" : "",
			 plan->trust.gpg ? " gpg" : "", trust_any(&plan->trust) ? "" : " none");
	} else {
		log_info("plan: no root source on the command line");
	}
	log_info("plan: overlay tmpfs size %s", plan->mount.cow_size);
	log_info("plan: root %s", plan->mount.rw ? "rw (an ext2/3/4 image or an NFS export read-write as /, no overlay)"
						 : "ro (an image under the overlay; an NFS export read-only, or under the overlay with pxeroot.overlay=1)");
	hook_explain(&plan->hook);
	log_info("plan: init %s with %u argument(s)", plan->init ? plan->init : "/sbin/init (default)", plan->ninit_args);
	log_info("plan: on error %s, %u retries", onerror_name(plan->onerror), plan->retries);
	if (plan->report.url)
		log_info("plan: report to %s within %u s", plan->report.url, plan->report.timeout_s);
}
