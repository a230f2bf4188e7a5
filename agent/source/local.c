/* local.c - archiso's medium on a local block device. archiso's archisolabel=, archisodevice=,
 * archisosearchuuid=, archisosearchfilename= and dracut's root=live:CDLABEL=|LABEL=|UUID=|/dev/…
 * name it. When syslinux MEMDISK started the machine, its ISO is mapped first (memdisk.c) and is
 * one of the devices. The devices are probed with libblkid (blkdev.c) until the medium appears,
 * drivers loaded for what shows up, for rootdelay= seconds at most, said on the console; then the
 * medium is mounted read-only and archiso's image taken from it (archiso.c). A device that holds
 * a squashfs or erofs itself is the root as it is. */
#define _GNU_SOURCE
#include "source/local.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "modules.h"
#include "paths.h"
#include "plan.h"
#include "source/blkdev.h"
#include "source/memdisk.h"

#define SAY_EVERY_MS 5000 /* a "still waiting" line this often */
#define POLL_MS 250
#define DEVS_MAX 64       /* block devices looked at */

static_assert(sizeof(struct local_opts) <= SOURCE_OPTS_MAX, "local_opts fits in the plan");

static const char *const local_modules[] = {
	"ata_piix", "ata_generic", "ahci", "sr_mod", "sd_mod", "virtio_blk", "virtio_scsi", "nvme",
	"usb_storage", "uas", "xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd",
	"isofs", "vfat", "nls_cp437", "nls_ascii", "ext4", "phram", "mtdblock", NULL,
};

/* The options in PLAN. */
static const struct local_opts *opts_of(const struct plan *plan)
{
	return (const struct local_opts *)plan->src_opts.b;
}

/* What is being looked for, for messages. */
static const char *wanted(const struct local_opts *o, char *buf, size_t cap)
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

/* The hunt's state: what it looks for, the devices of the last look, what it searched already. */
struct hunt {
	const struct local_opts *o;
	struct devinfo devs[DEVS_MAX];
	size_t ndevs;
	char tried[DEVS_MAX][64];
	size_t ntried;
};

/* Whether D holds the file archisosearchfilename= names (mounted for a moment; once per device). */
static bool holds_file(struct hunt *h, const struct devinfo *d)
{
	struct stat st;
	char path[600];
	for (size_t i = 0; i < h->ntried; i++)
		if (!strcmp(h->tried[i], d->dev))
			return false;
	if (h->ntried < DEVS_MAX)
		snprintf(h->tried[h->ntried++], sizeof(h->tried[0]), "%s", d->dev);
	if (!d->type[0] || !strcmp(d->type, "squashfs") || !strcmp(d->type, "erofs") || !strcmp(d->type, "swap") ||
	    mkdir_p(SEARCH_DIR) < 0)
		return false;
	mod_load_fs(d->type);
	if (mount(d->dev, SEARCH_DIR, d->type, MS_RDONLY, NULL) < 0) {
		log_debug("media: %s (%s) cannot be mounted to look into: %s", d->dev, d->type, strerror(errno));
		return false;
	}
	snprintf(path, sizeof(path), "%s%s%s", SEARCH_DIR, h->o->search[0] == '/' ? "" : "/", h->o->search);
	bool yes = stat(path, &st) == 0;
	umount_quiet(SEARCH_DIR);
	log_debug("media: %s %s %s", d->dev, yes ? "holds" : "does not hold", h->o->search);
	return yes;
}

/* Walk step: keep the device (DEVS_MAX at most). */
static int collect(const struct devinfo *d, void *ctx)
{
	struct hunt *h = ctx;
	if (h->ndevs < DEVS_MAX)
		h->devs[h->ndevs++] = *d;
	return 0;
}

/* Look once: the named device over every device first, then (searching) a device holding the
 * file, as archiso does; the medium into *FOUND. */
static bool look(struct hunt *h, struct devinfo *found)
{
	h->ndevs = 0;
	blkdev_each(collect, h);
	const struct devinfo *d = NULL;
	for (size_t i = 0; h->o->has_dev && !d && i < h->ndevs; i++)
		if (devspec_match(&h->o->dev, &h->devs[i]))
			d = &h->devs[i];
	for (size_t i = 0; h->o->search && !d && i < h->ndevs; i++)
		if (holds_file(h, &h->devs[i]))
			d = &h->devs[i];
	if (d)
		*found = *d;
	return d != NULL;
}

/* The devices of the last look, for the final line: "sr0 iso9660 LABEL=X, vda (no filesystem)". */
static const char *devices_seen(const struct hunt *h, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < h->ndevs && n + 80 < cap; i++) {
		const struct devinfo *d = &h->devs[i];
		n += (size_t)snprintf(buf + n, cap - n, "%s%s %s%s%s", n ? ", " : "", d->dev + 5, d->type[0] ? d->type : "(no filesystem)",
				      d->label[0] ? " LABEL=" : "", d->label);
	}
	return n ? buf : "none";
}

