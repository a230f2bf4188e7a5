/* local.c - the local-media source's I/O: archiso's medium on a local block device. archiso's archisolabel=, archisodevice=,
 * archisosearchuuid=, archisosearchfilename= and dracut's root=live:CDLABEL=|LABEL=|UUID=|/dev/…
 * name it. When syslinux MEMDISK started the machine, its ISO is mapped first (memdisk.c) and is
 * one of the devices. The devices are probed with libblkid (blkdev.c) until the medium appears,
 * drivers loaded for what shows up, for rootdelay= seconds at most, said on the console; then the
 * medium is mounted read-only and archiso's image taken from it (archiso.c). A device that holds
 * a squashfs or erofs itself is the root as it is. The ISO UEFI firmware loaded by HTTP boot is a
 * RAM disk the ACPI NFIT table describes (fwdisk.c): mapped first too, and one of the devices. */
#define _GNU_SOURCE
#include "source/local.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "modules.h"
#include "paths.h"
#include "source/archiso.h"
#include "source/blkdev.h"
#include "source/fwdisk.h"
#include "source/memdisk.h"
#include "source/nfit.h"

#define SAY_EVERY_MS 5000 /* a "still waiting" line this often */
#define POLL_MS 250
#define MATCH_MAX 16      /* devices kept that match the name, or hold the file */
#define RAM_MAX (1 + NFIT_DISKS_MAX)

/* The filesystems archiso's media use: the only ones a device nobody named is looked into for
 * archisosearchfilename= (no other module is loaded for it). */
static const char *const media_types[] = {"iso9660", "udf", "vfat", "ext2", "ext3", "ext4", "squashfs", "erofs", NULL};


/* What the hunt learnt of one device, keyed on node and filesystem type (a disc put in later,
 * or another filesystem on the node, is a new device): whether it was looked into for
 * archisosearchfilename= and held the file, whether its image was refused by the checks. */
struct mark {
	char dev[64], type[32];
	bool looked, holds, refused;
};

/* The devices that are RAM already (MEMDISK's ISO, the firmware's RAM disks), or what was looked
 * for when there are none. */
struct ram {
	char dev[RAM_MAX][FWDISK_DEV_MAX];
	size_t n;
	bool memdisk; /* dev[0] is MEMDISK's */
	char none[240];
};

/* The hunt's state: what it looks for, the matches of the last look, what it learnt. */
struct hunt {
	const struct local_opts *o;
	bool searching;                  /* the second pass: devices holding the file */
	struct devinfo match[MATCH_MAX]; /* in walk order (removable devices first) */
	size_t nmatch, more;             /* kept, and matches past MATCH_MAX */
	char seen[1024];                 /* every device of the last look, for the final line */
	size_t nseen;
	struct mark *marks;
	size_t nmarks;
	size_t nrefused;
	uint64_t start, end;             /* the wait, bounded by rootdelay= */
	struct ram ram;
};

/* Whether TYPE is one of archiso's media filesystems. */
static bool media_type(const char *type)
{
	for (const char *const *t = media_types; *t; t++)
		if (!strcmp(type, *t))
			return true;
	return false;
}

/* What is known of D (NULL: nothing), or with ADD a new blank mark for it (NULL when out of memory). */
static struct mark *mark_of(struct hunt *h, const struct devinfo *d, bool add)
{
	for (size_t i = 0; i < h->nmarks; i++)
		if (!strcmp(h->marks[i].dev, d->dev) && !strcmp(h->marks[i].type, d->type))
			return &h->marks[i];
	struct mark *n = add ? realloc(h->marks, (h->nmarks + 1) * sizeof(*n)) : NULL;
	if (!n)
		return NULL;
	h->marks = n;
	n += h->nmarks++;
	*n = (struct mark){0};
	snprintf(n->dev, sizeof(n->dev), "%s", d->dev);
	snprintf(n->type, sizeof(n->type), "%s", d->type);
	return n;
}

/* Whether D holds the file archisosearchfilename= names: mounted for a moment, device and
 * filesystem read-only (blkdev_mount_ro), once per device and filesystem. A device without one of
 * archiso's filesystems (a drive with no disc yet) is not looked into, so not marked. */
static bool holds_file(struct hunt *h, const struct devinfo *d)
{
	struct stat st;
	char path[600];
	bool was_ro = false;
	struct mark *m = mark_of(h, d, false);
	if (m && m->looked)
		return m->holds;
	if (!media_type(d->type) || mkdir_p(SEARCH_DIR) < 0)
		return false;
	mod_load_fs(d->type);
	int r = blkdev_mount_ro(d->dev, SEARCH_DIR, d->type, &was_ro);
	bool yes = false;
	if (r < 0) {
		log_debug("media: %s (%s) cannot be mounted to look into: %s", d->dev, d->type, strerror(-r));
	} else {
		snprintf(path, sizeof(path), "%s%s%s", SEARCH_DIR, h->o->search[0] == '/' ? "" : "/", h->o->search);
		yes = stat(path, &st) == 0;
		blkdev_unmount(d->dev, SEARCH_DIR, was_ro);
		log_debug("media: %s %s %s", d->dev, yes ? "holds" : "does not hold", h->o->search);
	}
	if ((m = mark_of(h, d, true)))
		m->looked = true, m->holds = yes; /* else looked into again next time */
	return yes;
}

