/* plan.c - options -> boot plan. Every option name pxeroot reads is in this file. */
#define _GNU_SOURCE
#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* archiso/mkinitcpio truth: a bare word or y/yes/1 means on. */
static bool flag_on(const char *v)
{
	return v && (!*v || !strcmp(v, "y") || !strcmp(v, "yes") || !strcmp(v, "1"));
}

/* Parse a non-negative decimal VALUE of option NAME into *OUT, keeping *OUT when absent. */
static int get_uint(const struct cmdline *cl, const char *name, unsigned max, unsigned *out)
{
	const char *v = cmdline_get(cl, name);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || errno || n > max || !isdigit((unsigned char)*v))
		return log_err(-EINVAL, "cmdline %s=\"%s\": not a number from 0 to %u", name, v, max);
	*out = (unsigned)n;
	return 0;
}

/* A tmpfs size: digits then k/m/g (any case) or %. */
static int check_size(const char *name, const char *v)
{
	const char *p = v;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == v || (*p && (p[1] || !strchr("kKmMgG%", *p))))
		return log_err(-EINVAL, "cmdline %s=\"%s\": not a size like 256M, 2G or 75%%", name, v);
	return 0;
}

/* ip=: only the automatic forms so far. */
static int plan_net(const struct cmdline *cl, struct plan *plan)
{
	const char *ip = cmdline_get(cl, "ip");
	plan->net = plan->source == SRC_HTTP ? NET_DHCP : NET_NONE;
	if (!ip)
		return 0;
	if (!strcmp(ip, "dhcp") || !strcmp(ip, "on") || !strcmp(ip, "any") || !strcmp(ip, "bootp"))
		plan->net = NET_DHCP;
	else if (!strcmp(ip, "off") || !strcmp(ip, "none"))
		plan->net = NET_NONE;
	else
		return log_err(-EINVAL, "cmdline ip=\"%s\": unsupported form (this build knows dhcp, on, any, bootp, off, none)", ip);
	if (plan->net == NET_NONE && plan->source == SRC_HTTP)
		return log_err(-EINVAL, "cmdline ip=\"%s\": the root is fetched over HTTP and needs the network", ip);
	return 0;
}

/* Where the root comes from: archiso_http_srv= or root=live:URL. */
static int plan_source(const struct cmdline *cl, struct plan *plan)
{
	const char *root = cmdline_get(cl, "root");
	plan->http_srv = cmdline_get(cl, "archiso_http_srv");
	if (plan->http_srv && !*plan->http_srv)
		return log_err(-EINVAL, "cmdline archiso_http_srv=\"\": empty URL");
	if (root && !strncmp(root, "live:", 5)) {
		plan->live_url = root + 5;
		if (strncmp(plan->live_url, "http://", 7) && strncmp(plan->live_url, "https://", 8))
			return log_err(-EINVAL, "cmdline root=\"%s\": only http:// and https:// live images are supported", root);
	}
	if (plan->http_srv || plan->live_url)
		plan->source = SRC_HTTP;
	return 0;
}

static const char *const onerror_names[] = {"retry", "shell", "reboot", "halt", "poweroff"};
#define N_ONERROR (sizeof(onerror_names) / sizeof(onerror_names[0]))

/* The failure policy. */
static int plan_onerror(const struct cmdline *cl, struct plan *plan)
{
	const char *v = cmdline_get(cl, "pxeroot.onerror");
	plan->onerror = ONERR_RETRY;
	if (v) {
		size_t i;
		for (i = 0; i < N_ONERROR; i++)
			if (!strcmp(v, onerror_names[i]))
				break;
		if (i == N_ONERROR)
			return log_err(-EINVAL, "cmdline pxeroot.onerror=\"%s\": not one of retry, shell, reboot, halt, poweroff", v);
		plan->onerror = (enum onerror)i;
	}
	plan->retries = 3;
	return get_uint(cl, "pxeroot.retries", 100, &plan->retries);
}

/* Name of onerror action E. */
const char *onerror_name(enum onerror e)
{
	return onerror_names[e];
}

/* Read every option into PLAN. */
int plan_from_cmdline(const struct cmdline *cl, struct plan *plan)
{
	int r;
	memset(plan, 0, sizeof(*plan));
	plan->debug = cmdline_has(cl, "pxeroot.debug");
	if ((r = plan_source(cl, plan)) < 0 || (r = plan_net(cl, plan)) < 0 || (r = plan_onerror(cl, plan)) < 0)
		return r;

	plan->carrier_timeout_s = 10;
	plan->dhcp_timeout_s = 60;
	if ((r = get_uint(cl, "pxeroot.carrier_timeout", 3600, &plan->carrier_timeout_s)) < 0 ||
	    (r = get_uint(cl, "pxeroot.dhcp_timeout", 3600, &plan->dhcp_timeout_s)) < 0)
		return r;

	plan->basedir = cmdline_get(cl, "archisobasedir");
	if (!plan->basedir || !*plan->basedir)
		plan->basedir = "arch";
	plan->arch = cmdline_get(cl, "arch");
	if (!plan->arch || !*plan->arch)
		plan->arch = NULL; /* machine's, filled by the caller from uname */
	plan->http_spc = cmdline_get(cl, "archiso_http_spc");
	if (!plan->http_spc)
		plan->http_spc = "75%";
	plan->cow_size = cmdline_get(cl, "cow_spacesize");
	if (!plan->cow_size)
		plan->cow_size = cmdline_get(cl, "rd.live.overlay.size");
	if (!plan->cow_size)
		plan->cow_size = "256M";
	if ((r = check_size("archiso_http_spc", plan->http_spc)) < 0 ||
	    (r = check_size("cow_spacesize", plan->cow_size)) < 0)
		return r;
	plan->checksum = flag_on(cmdline_get(cl, "checksum"));
	const char *cr = cmdline_get(cl, "copy_resolvconf");
	plan->copy_resolvconf = !cr || flag_on(cr);

	plan->init = cmdline_get(cl, "init");
	if (plan->init && plan->init[0] != '/')
		return log_err(-EINVAL, "cmdline init=\"%s\": not an absolute path", plan->init);
	plan->init_args = cl->init_args;
	plan->ninit_args = (unsigned)cl->ninit;
	return 0;
}

/* Print the plan for a person. */
void plan_explain(const struct plan *plan)
{
	log_info("plan: network %s", plan->net == NET_DHCP ? "dhcp" : "none");
	if (plan->source == SRC_HTTP) {
		if (plan->live_url)
			log_info("plan: root image %s", plan->live_url);
		else
			log_info("plan: root image %s%s/%s/airootfs.sfs", plan->http_srv, plan->basedir,
				 plan->arch ? plan->arch : "<machine>");
		log_info("plan: image tmpfs size %s, checksum %s", plan->http_spc, plan->checksum ? "sha512" : "off");
	} else {
		log_info("plan: no root source on the command line");
	}
	log_info("plan: overlay tmpfs size %s", plan->cow_size);
	log_info("plan: init %s with %u argument(s)", plan->init ? plan->init : "/sbin/init (default)", plan->ninit_args);
	log_info("plan: on error %s, %u retries", onerror_name(plan->onerror), plan->retries);
}
