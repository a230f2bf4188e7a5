/* dhcp_codec_test.c - DHCP messages we build, replies we accept or refuse, the IPv4/UDP frame. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "net/dhcp_codec.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t COOKIE[4] = {99, 130, 83, 99};
#define XID 0xdeadbeefu

/* An IPv4 address from dotted text. */
static struct in_addr ip4(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a;
}

/* Whether address A is the dotted text S. */
static int ip_is(struct in_addr a, const char *s)
{
	return a.s_addr == ip4(s).s_addr;
}

/* Find option CODE in the options area of message BUF (LEN bytes); its length into *OLEN. */
static const uint8_t *find_opt(const uint8_t *buf, size_t len, uint8_t code, size_t *olen)
{
	size_t i = 240;
	while (i < len && buf[i] != 255) {
		if (buf[i] == 0) {
			i++;
			continue;
		}
		if (i + 1 >= len || i + 2 + buf[i + 1] > len)
			return NULL;
		if (buf[i] == code) {
			*olen = buf[i + 1];
			return buf + i + 2;
		}
		i += 2 + (size_t)buf[i + 1];
	}
	return NULL;
}

/* Offset of the end option in message BUF, or 0 when the walk does not reach one. */
static size_t end_offset(const uint8_t *buf, size_t len)
{
	size_t i = 240;
	while (i < len) {
		if (buf[i] == 255)
			return i;
		if (buf[i] == 0) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return 0;
		i += 2 + (size_t)buf[i + 1];
	}
	return 0;
}

/* Whether BYTE occurs among the LEN bytes at P. */
static int has_byte(const uint8_t *p, size_t len, uint8_t byte)
{
	return p && memchr(p, byte, len) != NULL;
}

/* Header, cookie and the options every message we send carries. */
static void check_common(const uint8_t *b, int n, uint8_t type)
{
	size_t ol = 0;
	const uint8_t *o;
	CHECK(n >= 300, "length %d below the BOOTP minimum", n);
	CHECK(b[0] == 1 && b[1] == 1 && b[2] == 6 && b[3] == 0, "op/htype/hlen/hops %d %d %d %d", b[0], b[1], b[2], b[3]);
	CHECK(b[4] == 0xde && b[5] == 0xad && b[6] == 0xbe && b[7] == 0xef, "xid big-endian");
	CHECK(memcmp(b + 28, MAC, 6) == 0, "chaddr");
	CHECK(memcmp(b + 236, COOKIE, 4) == 0, "magic cookie");
	o = find_opt(b, (size_t)n, 53, &ol);
	CHECK(o && ol == 1 && o[0] == type, "option 53 = %d", o ? o[0] : -1);
	o = find_opt(b, (size_t)n, 61, &ol);
	CHECK(o && ol == 7 && o[0] == 1 && memcmp(o + 1, MAC, 6) == 0, "option 61 client id");
	o = find_opt(b, (size_t)n, 55, &ol);
	static const uint8_t want[] = {1, 3, 6, 12, 15, 17, 26, 28, 51, 54, 66, 67, 119, 121};
	for (size_t i = 0; i < sizeof(want); i++)
		CHECK(has_byte(o, ol, want[i]), "option 55 asks for %d", want[i]);
	size_t end = end_offset(b, (size_t)n);
	CHECK(end > 240 && end < (size_t)n, "end option at %zu", end);
	for (size_t i = end + 1; i < (size_t)n; i++)
		if (b[i]) {
			CHECK(0, "non-zero padding at %zu", i);
			break;
		}
}

/* DISCOVER: the header, the options, no 50/54, the size limit. */
static void test_build_discover(void)
{
	uint8_t b[600];
	struct dhcp_request rq = {.type = DHCP_DISCOVER, .xid = XID, .secs = 3};
	memcpy(rq.mac, MAC, 6);
	memset(b, 0xaa, sizeof(b));
	int n = dhcp_build(&rq, b, 548);
	CHECK(n > 0 && n <= 548, "discover length %d", n);
	check_common(b, n, DHCP_DISCOVER);
	CHECK(b[8] == 0 && b[9] == 3, "secs big-endian");
	size_t ol;
	CHECK(find_opt(b, (size_t)n, 50, &ol) == NULL, "no requested address");
	CHECK(find_opt(b, (size_t)n, 54, &ol) == NULL, "no server id");
	CHECK(find_opt(b, (size_t)n, 12, &ol) == NULL, "no hostname");
	CHECK(b[548] == 0xaa, "nothing written past cap");

	CHECK(dhcp_build(&rq, b, 547) == -ENOSPC, "cap 547");
	CHECK(dhcp_build(&rq, b, 0) == -ENOSPC, "cap 0");
}

