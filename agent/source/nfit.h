/* nfit.h - the RAM disks UEFI firmware describes in the ACPI NFIT table (a whole ISO or disk image
 * loaded by HTTP boot, ACPI 6 §5.2.25: System Physical Address ranges of the four virtual disk/CD
 * types) */
#ifndef PXEROOT_NFIT_H
#define PXEROOT_NFIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFIT_DISKS_MAX 8

struct nfit_disk {
	uint64_t base, length; /* the physical range */
	bool cd;               /* a virtual CD (an ISO), else a virtual disk */
	bool persistent;       /* the persistent kind, else volatile */
};

/* The RAM disk ranges of the NFIT table in the LEN bytes at TABLE, at most MAX into OUT, in table
 * order: the count (0: a valid table without one), or -EINVAL when the bytes are not a whole NFIT
 * (signature, length within LEN, checksum, every structure's length within the table). Ranges of
 * other kinds (NVDIMM memory) are skipped; a range of zero length or one that wraps is not kept. */
int nfit_ramdisks(const uint8_t *table, size_t len, struct nfit_disk *out, size_t max);
/* "virtual CD" or "virtual disk", with ", persistent" for that kind, for messages. */
const char *nfit_kind(const struct nfit_disk *d);

#endif