/* Wait, bounded by rootdelay=, for the medium; loading drivers for devices that appear. */
static int wait_medium(const struct local_opts *o, struct devinfo *found)
{
	static struct hunt h; /* some 40 KiB; one boot looks for one medium at a time */
	char what[400], seen[512];
	uint64_t start = now_ms(), say = start + SAY_EVERY_MS, end = start + (uint64_t)o->wait_s * 1000;
	h = (struct hunt){.o = o};
	for (bool said = false;; said = true) {
		if (look(&h, found)) {
			if (said)
				log_info("media: %s appeared after %.1f s", found->dev, (double)(now_ms() - start) / 1000);
			return 0;
		}
		uint64_t now = now_ms();
		if (!said)
			log_info("media: waiting up to %u s (rootdelay=) for %s", o->wait_s, wanted(o, what, sizeof(what)));
		if (now >= end)
			break;
		if (now >= say) {
			log_info("media: still waiting for %s: %llu s of %u", wanted(o, what, sizeof(what)),
				 (unsigned long long)(now - start) / 1000, o->wait_s);
			say += SAY_EVERY_MS;
		}
		sleep_ms(POLL_MS);
		mod_coldplug(); /* a controller's driver makes disks appear, which want theirs */
	}
	return log_err(-ENODEV, "media: %s did not appear within %u s (rootdelay=); block devices: %s", wanted(o, what, sizeof(what)),
		       o->wait_s, devices_seen(&h, seen, sizeof(seen)));
}

/* The medium, found, mounted, and the image on it (or the device itself when it holds the root). */
static int local_get(const struct plan *plan, const struct net_result *net, struct root *root)
{
	const struct local_opts *o = opts_of(plan);
	char md[32] = "", what[400];
	struct devinfo d;
	(void)net;
	int r = memdisk_map(false, md, sizeof(md));
	if (r < 0)
		log_info("media: MEMDISK's ISO could not be mapped; looking among the other block devices");
	if ((r = wait_medium(o, &d)) < 0)
		return r;
	if (!d.type[0])
		return log_err(-EMEDIUMTYPE, "media: %s is %s, which holds no filesystem libblkid knows", wanted(o, what, sizeof(what)), d.dev);
	log_info("media: %s is %s (%s%s%s)", wanted(o, what, sizeof(what)), d.dev, d.type, d.label[0] ? ", LABEL=" : "", d.label);
	if (!strcmp(d.type, "squashfs") || !strcmp(d.type, "erofs")) {
		*root = (struct root){.kind = ROOT_BLOCK};
		snprintf(root->path, sizeof(root->path), "%s", d.dev);
		return 0;
	}
	const char *kept = !strncmp(d.dev, "/dev/sr", 7) ? "it is on an optical drive" : !strcmp(d.dev, md) ? MEMDISK_KEPT : NULL;
	return archiso_from_device(plan, "media", d.dev, d.type, o->copytoram, o->ram_size, kept, root);
}

/* The image copy, the medium and a search mount go. */
static void local_undo(void)
{
	umount_quiet(IMG_DIR);
	umount_quiet(MEDIA_DIR);
	umount_quiet(SEARCH_DIR);
}

/* DEV parsed into O as the medium OPTION names; -EINVAL after the line quoting it. */
static int take_dev(struct local_opts *o, const char *option, const char *value, const char *shown)
{
	if (devspec_parse(value, &o->dev) < 0)
		return log_err(-EINVAL, "cmdline %s\"%s\": not a device (LABEL=, CDLABEL=, UUID=, PARTUUID=, PARTLABEL=, /dev/disk/by-*/…, /dev/NAME)",
			       option, shown);
	o->has_dev = true;
	o->option = option;
	return 1;
}

/* archiso's device options (archisosearch* over archisodevice= over archisolabel=, as archiso
 * reads them) or dracut's root=live:<device>; rootdelay=, copytoram=, copytoram_size=. */
static int local_claim(const struct cmdline *cl, struct local_opts *o)
{
	const char *root = cmdline_get(cl, "root"), *label = cmdline_get(cl, "archisolabel");
	const char *dev = cmdline_get(cl, "archisodevice"), *uuid = cmdline_get(cl, "archisosearchuuid");
	char tag[300];
	o->search = cmdline_get(cl, "archisosearchfilename");
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
	*o = (struct local_opts){.wait_s = LOCAL_WAIT_S};
	int r = local_claim(cl, o);
	if (r <= 0)
		return r;
	if ((r = plan_get_uint(cl, "rootdelay", 3600, &o->wait_s)) < 0 ||
	    (r = archiso_claim_copy(cl, COPY_AUTO, &o->copytoram, &o->ram_size)) < 0)
		return r;
	return 1;
}

/* Where the image comes from. */
static void local_explain(const struct plan *plan)
{
	const struct local_opts *o = opts_of(plan);
	char what[400];
	static const char *const copy[] = {[COPY_N] = "used in place (copytoram=n)", [COPY_Y] = "copied into RAM (copytoram=y)",
					   [COPY_AUTO] = "copied into RAM when archiso's copytoram=auto rule says so"};
	log_info("plan: root archiso's image under %s/%s on the local medium %s, waited for up to %u s (rootdelay=); an ISO syslinux MEMDISK left in RAM is one of the devices",
		 plan->basedir, plan->arch ? plan->arch : "<machine>", wanted(o, what, sizeof(what)), o->wait_s);
	log_info("plan: the image is %s", copy[o->copytoram]);
}

const struct source local_source = {
	.name = "local",
	.options = "archisolabel=, archisodevice=, archisosearchuuid=, archisosearchfilename= or root=live:LABEL=",
	.needs_net = false,
	.modules = local_modules,
	.claim = local_claim_all,
	.get = local_get,
	.undo = local_undo,
	.explain = local_explain,
};
