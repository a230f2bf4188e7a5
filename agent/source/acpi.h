/* acpi.h - reading ACPI-style tables from bytes the firmware left (MEMDISK's mBFT, the NFIT):
 * little-endian fields and the checksum that makes all of a table's bytes sum to 0 */
#ifndef PXEROOT_SOURCE_ACPI_H
#define PXEROOT_SOURCE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Little-endian reads at P. */
static inline uint16_t acpi_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_le64(const uint8_t *p)
{
	return (uint64_t)acpi_le32(p) | (uint64_t)acpi_le32(p + 4) << 32;
}

/* Whether the LEN bytes at P sum to 0 (mod 256), as every ACPI table's do. */
static inline bool acpi_sum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

#endif
