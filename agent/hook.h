/* hook.h - the script= hook: got and checked in the initramfs, run once in the booted system */
#ifndef PXEROOT_HOOK_H
#define PXEROOT_HOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"

struct net_result;
struct trust;
struct fetch_config;

#define HOOK_UNIT "pxeroot-script.service"   /* under /run/systemd/system when the new root runs systemd */

/* script=, pxeroot.script_sha512=, pxeroot.script_required= as the plan holds them. */
struct hook_plan {
	const char *script;    /* script=: an http(s):// or tftp:// URL, or a path inside the new root; NULL: none */
	bool url;              /* SCRIPT is a URL (the network is needed) */
	bool pinned;           /* pxeroot.script_sha512= was given */
	uint8_t sha512[64];    /* its value */
	bool required;         /* pxeroot.script_required=1: a script not run is a failure */
};

/* Read the hook's options from CL into H (hook_opts.c, as hook_explain). 0, or -EINVAL after the
 * line quoting a bad value. */
int hook_claim(const struct cmdline *cl, struct hook_plan *h);
/* Get the script H names (fetched into HOOK_SCRIPT by the transfer policy FETCH, or found in
 * NEWROOT), check it as TRUST asks (verify=y / cms_verify=y want its .sig / .cms.sig; checksum=y
 * is the image's alone) and against the pinned hash, and arrange for
 * it to run: a systemd unit when INIT (inside NEWROOT) is systemd, else, when STARTS_INIT (pxeroot
 * execs init itself), hook_start() just before init. A script that is not run gets one line
 * saying why; 0 then, unless it is required (a negative errno). */
int hook_prepare(const struct hook_plan *h, const struct trust *trust, const struct fetch_config *fetch,
		 const struct net_result *net, const char *newroot, const char *init, bool starts_init);
/* Remove every file hook_prepare may have left (the script, its companions, the runner, the
 * systemd unit): a root that is given up runs nothing. Quiet; safe when there is none. */
void hook_undo(void);
/* In the new root, just before init is exec'd: start the runner in a child when hook_prepare
 * asked for it. */
void hook_start(void);
/* One "plan: ..." line. */
void hook_explain(const struct hook_plan *h);

#endif
