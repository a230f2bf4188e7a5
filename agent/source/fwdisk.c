/* fwdisk.c - the firmware's RAM disk: UEFI HTTP boot of a URL naming an ISO (or a disk image)
 * downloads it into RAM, describes the range in the ACPI NFIT table and boots the EFI loader on
 * it. Linux offers that range as /dev/pmemN once the NFIT driver (nfit, with libnvdimm) and the
 * pmem driver (nd_pmem) are loaded; the device is matched to the table's range by its namespace's
 * start address in sysfs. The local-media search then finds the ISO among the block devices by
 * its label, as it finds MEMDISK's. */
#define _GNU_SOURCE
#include "source/fwdisk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "modules.h"
#include "source/nfit.h"

#define NFIT_PATH "/sys/firmware/acpi/tables/NFIT"
#define NFIT_MAX (64 * 1024) /* a table this big describes far more than RAM disks */
#define PMEM_WAIT_MS 5000    /* for the pmem devices to appear after nd_pmem */

/* The NFIT table into *TABLE (malloc'd) and *LEN: 1, 0 when the firmware published none, or a
 * negative errno after a line. */
static int read_nfit(uint8_t **table, size_t *len)
{
	int r = read_whole(NFIT_PATH, NFIT_MAX, table, len);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? log_err(r, "firmware: %s cannot be read: %s", NFIT_PATH, strerror(-r)) : 1;
}

/* The start address in sysfs file PATH (hex) into *AT; 0 or -1. */
static int read_addr(const char *path, uint64_t *at)
{
	FILE *f = fopen(path, "re");
	int ok = f && fscanf(f, "%" SCNx64, at) == 1;
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

/* The pmem block device whose namespace starts at BASE into DEV: 1 found, 0 not (yet). */
static int pmem_at(uint64_t base, char *dev, size_t cap)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int found = 0;
	while (d && !found && (e = readdir(d))) {
		char path[300];
		uint64_t at;
		if (strncmp(e->d_name, "pmem", 4) || strlen(e->d_name) >= cap - 5)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/device/resource", e->d_name);
		if (read_addr(path, &at) < 0) {
			snprintf(path, sizeof(path), "/sys/block/%s/device/../resource", e->d_name);
			if (read_addr(path, &at) < 0)
				continue;
		}
		if (at != base)
			continue;
		snprintf(dev, cap, "/dev/%s", e->d_name);
		found = access(dev, F_OK) == 0; /* devtmpfs makes the node */
	}
	if (d)
		closedir(d);
	return found;
}

/* Wait for the block device of each of the N disks; their nodes into DEVS. How many appeared. */
static size_t wait_devices(const struct nfit_disk *disks, size_t n, char (*devs)[FWDISK_DEV_MAX], size_t max)
{
	bool seen[NFIT_DISKS_MAX] = {false};
	size_t got = 0;
	uint64_t end = now_ms() + PMEM_WAIT_MS;
	for (;;) {
		for (size_t i = 0; i < n; i++)
			if (!seen[i] && got < max && pmem_at(disks[i].base, devs[got], FWDISK_DEV_MAX)) {
				seen[i] = true;
				log_info("firmware: the RAM disk at %#" PRIx64 " is %s", disks[i].base, devs[got++]);
			}
		if (got == n || got == max || now_ms() >= end)
			break;
		sleep_ms(50);
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			log_info("firmware: no block device for the RAM disk at %#" PRIx64 " after %d s (nfit, nd_pmem loaded)", disks[i].base, PMEM_WAIT_MS / 1000);
	return got;
}

/* The table, its RAM disks, the drivers, the devices. */
int fwdisk_map(char (*devs)[FWDISK_DEV_MAX], size_t max, char *none, size_t none_cap)
{
	uint8_t *table;
	size_t len;
	struct nfit_disk disks[NFIT_DISKS_MAX];
	int n = read_nfit(&table, &len);
	if (n <= 0) {
		snprintf(none, none_cap, "%s", n == 0 ? "no ACPI NFIT table from the firmware" : "the ACPI NFIT table cannot be read");
		return 0;
	}
	n = nfit_ramdisks(table, len, disks, NFIT_DISKS_MAX);
	free(table);
	if (n <= 0) {
		if (n < 0)
			log_info("firmware: the ACPI NFIT table (%zu bytes) is not valid: its RAM disks are not used", len);
		snprintf(none, none_cap, "%s", n < 0 ? "the ACPI NFIT table is not valid" : "the ACPI NFIT table describes no RAM disk");
		return 0;
	}
	for (int i = 0; i < n; i++)
		log_info("firmware: RAM disk (%s) at %#" PRIx64 ", %" PRIu64 " KiB, in the ACPI NFIT table", nfit_kind(&disks[i]), disks[i].base, disks[i].length >> 10);
	if (mod_load("nfit") < 0 || mod_load("nd_pmem") < 0) {
		snprintf(none, none_cap, "the firmware RAM disk's drivers nfit and nd_pmem did not load");
		return 0;
	}
	size_t got = wait_devices(disks, (size_t)n, devs, max);
	if (!got)
		snprintf(none, none_cap, "no block device for the firmware's RAM disk");
	return (int)got;
}
