/* plan.h - the boot plan: the options (options.h) read once from the command line into what each
 * stage needs */
#ifndef PXEROOT_PLAN_H
#define PXEROOT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "fetch/fetch.h"
#include "verify/trust.h"
#include "cmdline.h"
#include "hook.h"
#include "layout.h"
#include "mount/mount.h"
#include "net/ipconf.h"
#include "report.h"
#include "source/source.h"

enum net_mode { NET_NONE, NET_UP };
enum onerror { ONERR_RETRY, ONERR_SHELL, ONERR_REBOOT, ONERR_HALT, ONERR_POWEROFF };

struct plan {
	enum net_mode net;          /* whether the network stage runs */
	struct net_config netcfg;   /* ip=, BOOTIF=, nameserver=, rd.neednet=, pxeroot.{carrier,dhcp}_timeout= */

	const struct source *source; /* the source that claimed the command line; NULL: none */
	struct source_opts src_opts; /* its options */
	struct layout layout;       /* archisobasedir=, arch= (NULL: the machine's) */
	struct trust trust;         /* checksum=y, cms_verify=y, verify=y and the trust material */
	struct fetch_config fetch;  /* pxeroot.ca=, proxy=, pxeroot.{connect_timeout,stall_timeout,timeout,fetch_retries}= */
	bool copy_resolvconf;       /* copy_resolvconf= (default y): resolv.conf into the new root */
	struct mount_opts mount;    /* the kernel's rw after its last ro; cow_spacesize= / rd.live.overlay.size= */
	char cow_mib[24];           /* rd.live.overlay.size=N (dracut's MiB) as the tmpfs size "NM" */

	struct hook_plan hook;      /* script=, pxeroot.script_sha512=, pxeroot.script_required= */
	const char *init;           /* init= (NULL: the default list) */
	const char *const *init_args;
	unsigned ninit_args;

	enum onerror onerror;       /* pxeroot.onerror= */
	unsigned retries;           /* pxeroot.retries= */
	struct report_plan report;  /* pxeroot.report=, pxeroot.report_timeout= */
	bool debug;                 /* pxeroot.debug */
};

/* Fill PLAN from CL. Values stay pointers into CL. A bad value is logged, quoted, and returns
 * -EINVAL. */
int plan_from_cmdline(const struct cmdline *cl, struct plan *plan);
/* Print the plan, one "pxeroot: plan: ..." line per item (pxeroot cmdline --explain). */
void plan_explain(const struct plan *plan);
/* What the plan's source sees (its options and the shared facts), with the network stage's NET
 * (NULL before it, and for explain). */
struct source_ctx plan_ctx(const struct plan *plan, const struct net_result *net);
/* Name of an onerror action. */
const char *onerror_name(enum onerror e);

#endif
