/* memdisk.c - the MEMDISK source's I/O: the ISO syslinux MEMDISK left in RAM: its mBFT found in base memory (mbft.c), the
 * image mapped with phram (erase size 2048, which divides every ISO's size; phram is retried, as
 * its first load fails on some machines) and read through mtdblock, mounted as iso9660, then
 * archiso's image in it, checked as requested (archiso.c). The ISO is in RAM already (memory
 * MEMDISK reserved, which Linux never gets back), so the image is used in place unless
 * copytoram=y: auto would only spend as much RAM again. memdisk_map serves the local-media
 * source too, which looks for the ISO by its label among the block devices. */
#define _GNU_SOURCE
#include "source/memdisk.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "layout.h"
#include "log.h"
#include "modules.h"
#include "paths.h"
#include "source/archiso.h"
#include "source/mbft.h"

#define PHRAM_TRIES 5       /* loads of phram before giving up */
#define MTD_WAIT_MS 5000    /* for the block device to appear */
#define PHRAM_NAME "memdisk"

/* The mtdblock node of the MTD device phram named PHRAM_NAME into DEV, waiting for it. */
static int find_mtdblock(char *dev, size_t cap)
{
	for (long waited = 0; waited <= MTD_WAIT_MS; waited += 100) {
		DIR *d = opendir("/sys/class/mtd");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char path[300], name[64] = "";
			unsigned n;
			if (sscanf(e->d_name, "mtd%u%*c", &n) != 1 || strchr(e->d_name, 'r'))
				continue; /* mtdN only, not mtdNro */
			snprintf(path, sizeof(path), "/sys/class/mtd/%s/name", e->d_name);
			FILE *f = fopen(path, "re");
			if (f && fgets(name, sizeof(name), f))
				name[strcspn(name, "\n")] = '\0';
			if (f)
				fclose(f);
			struct stat st;
			snprintf(dev, cap, "/dev/mtdblock%u", n);
			if (!strcmp(name, PHRAM_NAME) && stat(dev, &st) == 0 && S_ISBLK(st.st_mode)) {
				closedir(d);
				return 0;
			}
		}
		if (d)
			closedir(d);
		sleep_ms(100);
	}
	return log_err(-ENODEV, "memdisk: no /dev/mtdblock for the phram device \"%s\" after %d s", PHRAM_NAME, MTD_WAIT_MS / 1000);
}

/* phram over the image M, retried; then mtdblock. */
static int map_image(const struct mbft *m)
{
	char opts[96];
	int r = -EIO;
	snprintf(opts, sizeof(opts), "phram=%s,%#x,%#" PRIx64 ",2048", PHRAM_NAME, m->start, m->size);
	for (int i = 1; i <= PHRAM_TRIES && r < 0; i++) {
		if ((r = mod_load_opts("phram", opts)) < 0 && i < PHRAM_TRIES) {
			log_info("memdisk: phram (%s) failed, attempt %d of %d; trying again", opts, i, PHRAM_TRIES);
			sleep_ms(500);
		}
	}
	if (r < 0)
		return log_err(r, "memdisk: phram could not map the image (%s) after %d attempts", opts, PHRAM_TRIES);
	return mod_load("mtdblock");
}

/* Whether this machine can have been started by MEMDISK (an x86 PC). */
static bool on_pc(void)
{
	const char *mach = layout_machine();
	return !strcmp(mach, "x86_64") || (mach[0] == 'i' && !strcmp(mach + 2, "86"));
}

/* Find MEMDISK's ISO and map it as a block device. */
int memdisk_map(bool asked, char *dev, size_t cap)
{
	struct mbft m;
	int r;
	if (!on_pc())
		return asked ? log_err(-ENODEV, "memdisk: syslinux MEMDISK exists only on x86 PCs (this is %s)", layout_machine()) : 0;
	if ((r = mbft_find(&m)) == 0 && asked)
		return log_err(-ENODEV, "memdisk: no mBFT in base memory: this kernel was not started by syslinux MEMDISK (3.85 or later)");
	if (r < 0 && !asked) {
		log_info("memdisk: base memory cannot be read (the line above says why): the medium is looked for among the block devices only");
		return 0;
	}
	if (r <= 0)
		return r;
	if (m.size > UINT32_MAX)
		return log_err(-EFBIG, "memdisk: the image at %#x is %" PRIu64 " bytes; phram cannot map 4 GiB or more", m.start, m.size);
	log_info("memdisk: mBFT at %#" PRIx64 ": the image is at %#x, %" PRIu64 " bytes", m.at, m.start, m.size);
	if ((r = map_image(&m)) < 0 || (r = find_mtdblock(dev, cap)) < 0)
		return r;
	log_info("memdisk: the image is %s", dev);
	return 1;
}

/* The ISO in RAM, mounted read-only at MEDIA_DIR, then archiso's image in it. */
static int memdisk_get(const struct source_ctx *ctx, struct root *root)
{
	const struct memdisk_opts *o = (const struct memdisk_opts *)ctx->opts->b;
	char dev[32];
	int r = memdisk_map(true, dev, sizeof(dev));
	if (r < 0)
		return r;
	struct archiso_medium m = {.who = "memdisk", .mode = o->copytoram, .ram_size = o->ram_size, .kept_why = MEMDISK_KEPT, .in_ram = true};
	return archiso_from_device(ctx, dev, "iso9660", &m, root);
}

/* The image copy and the ISO mount go (phram stays: the ISO is MEMDISK's memory anyway). */
static void memdisk_undo(void)
{
	umount_quiet(IMG_DIR);
	umount_quiet(MEDIA_DIR);
}

const struct source_io memdisk_io = {
	.source = &memdisk_source,
	.get = memdisk_get,
	.undo = memdisk_undo,
};
