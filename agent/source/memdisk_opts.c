/* memdisk_opts.c - the MEMDISK source's options: pxeroot.memdisk (or the bare word memdisk) with
 * copytoram= and copytoram_size=. No I/O: finding and mapping the ISO is memdisk.c's. */
#include "source/memdisk.h"

#include <assert.h>

#include "log.h"
#include "options.h"

static_assert(sizeof(struct memdisk_opts) <= SOURCE_OPTS_MAX, "memdisk_opts fits in the plan");

static const char *const memdisk_modules[] = {"phram", "mtdblock", NULL}; /* isofs: the mount stage lists it */

/* pxeroot.memdisk (or the bare word memdisk), with copytoram= and copytoram_size=. */
static int memdisk_claim(const struct cmdline *cl, struct source_opts *opts)
{
	struct memdisk_opts *o = (struct memdisk_opts *)opts->b;
	bool on = opt_word_pos(cl, OPT_MEMDISK_WORD) >= 0;
	int r;
	*o = (struct memdisk_opts){0};
	if ((r = opt_bool(cl, OPT_MEMDISK, &on)) < 0)
		return r;
	if (!on)
		return 0;
	return (r = copytoram_claim(cl, COPY_N, &o->copytoram, &o->ram_size)) < 0 ? r : 1;
}

/* Where the image comes from. */
static void memdisk_explain(const struct source_ctx *ctx)
{
	const struct memdisk_opts *o = (const struct memdisk_opts *)ctx->opts->b;
	log_info("plan: root the ISO syslinux MEMDISK left in RAM (mBFT, phram, mtdblock), archiso's image under %s, %s",
		 layout_shown(ctx->layout), o->copytoram ? "copied into RAM" : "used in place");
}

/* The ISO is in RAM that MEMDISK reserved: the image is checked there (or while copied) and
 * nothing but this machine can change it afterwards. */
static const char *memdisk_unchecked(const struct source_opts *opts)
{
	(void)opts;
	return NULL;
}

const struct source memdisk_source = {
	.name = "memdisk",
	.options = "pxeroot.memdisk",
	.needs_net = false,
	.modules = memdisk_modules,
	.claim = memdisk_claim,
	.explain = memdisk_explain,
	.unchecked = memdisk_unchecked,
};
