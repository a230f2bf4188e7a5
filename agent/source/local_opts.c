/* local_opts.c - the local-media source's options: archiso's archisolabel=, archisodevice=,
 * archisosearchuuid=, archisosearchfilename=, dracut's root=live:CDLABEL=|LABEL=|UUID=|/dev/...;
 * rootdelay=, copytoram=, copytoram_size=. No I/O: the hunt for the medium is local.c's. */
#include "source/local.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "options.h"

static_assert(sizeof(struct local_opts) <= SOURCE_OPTS_MAX, "local_opts fits in the plan");

static const char *const local_modules[] = {
	"ata_piix", "ata_generic", "ahci", "sr_mod", "sd_mod", "virtio_blk", "virtio_scsi", "nvme",
	"usb_storage", "uas", "xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd",
	"isofs", "udf", "vfat", "nls_cp437", "nls_ascii", "ext4", "phram", "mtdblock", "nfit", "nd_pmem", NULL,
};

/* What is being looked for, for messages. */
const char *local_wanted(const struct local_opts *o, char *buf, size_t cap)
{
	char spec[300];
	if (o->search && o->has_dev)
		snprintf(buf, cap, "%s or a device holding %s (%s)", devspec_str(&o->dev, spec, sizeof(spec)), o->search, o->option);
	else if (o->search)
		snprintf(buf, cap, "a device holding %s (%s)", o->search, o->option);
	else
		snprintf(buf, cap, "%s (%s)", devspec_str(&o->dev, spec, sizeof(spec)), o->option);
	return buf;
}

/* DEV parsed into O as the medium OPTION names; -EINVAL after the line quoting it. */
static int take_dev(struct local_opts *o, const char *option, const char *value, const char *shown)
{
	if (devspec_parse(value, &o->dev) < 0)
		return log_err(-EINVAL, "cmdline %s\"%s\": not a device (LABEL=, CDLABEL=, UUID=, PARTUUID=, PARTLABEL=, /dev/disk/by-*/..., /dev/NAME)",
			       option, shown);
	o->has_dev = true;
	o->option = option;
	return 1;
}

/* archiso's device options (archisosearch* over archisodevice= over archisolabel=, as archiso
 * reads them) or dracut's root=live:<device>; rootdelay=, copytoram=, copytoram_size=. */
static int local_claim(const struct cmdline *cl, struct local_opts *o)
{
	const char *root = opt_get(cl, OPT_ROOT), *label = opt_get(cl, OPT_ARCHISOLABEL);
	const char *dev = opt_get(cl, OPT_ARCHISODEVICE), *uuid = opt_get(cl, OPT_ARCHISOSEARCHUUID);
	char tag[300];
	o->search = opt_get(cl, OPT_ARCHISOSEARCHFILENAME);
	if (uuid && uuid[0]) {
		snprintf(tag, sizeof(tag), "UUID=%s", uuid);
		if (take_dev(o, "archisosearchuuid=", tag, uuid) < 0)
			return -EINVAL;
		if (!o->search) {
			static char file[300]; /* one command line per process */
			snprintf(file, sizeof(file), "/boot/%s.uuid", uuid);
			o->search = file;
		}
	} else if (o->search) {
		o->option = "archisosearchfilename=";
	} else if (dev && dev[0]) {
		return take_dev(o, "archisodevice=", dev, dev);
	} else if (label && label[0]) {
		snprintf(tag, sizeof(tag), "LABEL=%s", label);
		return take_dev(o, "archisolabel=", tag, label);
	} else if (root && !strncmp(root, "live:", 5) && !strstr(root, "://")) {
		return take_dev(o, "root=live:", root + 5, root + 5);
	} else {
		return 0;
	}
	if (!o->search[0] || strstr(o->search, "/../"))
		return log_err(-EINVAL, "cmdline archisosearchfilename=\"%s\": not a file path", o->search);
	return 1;
}

/* The medium's options, then how long to wait and whether to copy. */
static int local_claim_all(const struct cmdline *cl, struct source_opts *opts)
{
	struct local_opts *o = (struct local_opts *)opts->b;
	*o = (struct local_opts){0};
	int r = local_claim(cl, o);
	if (r <= 0)
		return r;
	if ((r = opt_uint(cl, OPT_ROOTDELAY, &o->wait_s)) < 0 ||
	    (r = copytoram_claim(cl, COPY_AUTO, &o->copytoram, &o->ram_size)) < 0)
		return r;
	return 1;
}

/* Where the image comes from. */
static void local_explain(const struct source_ctx *ctx)
{
	const struct local_opts *o = (const struct local_opts *)ctx->opts->b;
	char what[400];
	static const char *const copy[] = {[COPY_N] = "used in place (copytoram=n)", [COPY_Y] = "copied into RAM (copytoram=y)",
					   [COPY_AUTO] = "copied into RAM when archiso's copytoram=auto rule says so"};
	log_info("plan: root archiso's image under %s on the local medium %s, waited for up to %u s (rootdelay=); an ISO syslinux MEMDISK or UEFI firmware left in RAM is one of the devices",
		 layout_shown(ctx->layout), local_wanted(o, what, sizeof(what)), o->wait_s);
	log_info("plan: the image is %s", trust_any(ctx->trust) && o->copytoram == COPY_AUTO
					    ? "copied into RAM and checked as it is copied (checks asked for; an ISO MEMDISK or UEFI firmware left in RAM: checked in place)"
					    : copy[o->copytoram]);
}

/* The image is checked while it is copied into RAM (or where it is on MEMDISK's ISO, in RAM
 * already); with copytoram=n it would be read from the medium again. A device that holds the
 * root filesystem itself has no companion files: refused when the medium is found. */
static const char *local_unchecked(const struct source_opts *opts)
{
	const struct local_opts *o = (const struct local_opts *)opts->b;
	return o->copytoram == COPY_N ? "with copytoram=n the image would be read from the medium again after its checks (copytoram=y or auto boots the checked copy)" : NULL;
}

const struct source local_source = {
	.name = "local",
	.options = "archisolabel=, archisodevice=, archisosearchuuid=, archisosearchfilename= or root=live:LABEL=",
	.needs_net = false,
	.modules = local_modules,
	.claim = local_claim_all,
	.explain = local_explain,
	.unchecked = local_unchecked,
};