/* REQUEST: 50 and 54 carry the given addresses; the hostname when set. */
static void test_build_request(void)
{
	uint8_t b[548];
	struct dhcp_request rq = {.type = DHCP_REQUEST, .xid = XID, .requested = ip4("10.0.2.15"),
				  .server_id = ip4("10.0.2.2"), .hostname = "node7"};
	memcpy(rq.mac, MAC, 6);
	int n = dhcp_build(&rq, b, sizeof(b));
	check_common(b, n, DHCP_REQUEST);
	size_t ol = 0;
	const uint8_t *o = find_opt(b, (size_t)n, 50, &ol);
	CHECK(o && ol == 4 && o[0] == 10 && o[1] == 0 && o[2] == 2 && o[3] == 15, "option 50");
	o = find_opt(b, (size_t)n, 54, &ol);
	CHECK(o && ol == 4 && o[0] == 10 && o[1] == 0 && o[2] == 2 && o[3] == 2, "option 54");
	o = find_opt(b, (size_t)n, 12, &ol);
	CHECK(o && ol == 5 && memcmp(o, "node7", 5) == 0, "option 12");
}

/* A BOOTREPLY under construction. */
struct reply {
	uint8_t b[1500];
	size_t len;
};

/* Start a BOOTREPLY to XID/MAC offering yiaddr 10.0.2.15 from siaddr 10.0.2.2. */
static void reply_init(struct reply *r, uint32_t xid, const uint8_t *mac)
{
	memset(r, 0, sizeof(*r));
	r->b[0] = 2;
	r->b[1] = 1;
	r->b[2] = 6;
	uint32_t x = htonl(xid);
	memcpy(r->b + 4, &x, 4);
	struct in_addr yi = ip4("10.0.2.15"), si = ip4("10.0.2.2");
	memcpy(r->b + 16, &yi, 4);
	memcpy(r->b + 20, &si, 4);
	memcpy(r->b + 28, mac, 6);
	memcpy(r->b + 236, COOKIE, 4);
	r->len = 240;
}

/* Append option CODE with LEN bytes of DATA. */
static void reply_opt(struct reply *r, uint8_t code, const void *data, size_t len)
{
	r->b[r->len++] = code;
	r->b[r->len++] = (uint8_t)len;
	memcpy(r->b + r->len, data, len);
	r->len += len;
}

/* Append a single byte (pad 0 or end 255). */
static void reply_byte(struct reply *r, uint8_t byte)
{
	r->b[r->len++] = byte;
}

/* Append option 53 of TYPE. */
static void reply_type(struct reply *r, uint8_t type)
{
	reply_opt(r, 53, &type, 1);
}

/* Append an address option CODE holding the dotted address S. */
static void reply_addr(struct reply *r, uint8_t code, const char *s)
{
	struct in_addr a = ip4(s);
	reply_opt(r, code, &a, 4);
}

/* Parse R for XID/MAC. */
static int parse(const struct reply *r, struct dhcp_lease *l)
{
	return dhcp_parse(r->b, r->len, XID, MAC, l);
}

