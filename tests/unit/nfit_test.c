/* nfit_test.c - the RAM disk ranges of ACPI NFIT tables built here: the table OVMF publishes for an
 * ISO loaded by HTTP boot, every RAM disk kind, other ranges and structures skipped, and tables
 * that are not whole (signature, lengths, checksum, a structure past the end). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "source/nfit.h"

static uint8_t t[512];
static size_t tlen;

/* Put a little-endian V of N bytes at P. */
static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Start a table: the header, no structure yet. */
static void begin(void)
{
	memset(t, 0, sizeof(t));
	memcpy(t, "NFIT", 4);
	t[8] = 1;
	memcpy(t + 10, "INTEL EDK2    ", 14);
	tlen = 40;
}

/* Add an SPA range of type GUID (16 bytes as in the table) at BASE, LENGTH. */
static void spa(const uint8_t *guid, uint64_t base, uint64_t length)
{
	uint8_t *s = t + tlen;
	put(s, 0, 2);
	put(s + 2, 56, 2);
	put(s + 4, 1, 2);
	memcpy(s + 16, guid, 16);
	put(s + 32, base, 8);
	put(s + 40, length, 8);
	tlen += 56;
}

/* Add a structure of another TYPE and LEN. */
static void other(uint16_t type, uint16_t len)
{
	put(t + tlen, type, 2);
	put(t + tlen + 2, len, 2);
	tlen += len;
}

/* Write the length and make the checksum right. */
static void end(void)
{
	put(t + 4, tlen, 4);
	uint8_t sum = 0;
	t[9] = 0;
	for (size_t i = 0; i < tlen; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)-sum;
}

static const uint8_t vcd[16] = {0x30, 0xbd, 0x5a, 0x3d, 0x75, 0x41, 0xce, 0x87, 0x6d, 0x64, 0xd2, 0xad, 0xe5, 0x23, 0xc4, 0xbb};
static const uint8_t vdisk[16] = {0x5a, 0x53, 0xab, 0x77, 0xfc, 0x45, 0x4b, 0x62, 0x55, 0x60, 0xf7, 0xb2, 0x81, 0xd1, 0xf9, 0x6e};
static const uint8_t pdisk[16] = {0xc9, 0x02, 0xea, 0x5c, 0x07, 0x4d, 0xd3, 0x69, 0x26, 0x9f, 0x44, 0x96, 0xfb, 0xe0, 0x96, 0xf9};
static const uint8_t pcd[16] = {0x88, 0x81, 0x01, 0x08, 0xcd, 0x42, 0x48, 0xbb, 0x10, 0x0f, 0x53, 0x87, 0xd5, 0x3d, 0xed, 0x3d};
/* 7305944f-fdda-44e3-b16c-3f22d252e5d0: persistent memory (an NVDIMM), not a RAM disk */
static const uint8_t pm[16] = {0x4f, 0x94, 0x05, 0x73, 0xda, 0xfd, 0xe3, 0x44, 0xb1, 0x6c, 0x3f, 0x22, 0xd2, 0x52, 0xe5, 0xd0};

/* The table OVMF publishes for an ISO (96 bytes, one virtual CD range). */
static void test_ovmf_iso(void)
{
	struct nfit_disk d[4];
	begin();
	spa(vcd, 0x3ce39000, 20332ull << 10);
	end();
	CHECK(tlen == 96, "len %zu", tlen);
	CHECK(nfit_ramdisks(t, tlen, d, 4) == 1, "one disk");
	CHECK(d[0].base == 0x3ce39000 && d[0].length == 20332ull << 10, "range");
	CHECK(d[0].cd && !d[0].persistent, "a volatile virtual CD");
	CHECK_STR(nfit_kind(&d[0]), "virtual CD");
	/* the file may be longer than the table (sysfs gives the table only, but a buffer may) */
	CHECK(nfit_ramdisks(t, sizeof(t), d, 4) == 1, "bytes after the table ignored");
}

/* Every kind, other ranges and structures skipped, MAX respected. */
static void test_kinds(void)
{
	struct nfit_disk d[8];
	begin();
	spa(pm, 0x100000000ull, 1 << 30);
	spa(vdisk, 0x1000, 0x2000);
	other(4, 16); /* a control region structure */
	spa(pdisk, 0x10000, 0x1000);
	spa(pcd, 0x20000, 0x1000);
	spa(vcd, 0x30000, 0x1000);
	end();
	CHECK(nfit_ramdisks(t, tlen, d, 8) == 4, "four RAM disks, the NVDIMM range skipped");
	CHECK(!d[0].cd && !d[0].persistent && d[0].base == 0x1000, "volatile disk first");
	CHECK(!d[1].cd && d[1].persistent, "persistent disk");
	CHECK(d[2].cd && d[2].persistent, "persistent CD");
	CHECK_STR(nfit_kind(&d[2]), "virtual CD, persistent");
	CHECK(d[3].cd && !d[3].persistent && d[3].base == 0x30000, "volatile CD last");
	CHECK(nfit_ramdisks(t, tlen, d, 2) == 2, "at most MAX");
}

/* A table without RAM disks, ranges of zero length or wrapping. */
static void test_none(void)
{
	struct nfit_disk d[4];
	begin();
	end();
	CHECK(nfit_ramdisks(t, tlen, d, 4) == 0, "a header alone");
	begin();
	spa(vcd, 0x1000, 0);
	spa(vcd, UINT64_MAX - 10, 0x1000);
	end();
	CHECK(nfit_ramdisks(t, tlen, d, 4) == 0, "zero length and wrapping ranges are not kept");
}

/* Tables that are not whole. */
static void test_bad(void)
{
	struct nfit_disk d[4];
	begin();
	spa(vcd, 0x1000, 0x1000);
	end();
	CHECK(nfit_ramdisks(t, tlen - 1, d, 4) == -EINVAL, "length past the buffer");
	CHECK(nfit_ramdisks(t, 39, d, 4) == -EINVAL, "shorter than a header");
	t[9]++;
	CHECK(nfit_ramdisks(t, tlen, d, 4) == -EINVAL, "checksum");
	t[9]--;
	t[0] = 'X';
	CHECK(nfit_ramdisks(t, tlen, d, 4) == -EINVAL, "signature");
	begin();
	other(0, 0);
	tlen = 48;
	end();
	CHECK(nfit_ramdisks(t, tlen, d, 4) == -EINVAL, "a structure of length 0");
	begin();
	spa(vcd, 0x1000, 0x1000);
	tlen -= 8; /* the range's structure says 56 bytes, the table ends 8 before */
	end();
	CHECK(nfit_ramdisks(t, tlen, d, 4) == -EINVAL, "a structure past the table");
	begin();
	tlen = 42; /* two bytes of a structure header */
	end();
	CHECK(nfit_ramdisks(t, tlen, d, 4) == -EINVAL, "a cut structure header");
}

int main(void)
{
	test_ovmf_iso();
	test_kinds();
	test_none();
	test_bad();
	return check_done("nfit_test");
}
