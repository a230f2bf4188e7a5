/* nfit.c - the RAM disk ranges of an ACPI NFIT table.
 *
 * Layout (little-endian): a 36-byte ACPI description header (signature "NFIT", length u32 at 4,
 * all bytes of the table summing to 0), 4 reserved bytes, then structures, each starting with its
 * type u16 and length u16. Type 0, the System Physical Address range (56 bytes): the range type
 * GUID at 16, base u64 at 32, length u64 at 40. UEFI firmware that loaded an ISO or a disk image
 * into RAM for HTTP boot describes it with one of four GUIDs (virtual disk or CD, volatile or
 * persistent); Linux then offers it as a pmem block device (nfit, nd_pmem). */
#include "source/nfit.h"

#include <errno.h>
#include <string.h>

#include "source/acpi.h"

#define HEADER_LEN 40 /* ACPI header 36 + reserved 4 */
#define SPA_TYPE 0
#define SPA_LEN 56

/* The range type GUIDs in their byte order in the table (the first three fields little-endian). */
static const struct {
	uint8_t guid[16];
	bool cd, persistent;
} kinds[] = {
	/* 77ab535a-45fc-624b-5560-f7b281d1f96e: virtual disk, volatile */
	{{0x5a, 0x53, 0xab, 0x77, 0xfc, 0x45, 0x4b, 0x62, 0x55, 0x60, 0xf7, 0xb2, 0x81, 0xd1, 0xf9, 0x6e}, false, false},
	/* 3d5abd30-4175-87ce-6d64-d2ade523c4bb: virtual CD, volatile */
	{{0x30, 0xbd, 0x5a, 0x3d, 0x75, 0x41, 0xce, 0x87, 0x6d, 0x64, 0xd2, 0xad, 0xe5, 0x23, 0xc4, 0xbb}, true, false},
	/* 5cea02c9-4d07-69d3-269f-4496fbe096f9: virtual disk, persistent */
	{{0xc9, 0x02, 0xea, 0x5c, 0x07, 0x4d, 0xd3, 0x69, 0x26, 0x9f, 0x44, 0x96, 0xfb, 0xe0, 0x96, 0xf9}, false, true},
	/* 08018188-42cd-bb48-100f-5387d53ded3d: virtual CD, persistent */
	{{0x88, 0x81, 0x01, 0x08, 0xcd, 0x42, 0x48, 0xbb, 0x10, 0x0f, 0x53, 0x87, 0xd5, 0x3d, 0xed, 0x3d}, true, true},
};

/* The table's length when the LEN bytes at P start with a whole, valid NFIT; 0 otherwise. */
static uint32_t table_len(const uint8_t *p, size_t len)
{
	if (len < HEADER_LEN || memcmp(p, "NFIT", 4))
		return 0;
	uint32_t n = acpi_le32(p + 4);
	if (n < HEADER_LEN || n > len)
		return 0;
	return acpi_sum_ok(p, n) ? n : 0;
}

/* The SPA structure at S as a RAM disk into D: 1 when it is one of the four kinds. */
static int ramdisk_of(const uint8_t *s, struct nfit_disk *d)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!memcmp(s + 16, kinds[k].guid, 16)) {
			*d = (struct nfit_disk){.base = acpi_le64(s + 32), .length = acpi_le64(s + 40), .cd = kinds[k].cd, .persistent = kinds[k].persistent};
			return d->length && d->base + d->length > d->base;
		}
	return 0;
}

/* Walk the structures; keep the RAM disk ranges. */
int nfit_ramdisks(const uint8_t *table, size_t len, struct nfit_disk *out, size_t max)
{
	uint32_t n = table_len(table, len);
	size_t count = 0;
	if (!n)
		return -EINVAL;
	for (uint32_t at = HEADER_LEN; at < n;) {
		if (n - at < 4)
			return -EINVAL;
		uint16_t type = acpi_le16(table + at), slen = acpi_le16(table + at + 2);
		if (slen < 4 || slen > n - at)
			return -EINVAL;
		if (type == SPA_TYPE && slen >= SPA_LEN && count < max && ramdisk_of(table + at, &out[count]))
			count++;
		at += slen;
	}
	return (int)count;
}

/* The kind's words. */
const char *nfit_kind(const struct nfit_disk *d)
{
	return d->cd ? d->persistent ? "virtual CD, persistent" : "virtual CD" : d->persistent ? "virtual disk, persistent" : "virtual disk";
}