/* An OFFER with every option we read. */
static void test_parse_offer(void)
{
	struct reply r;
	struct dhcp_lease l;
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_OFFER);
	reply_addr(&r, 1, "255.255.255.0");
	uint8_t routers[8] = {10, 0, 2, 1, 10, 0, 2, 254};
	reply_opt(&r, 3, routers, 8);
	uint8_t dns[12] = {10, 0, 2, 3, 1, 1, 1, 1, 9, 9, 9, 9};
	reply_opt(&r, 6, dns, 12);
	reply_opt(&r, 12, "node7", 5);
	reply_opt(&r, 15, "lab.example", 11);
	reply_opt(&r, 17, "10.0.2.2:/srv/root", 18);
	reply_opt(&r, 26, "\x05\xdc", 2);
	reply_addr(&r, 28, "10.0.2.255");
	reply_opt(&r, 51, "\x00\x01\x51\x80", 4);
	reply_addr(&r, 54, "10.0.2.4");
	reply_opt(&r, 66, "tftp.lab", 8);
	reply_opt(&r, 67, "pxelinux.0", 10);
	reply_opt(&r, 200, "ignored", 7);
	reply_byte(&r, 255);

	CHECK(parse(&r, &l) == DHCP_OFFER, "offer");
	CHECK(l.type == DHCP_OFFER, "type %d", l.type);
	CHECK(ip_is(l.addr, "10.0.2.15"), "yiaddr");
	CHECK(ip_is(l.next_server, "10.0.2.2"), "siaddr");
	CHECK(ip_is(l.netmask, "255.255.255.0"), "netmask");
	CHECK(ip_is(l.router, "10.0.2.1"), "first router");
	CHECK(l.ndns == 3, "ndns %u", l.ndns);
	CHECK(ip_is(l.dns[0], "10.0.2.3") && ip_is(l.dns[1], "1.1.1.1") && ip_is(l.dns[2], "9.9.9.9"), "dns order");
	CHECK_STR(l.hostname, "node7");
	CHECK_STR(l.domain, "lab.example");
	CHECK_STR(l.root_path, "10.0.2.2:/srv/root");
	CHECK(l.mtu == 1500, "mtu %u", l.mtu);
	CHECK(ip_is(l.broadcast, "10.0.2.255"), "broadcast");
	CHECK(l.lease_s == 86400, "lease %u", l.lease_s);
	CHECK(ip_is(l.server_id, "10.0.2.4"), "server id");
	CHECK_STR(l.tftp_server, "tftp.lab");
	CHECK_STR(l.bootfile, "pxelinux.0");
}

/* ACK and NAK are reported as such; the bare minimum (type only) is enough. */
static void test_parse_types(void)
{
	struct reply r;
	struct dhcp_lease l;
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK && l.type == DHCP_ACK, "ack");
	CHECK(l.ndns == 0 && l.mtu == 0 && l.hostname[0] == '\0' && l.lease_s == 0, "absent options are zero");

	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_NAK);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_NAK, "nak");

	/* a 53 of the wrong length is not a type */
	reply_init(&r, XID, MAC);
	reply_opt(&r, 53, "\x05\x05", 2);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == -EINVAL, "option 53 of length 2");
}

/* More than DHCP_MAX_DNS servers, in one option or spread over several: the first 8 kept. */
static void test_parse_many_dns(void)
{
	struct reply r;
	struct dhcp_lease l;
	uint8_t dns[40];
	for (int i = 0; i < 10; i++) {
		dns[4 * i] = 10;
		dns[4 * i + 1] = 1;
		dns[4 * i + 2] = 1;
		dns[4 * i + 3] = (uint8_t)(i + 1);
	}
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 6, dns, 40);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK, "ack");
	CHECK(l.ndns == DHCP_MAX_DNS, "ndns %u", l.ndns);
	CHECK(ip_is(l.dns[0], "10.1.1.1") && ip_is(l.dns[7], "10.1.1.8"), "first eight kept");

	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 6, dns, 20);
	reply_opt(&r, 6, dns + 20, 20);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK && l.ndns == DHCP_MAX_DNS, "two option 6: ndns %u", l.ndns);
	CHECK(ip_is(l.dns[5], "10.1.1.6") && ip_is(l.dns[7], "10.1.1.8"), "continued in order");

	/* a trailing partial address is ignored */
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 6, dns, 6);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK && l.ndns == 1, "6 bytes: ndns %u", l.ndns);
}