/* Walk step: note the device for the final line; keep it when it is the named device (first
 * pass) or holds the file (second pass) and its image was not refused yet. Every device is
 * matched, however many there are. */
static int walk_step(const struct devinfo *d, void *ctx)
{
	struct hunt *h = ctx;
	if (!h->searching && h->nseen + 200 < sizeof(h->seen))
		h->nseen += (size_t)snprintf(h->seen + h->nseen, sizeof(h->seen) - h->nseen, "%s%s %s%s%s", h->nseen ? ", " : "", d->dev + 5,
					     d->type[0] ? d->type : "(no filesystem)", d->label[0] ? " LABEL=" : "", d->label);
	const struct mark *m = mark_of(h, d, false);
	if (m && m->refused)
		return 0;
	bool hit = h->searching ? holds_file(h, d) : h->o->has_dev && devspec_match(&h->o->dev, d);
	if (hit && h->nmatch < MATCH_MAX)
		h->match[h->nmatch++] = *d;
	else if (hit)
		h->more++;
	return 0;
}

/* Look once: the named device over every device first, then (searching) the devices holding
 * the file, as archiso does. True when something matched (h->match). */
static bool look(struct hunt *h)
{
	h->nmatch = h->more = h->nseen = 0;
	h->seen[0] = '\0';
	h->searching = false;
	blkdev_each(walk_step, h);
	if (!h->nmatch && h->o->search) {
		h->searching = true;
		blkdev_each(walk_step, h);
	}
	return h->nmatch > 0;
}

/* Wait, bounded by rootdelay= from the hunt's start, for the medium (a device not refused yet);
 * loading drivers for devices that appear. */
static int wait_medium(struct hunt *h)
{
	const struct local_opts *o = h->o;
	char what[400];
	uint64_t say = now_ms() + SAY_EVERY_MS;
	for (bool said = false;; said = true) {
		if (look(h)) {
			if (said)
				log_info("media: %s appeared after %.1f s", h->match[0].dev, (double)(now_ms() - h->start) / 1000);
			return 0;
		}
		uint64_t now = now_ms();
		if (!said && h->nrefused)
			log_info("media: waiting up to %llu s more (rootdelay=) for another device that is %s", (unsigned long long)(h->end > now ? h->end - now : 0) / 1000,
				 local_wanted(o, what, sizeof(what)));
		else if (!said)
			log_info("media: waiting up to %u s (rootdelay=) for %s", o->wait_s, local_wanted(o, what, sizeof(what)));
		if (now >= h->end)
			break;
		if (now >= say) {
			log_info("media: still waiting for %s: %llu s of %u", local_wanted(o, what, sizeof(what)),
				 (unsigned long long)(now - h->start) / 1000, o->wait_s);
			say += SAY_EVERY_MS;
		}
		sleep_ms(POLL_MS);
		mod_coldplug(); /* a controller's driver makes disks appear, which want theirs */
	}
	if (h->nrefused)
		return log_err(-EBADMSG, "media: no device that is %s holds an image that passes the checks (%zu refused) within %u s (rootdelay=); block devices: %s",
			       local_wanted(o, what, sizeof(what)), h->nrefused, o->wait_s, h->nseen ? h->seen : "none");
	return log_err(-ENODEV, "media: %s did not appear within %u s (rootdelay=); block devices: %s%s%s", local_wanted(o, what, sizeof(what)),
		       o->wait_s, h->nseen ? h->seen : "none", h->ram.n ? "" : "; ", h->ram.n ? "" : h->ram.none);
}

/* "/dev/sda (iso9660, LABEL=X)" for D into BUF. */
static const char *dev_str(const struct devinfo *d, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s (%s%s%s)", d->dev, d->type[0] ? d->type : "no filesystem", d->label[0] ? ", LABEL=" : "", d->label);
	return buf;
}

