/* plan.h - the boot plan: every option pxeroot understands, read once from the command line */
#ifndef PXEROOT_PLAN_H
#define PXEROOT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "fetch/fetch.h"
#include "verify/trust.h"
#include "cmdline.h"
#include "hook.h"
#include "mount/mount.h"
#include "net/ipconf.h"
#include "source/source.h"

enum net_mode { NET_NONE, NET_UP };
enum onerror { ONERR_RETRY, ONERR_SHELL, ONERR_REBOOT, ONERR_HALT, ONERR_POWEROFF };

struct plan {
	enum net_mode net;          /* whether the network stage runs */
	struct net_config netcfg;   /* ip=, BOOTIF=, nameserver=, rd.neednet=, pxeroot.{carrier,dhcp}_timeout= */

	const struct source *source; /* the source that claimed the command line; NULL: none */
	struct source_opts src_opts; /* its options */
	const char *basedir;        /* archisobasedir= */
	const char *arch;           /* arch=, else the machine's (uname, read once) */
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
	bool debug;                 /* pxeroot.debug */
};

/* Fill PLAN from CL. Values stay pointers into CL. A bad value is logged, quoted, and returns
 * -EINVAL. */
int plan_from_cmdline(const struct cmdline *cl, struct plan *plan);
/* Print the plan, one "pxeroot: plan: ..." line per item (pxeroot cmdline --explain). */
void plan_explain(const struct plan *plan);
/* Boolean option NAME into *OUT (kept when absent): a bare word is on, else one of y, yes, 1,
 * true, on / n, no, 0, false, off (any case); anything else -EINVAL (logged, quoted). */
int plan_get_bool(const struct cmdline *cl, const char *name, bool *out);
/* Decimal option NAME of at most MAX into *OUT (kept when absent); else -EINVAL (logged, quoted). */
int plan_get_uint(const struct cmdline *cl, const char *name, unsigned max, unsigned *out);
/* Check that V, the value of option NAME, is a tmpfs size (256M, 2G, 75%); 0 or -EINVAL (logged). */
int plan_check_size(const char *name, const char *v);
/* The machine's architecture as uname reports it (x86_64), read once. */
const char *plan_machine(void);
/* Where archiso keeps the root: <archisobasedir>/<arch= or the machine's> into OUT; 0 or
 * -ENAMETOOLONG. */
int plan_archiso(const struct plan *plan, char *out, size_t cap);
/* Name of an onerror action. */
const char *onerror_name(enum onerror e);

#endif