/* sname/file stand in for 66/67; the options win when both are there. */
static void test_parse_sname_file(void)
{
	struct reply r;
	struct dhcp_lease l;
	reply_init(&r, XID, MAC);
	memcpy(r.b + 44, "boot.lab", 8);
	memcpy(r.b + 108, "ipxe.efi", 8);
	reply_type(&r, DHCP_OFFER);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_OFFER, "offer");
	CHECK_STR(l.tftp_server, "boot.lab");
	CHECK_STR(l.bootfile, "ipxe.efi");

	reply_opt(&r, 66, "opt.lab", 7);  /* after the end option: not read */
	CHECK(parse(&r, &l) == DHCP_OFFER, "offer");
	CHECK_STR(l.tftp_server, "boot.lab");

	reply_init(&r, XID, MAC);
	memcpy(r.b + 44, "boot.lab", 8);
	memcpy(r.b + 108, "ipxe.efi", 8);
	reply_type(&r, DHCP_OFFER);
	reply_opt(&r, 66, "opt.lab", 7);
	reply_opt(&r, 67, "grubx64.efi", 11);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_OFFER, "offer");
	CHECK_STR(l.tftp_server, "opt.lab");
	CHECK_STR(l.bootfile, "grubx64.efi");

	/* fields filled to the last byte, no NUL inside */
	reply_init(&r, XID, MAC);
	memset(r.b + 44, 's', 64);
	memset(r.b + 108, 'f', 128);
	reply_type(&r, DHCP_OFFER);
	CHECK(parse(&r, &l) == DHCP_OFFER, "offer");
	CHECK(strlen(l.tftp_server) == 64 && strlen(l.bootfile) == 128, "full fields: %zu %zu",
	      strlen(l.tftp_server), strlen(l.bootfile));
}

/* Pad options are skipped, a missing end is fine, long strings are cut to their arrays. */
static void test_parse_pad_end_cut(void)
{
	struct reply r;
	struct dhcp_lease l;
	reply_init(&r, XID, MAC);
	reply_byte(&r, 0);
	reply_byte(&r, 0);
	reply_type(&r, DHCP_ACK);
	reply_byte(&r, 0);
	reply_opt(&r, 12, "h", 1);
	CHECK(parse(&r, &l) == DHCP_ACK, "pads, no end");
	CHECK_STR(l.hostname, "h");

	char host[200];
	memset(host, 'x', sizeof(host));
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 12, host, sizeof(host));
	reply_opt(&r, 15, host, 0);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK, "long hostname");
	CHECK_STR(l.hostname, ""); /* a name that does not fit is dropped, not cut into another name */
	CHECK_STR(l.domain, "");

	/* address options shorter than 4 bytes are ignored */
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 1, "\xff\xff", 2);
	reply_opt(&r, 51, "\x00\x01", 2);
	reply_opt(&r, 26, "\x05", 1);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK, "short options");
	CHECK(l.netmask.s_addr == 0 && l.lease_s == 0 && l.mtu == 0, "short options ignored");
}

/* Parse a reply to us of type ACK with the single option CODE holding LEN bytes of DATA. */
static int parse_one(uint8_t code, const void *data, size_t len, struct dhcp_lease *l)
{
	struct reply r;
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, code, data, len);
	reply_byte(&r, 255);
	return parse(&r, l);
}

/* Host and domain names: only letters, digits, '-', '_', '.'; trailing NULs are allowed. */
static void test_parse_names(void)
{
	struct dhcp_lease l;
	CHECK(parse_one(12, "node7\0\0", 7, &l) == DHCP_ACK, "ack");
	CHECK_STR(l.hostname, "node7");
	CHECK(parse_one(12, "Node-7_a.b", 10, &l) == DHCP_ACK, "ack");
	CHECK_STR(l.hostname, "Node-7_a.b");
	char x[64];
	memset(x, 'x', sizeof(x));
	CHECK(parse_one(12, x, 63, &l) == DHCP_ACK && strlen(l.hostname) == 63, "63 bytes kept");
	CHECK(parse_one(12, x, 64, &l) == DHCP_ACK, "ack");
	CHECK_STR(l.hostname, "");
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {{"a b", 3}, {"x;reboot", 8}, {"$(id)", 5}, {"a\nb", 3}, {"no\0de", 5}, {"a/b", 3}, {"\"q\"", 3}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(parse_one(12, bad[i].s, bad[i].len, &l) == DHCP_ACK && l.hostname[0] == '\0', "hostname %zu dropped", i);
		CHECK(parse_one(15, bad[i].s, bad[i].len, &l) == DHCP_ACK && l.domain[0] == '\0', "domain %zu dropped", i);
	}
	CHECK(parse_one(12, "\0\0", 2, &l) == DHCP_ACK && l.hostname[0] == '\0', "only NULs");
	CHECK(parse_one(15, "lab.example.", 12, &l) == DHCP_ACK, "ack");
	CHECK_STR(l.domain, "lab.example.");
	/* root-path, TFTP server and boot file are kept as they are (not names) */
	CHECK(parse_one(17, "10.0.2.2:/srv/a b", 17, &l) == DHCP_ACK, "ack");
	CHECK_STR(l.root_path, "10.0.2.2:/srv/a b");
}