/* One line naming every match when there are several (a by-label link would silently take one). */
static void say_matches(const struct hunt *h, const char *what, bool checks)
{
	char list[1200], one[400];
	size_t n = 0;
	if (h->nmatch + h->more < 2)
		return;
	list[0] = '\0';
	for (size_t i = 0; i < h->nmatch && n + 10 < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", dev_str(&h->match[i], one, sizeof(one)));
	log_info("media: %zu devices match %s: %s%s; %s", h->nmatch + h->more, what, list, h->more ? " and more" : "",
		 checks ? "each is tried in this order until one holds an image that passes the checks" : "the first is taken (no check asked for)");
}

/* Take the root from device D: its archiso image, or D itself when it holds a squashfs or erofs
 * (refused when checks are asked for: there are no companion files beside a bare filesystem). */
static int take(const struct source_ctx *ctx, const struct devinfo *d, const struct ram *ram, struct root *root)
{
	const struct local_opts *o = (const struct local_opts *)ctx->opts->b;
	char checks[64];
	if (!d->type[0])
		return log_err(-EMEDIUMTYPE, "media: %s holds no filesystem libblkid knows", d->dev);
	if (!strcmp(d->type, "squashfs") || !strcmp(d->type, "erofs")) {
		if (trust_any(ctx->trust))
			return log_err(-EPERM, "media: %s holds the root filesystem itself (%s), with no companion files beside it to check: refused (%s)", d->dev, d->type,
				       trust_options(ctx->trust, checks, sizeof(checks)));
		*root = (struct root){.kind = ROOT_BLOCK};
		snprintf(root->path, sizeof(root->path), "%s", d->dev);
		return 0;
	}
	const char *kept = !strncmp(d->dev, "/dev/sr", 7) ? "it is on an optical drive" : NULL;
	bool in_ram = false;
	for (size_t i = 0; i < ram->n && !in_ram; i++)
		if ((in_ram = !strcmp(d->dev, ram->dev[i])))
			kept = i == 0 && ram->memdisk ? MEMDISK_KEPT : FWDISK_KEPT;
	struct archiso_medium m = {.who = "media", .mode = o->copytoram, .ram_size = o->ram_size, .in_ram = in_ram, .kept_why = kept};
	return archiso_from_device(ctx, d->dev, d->type, &m, root);
}

/* Try the matches of the last look in order: 0 when one gave ROOT; without checks the first
 * decides; with checks a refused device is marked and the next one tried (-EAGAIN: all were
 * refused, the hunt goes on). */
static int take_first(const struct source_ctx *ctx, struct hunt *h, struct root *root)
{
	bool checks = trust_any(ctx->trust);
	char what[400], one[400];
	int r = -EAGAIN;
	local_wanted(h->o, what, sizeof(what));
	say_matches(h, what, checks);
	for (size_t i = 0; i < h->nmatch; i++) {
		log_info("media: %s is %s", what, dev_str(&h->match[i], one, sizeof(one)));
		if ((r = take(ctx, &h->match[i], &h->ram, root)) == 0 || !checks)
			return r;
		struct mark *m = mark_of(h, &h->match[i], true);
		if (!m)
			return r; /* out of memory: no way to skip it next time */
		m->refused = true;
		h->nrefused++;
		log_info("media: %s refused; trying the next device that is %s", h->match[i].dev, what);
	}
	return -EAGAIN;
}

/* The RAM disks into RAM: MEMDISK's ISO first, then the firmware's; else what was looked for. */
static void map_ram(struct ram *ram)
{
	char fw[160] = "";
	int r = memdisk_map(false, ram->dev[0], sizeof(ram->dev[0]));
	if (r < 0)
		log_info("media: MEMDISK's ISO could not be mapped; looking among the other block devices");
	ram->memdisk = r > 0;
	ram->n = ram->memdisk + (size_t)fwdisk_map(ram->dev + ram->memdisk, RAM_MAX - ram->memdisk, fw, sizeof(fw));
	snprintf(ram->none, sizeof(ram->none), "RAM disks: none (%s; %s)", r < 0 ? "MEMDISK's ISO could not be mapped" : "no MEMDISK mBFT", fw);
}

/* The medium, found, mounted, and the image on it (or the device itself when it holds the root).
 * Several devices may match: without checks the first is taken; with checks, each in turn (and
 * those that appear later, within rootdelay=) until one holds an image that passes them. */
static int local_get(const struct source_ctx *ctx, struct root *root)
{
	static struct hunt h; /* some 20 KiB; one boot looks for one medium at a time */
	const struct local_opts *o = (const struct local_opts *)ctx->opts->b;
	int r;
	free(h.marks);
	h = (struct hunt){.o = o};
	map_ram(&h.ram);
	h.start = now_ms();
	h.end = h.start + (uint64_t)o->wait_s * 1000;
	while ((r = wait_medium(&h)) == 0 && (r = take_first(ctx, &h, root)) == -EAGAIN)
		;
	return r;
}

/* The image copy, the medium and a search mount go. */
static void local_undo(void)
{
	umount_quiet(IMG_DIR);
	umount_quiet(MEDIA_DIR);
	umount_quiet(SEARCH_DIR);
}

const struct source_io local_io = {
	.source = &local_source,
	.get = local_get,
	.undo = local_undo,
};
