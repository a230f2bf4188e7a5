/* fuzz_dhcp.c - libFuzzer target for the DHCP codec: the input as an IPv4/UDP frame and as a
 * bare BOOTP message, with the lease's invariants checked on every accepted reply. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/dhcp_codec.h"


/* Whether the array S of CAP bytes holds a NUL. */
static int terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* Whether the string S holds only name characters (letters, digits, '-', '_', '.', and ' ' when
 * SPACE, which separates the names of a list). */
static int name_only(const char *s, int space)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.' || (space && *s == ' ')))
			return 0;
	return 1;
}

/* Parse MSG (LEN bytes) for XID/MAC and check what comes back. */
static void parse_reply(const uint8_t *msg, size_t len, uint32_t xid, const uint8_t mac[6])
{
	struct dhcp_lease l;
	memset(&l, 0x5a, sizeof(l));
	int r = dhcp_parse(msg, len, xid, mac, &l);
	REQUIRE(r == -EINVAL || (r > 0 && r <= 255 && r == l.type));
	if (r < 0)
		return;
	REQUIRE(len >= 240);
	REQUIRE(l.ndns <= DHCP_MAX_DNS);
	REQUIRE(terminated(l.hostname, sizeof(l.hostname)));
	REQUIRE(terminated(l.domain, sizeof(l.domain)));
	REQUIRE(terminated(l.search, sizeof(l.search)));
	REQUIRE(terminated(l.root_path, sizeof(l.root_path)));
	REQUIRE(terminated(l.tftp_server, sizeof(l.tftp_server)));
	REQUIRE(terminated(l.bootfile, sizeof(l.bootfile)));
	REQUIRE(name_only(l.hostname, 0) && name_only(l.domain, 0) && name_only(l.search, 1));
	REQUIRE(l.nntp <= DHCP_MAX_NTP);
	REQUIRE(l.nroutes <= DHCP_MAX_ROUTES && (l.classless || l.nroutes == 0));
	for (unsigned i = 0; i < l.nroutes; i++)
		REQUIRE(l.routes[i].prefix <= 32);
	REQUIRE(memcmp(&l.addr.s_addr, msg + 16, 4) == 0);
	REQUIRE(memcmp(&l.next_server.s_addr, msg + 20, 4) == 0);
}

/* Parse MSG with the xid and chaddr it carries itself (so the option walk is reached) and with
 * a fixed pair taken from the input's first bytes (mostly a refusal). */
static void parse_both(const uint8_t *msg, size_t len)
{
	uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	uint32_t xid = 0x12345678;
	if (len >= 34) {
		xid = (uint32_t)msg[4] << 24 | (uint32_t)msg[5] << 16 | (uint32_t)msg[6] << 8 | msg[7];
		memcpy(mac, msg + 28, 6);
	}
	parse_reply(msg, len, xid, mac);
	if (len >= 10) {
		memcpy(&xid, msg, 4);
		memcpy(mac, msg + 4, 6);
	}
	parse_reply(msg, len, xid, mac);
}

/* Parse DATA as a frame with CSUM_UNKNOWN; check the payload lies inside; parse it as DHCP. */
static int parse_frame(const uint8_t *data, size_t size, bool csum_unknown)
{
	const uint8_t *p = NULL;
	size_t plen = 0;
	int r = udp_frame_parse(data, size, csum_unknown, &p, &plen);
	REQUIRE(r == 0 || r == -EINVAL);
	if (r < 0)
		return r;
	REQUIRE(p >= data + 28 && p <= data + size && plen <= (size_t)(data + size - p));
	parse_both(p, plen);
	return 0;
}

/* Wrap DATA in a frame, parse it back: the same bytes must come out. */
static void round_trip(const uint8_t *data, size_t size)
{
	if (size > 65535 - 28)
		return;
	uint8_t *f = malloc(size + 28);
	REQUIRE(f != NULL);
	struct udp_ends e = {.sport = DHCP_SERVER_PORT, .dport = DHCP_CLIENT_PORT};
	e.src.s_addr = htonl(0x0a000202);
	e.dst.s_addr = htonl(0xffffffff);
	int n = udp_frame_build(&e, data, size, f, size + 28);
	REQUIRE(n == (int)(size + 28));
	const uint8_t *p = NULL;
	size_t plen = 0;
	REQUIRE(udp_frame_parse(f, (size_t)n, false, &p, &plen) == 0);
	REQUIRE(plen == size && (size == 0 || memcmp(p, data, size) == 0));
	REQUIRE(udp_frame_build(&e, data, size, f, size + 27) == -ENOSPC);
	free(f);
}

/* One input: frame parse both ways, DHCP parse of the raw bytes, build/parse round trip. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int checked = parse_frame(data, size, false);
	int unchecked = parse_frame(data, size, true);
	REQUIRE(!(checked == 0 && unchecked != 0)); /* skipping a check cannot refuse more */
	parse_both(data, size);
	round_trip(data, size);
	return 0;
}
