/* mbft_test.c - the mBFT scan on synthetic base memory (valid, bad checksum, bad lengths, cut
 * by the end of the window, two candidates, the 16-byte steps, sector shifts) and the /proc/iomem
 * reading. */
#include <string.h>

#include "check.h"
#include "source/mbft.h"

#define BASE 0x9f000u /* the window holds physical memory from here to 640 KiB */
#define WIN (MBFT_BASE_END - BASE)

static uint8_t mem[WIN];

/* Put a little-endian V of N bytes at P. */
static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An mBFT at physical AT: an MDI of MDI_LEN bytes, the disk at START of SECTORS sectors of SHIFT,
 * the checksum made right (FIX) or left wrong. */
static void table(uint32_t at, uint16_t mdi_len, uint32_t start, uint32_t sectors, uint8_t shift, int fix)
{
	uint8_t *p = mem + (at - BASE);
	uint32_t len = 40u + mdi_len;
	memset(p, 0, len);
	memcpy(p, "mBFT", 4);
	put(p + 4, len, 4);
	memcpy(p + 10, "MEMDSK", 6);
	put(p + 40, mdi_len, 2);
	p[42] = 0x77, p[43] = 0x03;
	put(p + 44, start, 4);
	put(p + 48, sectors, 4);
	if (len > 67)
		p[67] = shift;
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[9] = (uint8_t)(p[9] - sum + (fix ? 0 : 1));
}

/* Scan the window from FROM; 1/0, the result in *M. */
static int scan(uint32_t from, struct mbft *m)
{
	return mbft_scan(mem, WIN, BASE, from, m);
}

/* Found where it is, with its start and size. */
static void test_valid(void)
{
	struct mbft m;
	memset(mem, 0xcc, sizeof(mem));
	table(0x9f840, 30, 0x1f6e0000, 1234, 11, 1);
	CHECK(scan(0x9f800, &m) == 1 && m.at == 0x9f840 && m.start == 0x1f6e0000 && m.size == 1234ull << 11 && m.shift == 11,
	      "found: at %#llx start %#x size %llu", (unsigned long long)m.at, m.start, (unsigned long long)m.size);
	table(0x9f840, 30, 0x100000, 2880, 0, 1);
	CHECK(scan(BASE, &m) == 1 && m.size == 2880ull * 512 && m.shift == 9, "shift 0 means 512-byte sectors");
	CHECK(scan(0x9f850, &m) == 0, "a table below FROM is not seen");
	memset(mem, 0, sizeof(mem));
	table(0x9f848, 30, 0x100000, 2880, 0, 1);
	CHECK(scan(BASE, &m) == 0, "only 16-byte steps: a table at ...8 is not seen");
}

/* Every refusal. */
static void test_invalid(void)
{
	struct mbft m;
	memset(mem, 0, sizeof(mem));
	table(0x9f840, 30, 0x100000, 2880, 11, 0);
	CHECK(scan(BASE, &m) == 0, "a bad checksum is refused");
	table(0x9f840, 30, 0x100000, 2880, 11, 1);
	put(mem + (0x9f840 - BASE) + 40, 31, 2); /* MDI length no longer length - 40 */
	mem[0x9f840 - BASE + 9]--;               /* checksum right again */
	CHECK(scan(BASE, &m) == 0, "a length that is not the MDI's + 40 is refused");
	memset(mem, 0, sizeof(mem));
	table(0x9f840, 20, 0x100000, 2880, 0, 1);
	CHECK(scan(BASE, &m) == 0, "a table shorter than 66 bytes is refused");
	memset(mem, 0, sizeof(mem));
	table(MBFT_BASE_END - 64, 24, 0x100000, 2880, 0, 1); /* 64 bytes fit, the header says 64 ... */
	CHECK(scan(BASE, &m) == 0, "... but shorter than 66: refused");
	memset(mem, 0, sizeof(mem));
	uint8_t *p = mem + (MBFT_BASE_END - 48 - BASE);
	memcpy(p, "mBFT", 4);
	put(p + 4, 70, 4); /* runs past 640 KiB */
	put(p + 40, 30, 2);
	CHECK(scan(BASE, &m) == 0, "a table cut by the end of the window is refused");
	memset(mem, 0xff, sizeof(mem));
	CHECK(scan(BASE, &m) == 0, "no table in noise");
}

/* The first valid one wins; an invalid first one does not hide the second. */
static void test_two(void)
{
	struct mbft m;
	memset(mem, 0, sizeof(mem));
	table(0x9f100, 30, 0x200000, 100, 11, 1);
	table(0x9f900, 30, 0x300000, 200, 11, 1);
	CHECK(scan(BASE, &m) == 1 && m.start == 0x200000, "the first of two");
	CHECK(scan(0x9f110, &m) == 1 && m.start == 0x300000, "the second, from past the first");
	table(0x9f100, 30, 0x200000, 100, 11, 0);
	CHECK(scan(BASE, &m) == 1 && m.start == 0x300000, "a broken first, the valid second");
}

/* /proc/iomem: the last System RAM range that starts below 640 KiB, capped there. */
static void test_iomem(void)
{
	CHECK(mbft_low_ram_end("00000000-00000fff : Reserved\n00001000-0009efff : System RAM\n0009f000-0009ffff : Reserved\n"
			       "000a0000-000bffff : PCI Bus 0000:00\n00100000-1ffdffff : System RAM\n") == 0x9f000,
	      "QEMU's map: low RAM ends at 0x9f000");
	CHECK(mbft_low_ram_end("00000000-000fffff : System RAM\n") == 0xa0000, "capped at 640 KiB");
	CHECK(mbft_low_ram_end("00100000-1fffffff : System RAM\n") == 0, "none below 640 KiB");
	CHECK(mbft_low_ram_end("00001000-0009efff : System RAM (hidden)\n") == 0, "only \"System RAM\" itself");
	CHECK(mbft_low_ram_end("  00001000-0009efff : Kernel code\n") == 0, "nested entries do not count");
	CHECK(mbft_low_ram_end("") == 0, "empty");
}

int main(void)
{
	test_valid();
	test_invalid();
	test_two();
	test_iomem();
	return check_done("mbft_test");
}
