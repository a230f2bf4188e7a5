/* source.h - where a root comes from. A source claims the command line, says whether it needs the
 * network, gets the root and undoes what it set up; the mount stage, the checks, the prepare stage
 * and the failure policy are the same for every source. A source has two halves: its options
 * (claim, explain, which checks it cannot make: NAME_opts.c, no I/O, a line in the table of
 * sources.c) and its I/O (get, undo: NAME.c, a line in the table of sources_io.c). What a source
 * sees of the plan is a struct source_ctx: its own options and the facts every source shares. */
#ifndef PXEROOT_SOURCE_H
#define PXEROOT_SOURCE_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"
#include "fetch/fetch.h"
#include "layout.h"
#include "mount/mount.h"
#include "verify/trust.h"

struct net_result;
struct report_root;

/* A source's options as its claim read them: its own struct, kept in the plan. */
#define SOURCE_OPTS_MAX 512
struct source_opts {
	alignas(max_align_t) unsigned char b[SOURCE_OPTS_MAX];
};

/* What a source's get and explain see. */
struct source_ctx {
	const struct source_opts *opts;   /* its own options, as its claim read them */
	const struct layout *layout;      /* archisobasedir=, arch= */
	const struct trust *trust;        /* the checks asked for and their material */
	const struct fetch_config *fetch; /* the transfer policy */
	const struct net_result *net;     /* the network stage's facts (get only; NULL in explain) */
	bool rw;                          /* the root asked read-write (the later of ro and rw) */
	struct report_root *facts;        /* what get fetched, for the boot report (report.h); NULL: nobody asks */
};

struct source {
	const char *name;
	const char *options;        /* the options that select it, for messages ("archiso_http_srv= or ...") */
	bool needs_net;             /* the network stage must bring an interface up */
	const char *const *modules; /* kernel modules it may load (NULL-terminated; NULL: none) */
	/* Whether CL asks for this source: 1, 0, or a negative errno after the line quoting the
	 * malformed option. What it read goes into OPTS (the plan keeps them for get and explain). */
	int (*claim)(const struct cmdline *cl, struct source_opts *opts);
	/* One "plan: ..." line per item (pxeroot cmdline --explain). */
	void (*explain)(const struct source_ctx *ctx);
	/* Why the requested checks (checksum=, verify=, cms_verify=) could not cover exactly the
	 * bytes this source hands to the mount stage, with the options in OPTS: a phrase for the
	 * refusal, or NULL when every check covers them. Every source sets it; the plan refuses a
	 * check the source cannot make (plan.c), before anything is touched. */
	const char *(*unchecked)(const struct source_opts *opts);
};

/* The I/O half of a source. */
struct source_io {
	const struct source *source;
	/* Get the root for CTX into ROOT. 0, or a negative errno after the line naming the cause,
	 * with nothing of it left behind. */
	int (*get)(const struct source_ctx *ctx, struct root *root);
	/* Undo what get set up (a retry starts clean; also after the mount stage failed). */
	void (*undo)(void);
};

#endif