/* Option 42: NTP servers, at most DHCP_MAX_NTP. */
static void test_parse_ntp(void)
{
	struct dhcp_lease l;
	uint8_t a[24];
	for (int i = 0; i < 24; i++)
		a[i] = (uint8_t)(i / 4 + 1);
	CHECK(parse_one(42, a, 8, &l) == DHCP_ACK && l.nntp == 2, "two: %u", l.nntp);
	CHECK(ip_is(l.ntp[0], "1.1.1.1") && ip_is(l.ntp[1], "2.2.2.2"), "ntp addresses");
	CHECK(parse_one(42, a, 24, &l) == DHCP_ACK && l.nntp == DHCP_MAX_NTP, "six cut to %u", l.nntp);
	CHECK(ip_is(l.ntp[3], "4.4.4.4"), "fourth");
}

/* Option 121 (RFC 3442): prefix width, significant octets, gateway; split options are joined. */
static void test_parse_routes(void)
{
	struct dhcp_lease l;
	static const uint8_t rt[] = {0, 10, 0, 2, 1,                /* default via 10.0.2.1 */
				     24, 192, 168, 1, 10, 0, 2, 3,  /* 192.168.1.0/24 via 10.0.2.3 */
				     32, 10, 9, 8, 7, 0, 0, 0, 0,   /* 10.9.8.7/32 on-link */
				     9, 172, 128, 10, 0, 2, 4};     /* 172.128.0.0/9 via 10.0.2.4 */
	CHECK(parse_one(121, rt, sizeof(rt), &l) == DHCP_ACK, "ack");
	CHECK(l.classless && l.nroutes == 4, "classless, %u routes", l.nroutes);
	CHECK(l.routes[0].prefix == 0 && ip_is(l.routes[0].dst, "0.0.0.0") && ip_is(l.routes[0].gw, "10.0.2.1"), "default route");
	CHECK(l.routes[1].prefix == 24 && ip_is(l.routes[1].dst, "192.168.1.0") && ip_is(l.routes[1].gw, "10.0.2.3"), "/24");
	CHECK(l.routes[2].prefix == 32 && ip_is(l.routes[2].dst, "10.9.8.7") && ip_is(l.routes[2].gw, "0.0.0.0"), "/32");
	CHECK(l.routes[3].prefix == 9 && ip_is(l.routes[3].dst, "172.128.0.0") && ip_is(l.routes[3].gw, "10.0.2.4"), "/9");

	struct reply r;
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 121, rt, 7);
	reply_addr(&r, 3, "10.0.2.1");
	reply_opt(&r, 121, rt + 7, sizeof(rt) - 7);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK && l.classless && l.nroutes == 4, "split over two options: %u", l.nroutes);
	CHECK(ip_is(l.routes[1].dst, "192.168.1.0") && ip_is(l.routes[1].gw, "10.0.2.3"), "joined across the split");

	static const uint8_t wide[] = {33, 1, 2, 3, 4, 5, 10, 0, 2, 1};
	CHECK(parse_one(121, wide, sizeof(wide), &l) == DHCP_ACK && !l.classless && l.nroutes == 0, "width 33 ignored");
	CHECK(parse_one(121, rt, sizeof(rt) - 1, &l) == DHCP_ACK && !l.classless && l.nroutes == 0, "truncated ignored");
	CHECK(parse_one(121, rt, 0, &l) == DHCP_ACK && l.classless && l.nroutes == 0, "empty list");

	uint8_t many[16 * 5];
	for (int i = 0; i < 16; i++) {
		many[5 * i] = 0;
		memcpy(many + 5 * i + 1, "\x0a\x00\x02\x01", 4);
	}
	CHECK(parse_one(121, many, sizeof(many), &l) == DHCP_ACK && l.nroutes == DHCP_MAX_ROUTES, "16 routes: %u", l.nroutes);
}

