/* plan.h - the boot plan: every option pxeroot understands, read once from the command line */
#ifndef PXEROOT_PLAN_H
#define PXEROOT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "fetch/fetch.h"
#include "verify/trust.h"
#include "cmdline.h"
#include "net/ipconf.h"

enum net_mode { NET_NONE, NET_UP };
enum source_kind { SRC_NONE, SRC_HTTP };
enum onerror { ONERR_RETRY, ONERR_SHELL, ONERR_REBOOT, ONERR_HALT, ONERR_POWEROFF };

struct plan {
	enum net_mode net;          /* whether the network stage runs */
	struct net_config netcfg;   /* ip=, BOOTIF=, nameserver=, rd.neednet= */
	unsigned carrier_timeout_s; /* pxeroot.carrier_timeout= */
	unsigned dhcp_timeout_s;    /* pxeroot.dhcp_timeout= */

	enum source_kind source;
	const char *http_srv;       /* archiso_http_srv= (raw, may hold ${pxeserver}) */
	const char *live_url;       /* root=live:<url> */
	const char *basedir;        /* archisobasedir= */
	const char *arch;           /* arch= */
	const char *http_spc;       /* archiso_http_spc= tmpfs size for the image */
	struct trust trust;         /* checksum=y, cms_verify=y, verify=y and the trust material */
	const char *ca_bundle;      /* pxeroot.ca= (HTTPS); NULL: the built-in bundle */
	const char *mirrors[MIRRORS_MAX - 1]; /* pxeroot.mirror= (repeatable), tried in order */
	unsigned nmirrors;
	struct fetch_config fetch;  /* proxy=, pxeroot.{connect_timeout,stall_timeout,timeout,fetch_retries}= */
	bool copy_resolvconf;       /* copy_resolvconf= (default y): resolv.conf into the new root */
	bool rw;                    /* the kernel's rw after its last ro: an ext2/3/4 image is / read-write */

	const char *cow_size;       /* cow_spacesize= / rd.live.overlay.size= */
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
/* Name of an onerror action. */
const char *onerror_name(enum onerror e);

#endif
