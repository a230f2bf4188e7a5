/* source.h - where a root comes from. A source claims the command line, says whether it needs the
 * network, gets the root and undoes what it set up; the mount stage, the checks, the prepare stage
 * and the failure policy are the same for every source. Adding one: a file in this folder and a
 * line in the table of source.c. */
#ifndef PXEROOT_SOURCE_H
#define PXEROOT_SOURCE_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"
#include "mount/mount.h"

struct plan;
struct net_result;

/* A source's options as its claim read them: its own struct, kept in the plan. */
#define SOURCE_OPTS_MAX 512
struct source_opts {
	alignas(max_align_t) unsigned char b[SOURCE_OPTS_MAX];
};

struct source {
	const char *name;
	const char *options;        /* the options that select it, for messages ("archiso_http_srv= or ...") */
	bool needs_net;             /* the network stage must bring an interface up */
	const char *const *modules; /* kernel modules it may load (NULL-terminated; NULL: none) */
	/* Whether CL asks for this source: 1, 0, or a negative errno after the line quoting the
	 * malformed option. What it read goes into OPTS (plan->src_opts for get and explain). */
	int (*claim)(const struct cmdline *cl, struct source_opts *opts);
	/* Get the root for PLAN into ROOT. 0, or a negative errno after the line naming the cause,
	 * with nothing of it left behind. */
	int (*get)(const struct plan *plan, const struct net_result *net, struct root *root);
	/* Undo what get set up (a retry starts clean; also after the mount stage failed). */
	void (*undo)(void);
	/* One "plan: ..." line per item (pxeroot cmdline --explain). */
	void (*explain)(const struct plan *plan);
	/* Why the requested checks (checksum=, verify=, cms_verify=) could not cover exactly the
	 * bytes this source hands to the mount stage, with the options in OPTS: a phrase for the
	 * refusal, or NULL when every check covers them. Every source sets it; the plan refuses a
	 * check the source cannot make (plan.c), before anything is touched. */
	const char *(*unchecked)(const struct source_opts *opts);
};

/* The source CL asks for into *OUT (NULL: none) and its options into OPTS: every source checks
 * its options, in the table's order, and the first that claims the line wins. 0, or a negative
 * errno (logged) for a malformed option. */
int source_claim(const struct cmdline *cl, const struct source **out, struct source_opts *opts);
/* The options of every source, joined with " or ", for the line that says no source was asked for. */
const char *source_options(void);
/* Every source, in the table's order, NULL-terminated. */
extern const struct source *const sources[];

#endif