/* Option 119 (RFC 3397): DNS-encoded names with compression, joined into a space-separated list. */
static void test_parse_search(void)
{
	struct dhcp_lease l;
	static const uint8_t s[] = {3, 'l', 'a', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
				    4, 'c', 'o', 'r', 'p', 0xc0, 4};
	CHECK(parse_one(119, s, sizeof(s), &l) == DHCP_ACK, "ack");
	CHECK_STR(l.search, "lab.example corp.example");

	struct reply r;
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 119, s, 6);
	reply_opt(&r, 119, s + 6, sizeof(s) - 6);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK, "ack");
	CHECK_STR(l.search, "lab.example corp.example");

	static const uint8_t loop[] = {3, 'a', 'b', 'c', 0xc0, 0};
	CHECK(parse_one(119, loop, sizeof(loop), &l) == DHCP_ACK, "ack");
	CHECK_STR(l.search, "");
	static const uint8_t badchar[] = {3, 'a', ' ', 'c', 0};
	CHECK(parse_one(119, badchar, sizeof(badchar), &l) == DHCP_ACK, "ack");
	CHECK_STR(l.search, "");
	static const uint8_t past[] = {3, 'a', 'b', 'c', 0xc0, 40};
	CHECK(parse_one(119, past, sizeof(past), &l) == DHCP_ACK, "ack");
	CHECK_STR(l.search, "");
	static const uint8_t unterminated[] = {3, 'a', 'b', 'c'};
	CHECK(parse_one(119, unterminated, sizeof(unterminated), &l) == DHCP_ACK, "ack");
	CHECK_STR(l.search, "");
}

/* Option 52: the file and sname fields carry options and are not strings then. */
static void test_parse_overload(void)
{
	struct reply r;
	struct dhcp_lease l;
	reply_init(&r, XID, MAC);
	memcpy(r.b + 44, "boot.lab", 8);
	memcpy(r.b + 108, "\x0c\x05node7\x43\x08ipxe.efi\xff", 18);
	reply_type(&r, DHCP_ACK);
	reply_opt(&r, 52, "\x01", 1);
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == DHCP_ACK, "overload 1");
	CHECK_STR(l.hostname, "node7");
	CHECK_STR(l.bootfile, "ipxe.efi");
	CHECK_STR(l.tftp_server, "boot.lab");

	memcpy(r.b + 44, "\x42\x04tftp\xff", 7);
	r.b[r.len - 2] = 3;
	CHECK(parse(&r, &l) == DHCP_ACK, "overload 3");
	CHECK_STR(l.tftp_server, "tftp");
	CHECK_STR(l.bootfile, "ipxe.efi");

	memset(r.b + 108, 0, 128);
	CHECK(parse(&r, &l) == DHCP_ACK, "overload 3, empty file field");
	CHECK_STR(l.bootfile, ""); /* not the field read as a string */

	r.b[108] = 12;
	r.b[109] = 200; /* runs past the file field */
	CHECK(parse(&r, &l) == -EINVAL, "option in the file field runs past it");
}

/* Everything that is not a well-formed reply to us. */
static void test_parse_refusals(void)
{
	struct reply r;
	struct dhcp_lease l;
	static const uint8_t other[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};

	reply_init(&r, XID + 1, MAC);
	reply_type(&r, DHCP_OFFER);
	CHECK(parse(&r, &l) == -EINVAL, "wrong xid");

	reply_init(&r, XID, other);
	reply_type(&r, DHCP_OFFER);
	CHECK(parse(&r, &l) == -EINVAL, "wrong chaddr");

	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_OFFER);
	r.b[0] = 1;
	CHECK(parse(&r, &l) == -EINVAL, "BOOTREQUEST");
	r.b[0] = 2;
	r.b[2] = 16;
	CHECK(parse(&r, &l) == -EINVAL, "hlen 16");
	r.b[2] = 6;
	r.b[239] = 0x64;
	CHECK(parse(&r, &l) == -EINVAL, "bad magic");
	r.b[239] = 99;
	CHECK(parse(&r, &l) == DHCP_OFFER, "restored");
	CHECK(dhcp_parse(r.b, 239, XID, MAC, &l) == -EINVAL, "239 bytes");
	CHECK(dhcp_parse(r.b, 0, XID, MAC, &l) == -EINVAL, "0 bytes");

	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_OFFER);
	reply_opt(&r, 12, "node7", 5);
	CHECK(dhcp_parse(r.b, r.len - 1, XID, MAC, &l) == -EINVAL, "option runs past the end");
	CHECK(dhcp_parse(r.b, r.len - 6, XID, MAC, &l) == -EINVAL, "length byte missing");

	reply_init(&r, XID, MAC);
	reply_addr(&r, 54, "10.0.2.2");
	reply_byte(&r, 255);
	CHECK(parse(&r, &l) == -EINVAL, "no option 53");
	CHECK(dhcp_parse(r.b, 240, XID, MAC, &l) == -EINVAL, "no options at all");
}

/* Internet checksum of LEN bytes at P (RFC 1071). */
static uint16_t inet_sum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Recompute the IPv4 header checksum of the frame F. */
static void fix_ip_csum(uint8_t *f)
{
	size_t ihl = (size_t)(f[0] & 15) * 4;
	f[10] = f[11] = 0;
	uint16_t c = inet_sum(f, ihl < 20 ? 20 : ihl);
	f[10] = (uint8_t)(c >> 8);
	f[11] = (uint8_t)c;
}

/* A server -> client frame around a DHCP OFFER; its length. */
static int server_frame(uint8_t *f, size_t cap, uint8_t *payload, size_t *plen)
{
	struct reply r;
	reply_init(&r, XID, MAC);
	reply_type(&r, DHCP_OFFER);
	reply_byte(&r, 255);
	r.len = 300;
	memcpy(payload, r.b, r.len);
	*plen = r.len;
	struct udp_ends e = {.src = ip4("10.0.2.2"), .dst = ip4("255.255.255.255"), .sport = 67, .dport = 68};
	return udp_frame_build(&e, payload, r.len, f, cap);
}

/* Parse frame F of LEN bytes; the result. */
static int fparse(const uint8_t *f, size_t len, bool csum_unknown)
{
	const uint8_t *p = NULL;
	size_t pl = 0;
	return udp_frame_parse(f, len, csum_unknown, &p, &pl);
}

/* Build then parse: the same payload comes back; the headers are what was asked. */
static void test_frame_round_trip(void)
{
	uint8_t f[1600], payload[600];
	size_t plen;
	int n = server_frame(f, sizeof(f), payload, &plen);
	CHECK(n == 328, "frame length %d", n);
	CHECK(f[0] == 0x45 && f[2] == 0x01 && f[3] == 0x48 && f[9] == 17, "ip header");
	CHECK(f[12] == 10 && f[15] == 2 && f[16] == 255 && f[19] == 255, "addresses");
	CHECK(f[20] == 0 && f[21] == 67 && f[22] == 0 && f[23] == 68, "ports");
	CHECK(f[24] == 0x01 && f[25] == 0x34, "udp length");
	CHECK(inet_sum(f, 20) == 0, "ip checksum verifies");
	CHECK(f[26] || f[27], "udp checksum set");

	const uint8_t *p = NULL;
	size_t pl = 0;
	CHECK(udp_frame_parse(f, (size_t)n, false, &p, &pl) == 0, "parse");
	CHECK(p == f + 28 && pl == plen && memcmp(p, payload, plen) == 0, "payload identical");
	struct dhcp_lease l;
	CHECK(dhcp_parse(p, pl, XID, MAC, &l) == DHCP_OFFER, "offer inside");

	/* Ethernet padding after the datagram is not payload */
	memset(f + n, 0, 20);
	CHECK(udp_frame_parse(f, (size_t)n + 20, false, &p, &pl) == 0 && pl == plen, "trailing bytes ignored");

	/* a client frame and a small buffer */
	struct udp_ends c = {.src = ip4("0.0.0.0"), .dst = ip4("255.255.255.255"), .sport = 68, .dport = 67};
	CHECK(udp_frame_build(&c, payload, plen, f, 327) == -ENOSPC, "cap too small");
	CHECK(udp_frame_build(&c, payload, plen, f, 328) == 328, "cap exact");
	CHECK(fparse(f, 328, false) == -EINVAL, "to port 67: not ours");
}

/* IP options (IHL 6) move the UDP header; the payload is still found. */
static void test_frame_ip_options(void)
{
	uint8_t f[1600], g[1600], payload[600];
	size_t plen;
	int n = server_frame(f, sizeof(f), payload, &plen);
	memcpy(g, f, 20);
	memset(g + 20, 1, 4); /* four NOP options */
	memcpy(g + 24, f + 20, (size_t)n - 20);
	g[0] = 0x46;
	g[3] = (uint8_t)(g[3] + 4);
	fix_ip_csum(g);
	const uint8_t *p = NULL;
	size_t pl = 0;
	CHECK(udp_frame_parse(g, (size_t)n + 4, false, &p, &pl) == 0, "ihl 6");
	CHECK(p == g + 32 && pl == plen && memcmp(p, payload, plen) == 0, "payload after options");
}

/* Every refusal of udp_frame_parse. */
static void test_frame_refusals(void)
{
	uint8_t f[1600], g[1600], payload[600];
	size_t plen;
	int n = server_frame(f, sizeof(f), payload, &plen);
	size_t len = (size_t)n;

	memcpy(g, f, len);
	g[22] = 0;
	g[23] = 69;
	CHECK(fparse(g, len, true) == -EINVAL, "wrong dst port");

	memcpy(g, f, len);
	g[8] ^= 1; /* TTL */
	CHECK(fparse(g, len, true) == -EINVAL, "bad ip checksum");

	memcpy(g, f, len);
	g[28 + 100] ^= 0x40;
	CHECK(fparse(g, len, false) == -EINVAL, "bad udp checksum");
	CHECK(fparse(g, len, true) == 0, "udp checksum skipped when unknown");
	g[26] = g[27] = 0;
	CHECK(fparse(g, len, false) == 0, "udp checksum 0 means none");

	memcpy(g, f, len);
	g[6] |= 0x20;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "MF set");
	memcpy(g, f, len);
	g[7] = 1;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "fragment offset 8");
	memcpy(g, f, len);
	g[6] = 0x01;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "fragment offset high bits");
	memcpy(g, f, len);
	g[6] = 0x40;
	fix_ip_csum(g);
	CHECK(fparse(g, len, false) == 0, "DF is fine");

	CHECK(fparse(f, len - 1, false) == -EINVAL, "total length > buffer");
	memcpy(g, f, len);
	g[2] = 0x10;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "total length field too big");
	memcpy(g, f, len);
	g[2] = 0;
	g[3] = 27;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "total length < headers");

	memcpy(g, f, len);
	g[0] = 0x44;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "ihl 4");
	g[0] = 0x40;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "ihl 0");

	memcpy(g, f, len);
	g[0] = 0x65;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "version 6");

	memcpy(g, f, len);
	g[9] = 6;
	fix_ip_csum(g);
	CHECK(fparse(g, len, true) == -EINVAL, "tcp");

	memcpy(g, f, len);
	g[24] = 0x02;
	CHECK(fparse(g, len, true) == -EINVAL, "udp length > ip payload");
	g[24] = 0;
	g[25] = 7;
	CHECK(fparse(g, len, true) == -EINVAL, "udp length < 8");

	CHECK(fparse(f, 27, true) == -EINVAL, "27 bytes");
	CHECK(fparse(f, 0, true) == -EINVAL, "0 bytes");

	/* the smallest valid frame: empty payload */
	struct udp_ends e = {.src = ip4("10.0.2.2"), .dst = ip4("10.0.2.15"), .sport = 67, .dport = 68};
	const uint8_t *p = NULL;
	size_t pl = 1;
	CHECK(udp_frame_build(&e, payload, 0, g, sizeof(g)) == 28, "empty payload");
	CHECK(udp_frame_parse(g, 28, false, &p, &pl) == 0 && pl == 0, "28 bytes ok");
}

/* Run every test; the exit status says whether all passed. */
int main(void)
{
	test_build_discover();
	test_build_request();
	test_parse_offer();
	test_parse_types();
	test_parse_many_dns();
	test_parse_sname_file();
	test_parse_pad_end_cut();
	test_parse_names();
	test_parse_ntp();
	test_parse_routes();
	test_parse_search();
	test_parse_overload();
	test_parse_refusals();
	test_frame_round_trip();
	test_frame_ip_options();
	test_frame_refusals();
	return check_done("dhcp_codec_test");
}
