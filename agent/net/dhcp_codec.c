/* dhcp_codec.c - build and parse DHCPv4 messages and their IPv4/UDP frame. Everything that comes
 * from the network is bounds-checked here before any field is used. */
#define _GNU_SOURCE
#include "net/dhcp_codec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

/* BOOTP fixed header offsets (RFC 951 / 2131 figure 1). */
enum {
	B_OP = 0, B_HTYPE = 1, B_HLEN = 2, B_XID = 4, B_SECS = 8, B_FLAGS = 10, B_CIADDR = 12,
	B_YIADDR = 16, B_SIADDR = 20, B_CHADDR = 28, B_SNAME = 44, B_FILE = 108, B_MAGIC = 236,
	B_OPTIONS = 240, B_MIN_LEN = 300,
};

static const uint8_t magic[4] = {99, 130, 83, 99};
/* Options we ask for (option 55). */
static const uint8_t wanted[] = {1, 3, 6, 12, 15, 17, 26, 28, 42, 51, 54, 66, 67, 119, 121};

/* Append option CODE with LEN bytes of DATA at *POS; false when it does not fit. */
static bool put_opt(uint8_t *buf, size_t cap, size_t *pos, uint8_t code, const void *data, size_t len)
{
	if (len > 255 || *pos + 2 + len + 1 > cap)
		return false;
	buf[(*pos)++] = code;
	buf[(*pos)++] = (uint8_t)len;
	memcpy(buf + *pos, data, len);
	*pos += len;
	return true;
}

/* Build a DISCOVER or REQUEST. */
int dhcp_build(const struct dhcp_request *req, uint8_t *buf, size_t cap)
{
	if (cap < 548)
		return -ENOSPC;
	memset(buf, 0, cap);
	buf[B_OP] = 1;
	buf[B_HTYPE] = 1;
	buf[B_HLEN] = 6;
	uint32_t xid = htonl(req->xid);
	memcpy(buf + B_XID, &xid, 4);
	uint16_t secs = htons(req->secs);
	memcpy(buf + B_SECS, &secs, 2);
	memcpy(buf + B_CHADDR, req->mac, 6);
	memcpy(buf + B_MAGIC, magic, 4);

	size_t pos = B_OPTIONS;
	uint8_t clientid[7] = {1};
	memcpy(clientid + 1, req->mac, 6);
	uint16_t maxsize = htons(1500);
	bool ok = put_opt(buf, cap, &pos, 53, &req->type, 1) &&
		  put_opt(buf, cap, &pos, 61, clientid, sizeof(clientid)) &&
		  put_opt(buf, cap, &pos, 57, &maxsize, 2) &&
		  put_opt(buf, cap, &pos, 55, wanted, sizeof(wanted)) &&
		  put_opt(buf, cap, &pos, 60, "pxeroot", 7);
	if (ok && req->requested.s_addr)
		ok = put_opt(buf, cap, &pos, 50, &req->requested, 4);
	if (ok && req->server_id.s_addr)
		ok = put_opt(buf, cap, &pos, 54, &req->server_id, 4);
	if (ok && req->hostname && *req->hostname)
		ok = put_opt(buf, cap, &pos, 12, req->hostname, strnlen(req->hostname, 255));
	if (!ok)
		return -ENOSPC;
	buf[pos++] = 255;
	return (int)(pos < B_MIN_LEN ? B_MIN_LEN : pos);
}

/* Options that may be split over several instances and must be joined first (RFC 3396). */
struct opt_join {
	uint8_t data[1024];
	size_t len;
	bool seen;
};

struct parse_ctx {
	struct dhcp_lease *out;
	struct opt_join search;  /* 119 */
	struct opt_join routes;  /* 121 */
	uint8_t overload;        /* option 52 */
};

/* Append LEN bytes to J (silently cut at its size: a longer one is not well-formed anyway). */
static void join_add(struct opt_join *j, const uint8_t *d, size_t len)
{
	size_t room = sizeof(j->data) - j->len;
	if (len > room)
		len = room;
	memcpy(j->data + j->len, d, len);
	j->len += len;
	j->seen = true;
}

/* Whether C may appear in a host or domain name we pass on. */
static bool name_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* Copy an option string of LEN bytes into DST (CAP bytes), NUL-terminated. */
static void opt_str(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Copy a host or domain name; trailing NULs allowed, anything else outside name_char drops it. */
static void opt_name(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	while (len && src[len - 1] == 0)
		len--;
	dst[0] = '\0';
	if (len == 0 || len >= cap)
		return;
	for (size_t i = 0; i < len; i++)
		if (!name_char(src[i]))
			return;
	opt_str(dst, cap, src, len);
}

/* Read 4 bytes of address DATA into *A if LEN is at least 4. */
static void opt_addr(struct in_addr *a, const uint8_t *data, size_t len)
{
	if (len >= 4)
		memcpy(&a->s_addr, data, 4);
}

/* Up to MAX addresses from a list option into A, count in *N. */
static void opt_addrs(struct in_addr *a, unsigned *n, unsigned max, const uint8_t *d, size_t len)
{
	for (size_t i = 0; i + 4 <= len && *n < max; i += 4)
		memcpy(&a[(*n)++].s_addr, d + i, 4);
}

/* Apply one option to the lease being parsed. */
static void parse_opt(struct parse_ctx *ctx, uint8_t code, const uint8_t *d, size_t len)
{
	struct dhcp_lease *out = ctx->out;
	switch (code) {
	case 53: if (len == 1) out->type = d[0]; break;
	case 52: if (len == 1) ctx->overload = d[0]; break;
	case 1: opt_addr(&out->netmask, d, len); break;
	case 3: opt_addr(&out->router, d, len); break;
	case 28: opt_addr(&out->broadcast, d, len); break;
	case 54: opt_addr(&out->server_id, d, len); break;
	case 6: opt_addrs(out->dns, &out->ndns, DHCP_MAX_DNS, d, len); break;
	case 42: opt_addrs(out->ntp, &out->nntp, DHCP_MAX_NTP, d, len); break;
	case 51:
		if (len == 4)
			out->lease_s = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
		break;
	case 26: if (len == 2) out->mtu = (uint16_t)(d[0] << 8 | d[1]); break;
	case 12: opt_name(out->hostname, sizeof(out->hostname), d, len); break;
	case 15: opt_name(out->domain, sizeof(out->domain), d, len); break;
	case 17: opt_str(out->root_path, sizeof(out->root_path), d, len); break;
	case 66: opt_str(out->tftp_server, sizeof(out->tftp_server), d, len); break;
	case 67: opt_str(out->bootfile, sizeof(out->bootfile), d, len); break;
	case 119: join_add(&ctx->search, d, len); break;
	case 121: join_add(&ctx->routes, d, len); break;
	default: break;
	}
}

/* Walk an options area; -EINVAL when an option runs past the end. */
static int parse_options(struct parse_ctx *ctx, const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t code = p[i++];
		if (code == 0)
			continue;
		if (code == 255)
			return 0;
		if (i >= len || i + 1 + p[i] > len)
			return -EINVAL;
		size_t olen = p[i++];
		parse_opt(ctx, code, p + i, olen);
		i += olen;
	}
	return 0; /* a missing end option is tolerated, as most clients do */
}

/* Decode option 121 (RFC 3442); a malformed list is ignored as a whole. */
static void decode_routes(const struct opt_join *j, struct dhcp_lease *out)
{
	struct dhcp_route r[DHCP_MAX_ROUTES] = {0};
	unsigned n = 0;
	size_t i = 0;
	while (i < j->len) {
		uint8_t width = j->data[i++];
		size_t octets = (width + 7u) / 8u;
		if (width > 32 || i + octets + 4 > j->len || n == DHCP_MAX_ROUTES)
			return;
		uint8_t dst[4] = {0};
		memcpy(dst, j->data + i, octets);
		i += octets;
		r[n].prefix = width;
		memcpy(&r[n].dst.s_addr, dst, 4);
		memcpy(&r[n].gw.s_addr, j->data + i, 4);
		i += 4;
		n++;
	}
	memcpy(out->routes, r, sizeof(r[0]) * n);
	out->nroutes = n;
	out->classless = true;
}

/* Decode one RFC 1035 name at *POS of J (compression allowed) into OUT; false if malformed. */
static bool decode_name(const struct opt_join *j, size_t *pos, char *out, size_t cap)
{
	size_t p = *pos, o = 0;
	int jumps = 0;
	bool jumped = false;
	for (;;) {
		if (p >= j->len)
			return false;
		uint8_t l = j->data[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= j->len || ++jumps > 16)
				return false;
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			p = (size_t)(l & 0x3f) << 8 | j->data[p + 1];
			continue;
		}
		if (l & 0xc0)
			return false;
		p++;
		if (l == 0)
			break;
		if (p + l > j->len || o + l + 2 > cap)
			return false;
		if (o)
			out[o++] = '.';
		for (uint8_t k = 0; k < l; k++) {
			if (!name_char(j->data[p + k]) || j->data[p + k] == '.')
				return false;
			out[o++] = (char)j->data[p + k];
		}
		p += l;
	}
	if (!jumped)
		*pos = p;
	out[o] = '\0';
	return o > 0;
}

/* Decode option 119 into a space-separated list; a malformed list is ignored as a whole. */
static void decode_search(const struct opt_join *j, struct dhcp_lease *out)
{
	char list[sizeof(out->search)] = "", name[256];
	size_t pos = 0, o = 0;
	while (pos < j->len) {
		if (!decode_name(j, &pos, name, sizeof(name)))
			return;
		size_t l = strlen(name);
		if (o + l + 2 > sizeof(list))
			break; /* keep what fits */
		if (o)
			list[o++] = ' ';
		memcpy(list + o, name, l + 1);
		o += l;
	}
	memcpy(out->search, list, sizeof(list));
}

/* Parse a reply. */
int dhcp_parse(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6], struct dhcp_lease *out)
{
	memset(out, 0, sizeof(*out));
	uint32_t x;
	if (len < B_OPTIONS || buf[B_OP] != 2 || buf[B_HTYPE] != 1 || buf[B_HLEN] != 6)
		return -EINVAL;
	memcpy(&x, buf + B_XID, 4);
	if (ntohl(x) != xid || memcmp(buf + B_CHADDR, mac, 6) || memcmp(buf + B_MAGIC, magic, 4))
		return -EINVAL;
	memcpy(&out->addr.s_addr, buf + B_YIADDR, 4);
	memcpy(&out->next_server.s_addr, buf + B_SIADDR, 4);
	struct parse_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	if (parse_options(&ctx, buf + B_OPTIONS, len - B_OPTIONS) < 0)
		return -EINVAL;
	/* option 52: the file and/or sname fields carry more options instead of strings */
	if ((ctx.overload & 1) && parse_options(&ctx, buf + B_FILE, 128) < 0)
		return -EINVAL;
	if ((ctx.overload & 2) && parse_options(&ctx, buf + B_SNAME, 64) < 0)
		return -EINVAL;
	if (!(ctx.overload & 2) && !out->tftp_server[0])
		opt_str(out->tftp_server, sizeof(out->tftp_server), buf + B_SNAME, strnlen((const char *)buf + B_SNAME, 64));
	if (!(ctx.overload & 1) && !out->bootfile[0])
		opt_str(out->bootfile, sizeof(out->bootfile), buf + B_FILE, strnlen((const char *)buf + B_FILE, 128));
	if (ctx.routes.seen)
		decode_routes(&ctx.routes, out);
	if (ctx.search.seen)
		decode_search(&ctx.search, out);
	if (out->type == 0)
		return -EINVAL;
	return out->type;
}

/* One's-complement sum of LEN bytes, folded into SUM. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

/* Fold SUM to 16 bits and complement it. */
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP checksum over the pseudo header of IP header IP and the UDP datagram UDP of ULEN bytes. */
static uint16_t udp_csum(const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
	uint8_t pseudo[12];
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	return csum_fold(csum_add(csum_add(0, pseudo, 12), udp, ulen));
}

/* Wrap a payload in IPv4 + UDP. */
int udp_frame_build(const struct udp_ends *e, const uint8_t *payload, size_t len, uint8_t *buf, size_t cap)
{
	size_t total = 20 + 8 + len;
	if (total > cap || total > 65535)
		return -ENOSPC;
	memset(buf, 0, 28);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[8] = 64;
	buf[9] = 17;
	memcpy(buf + 12, &e->src.s_addr, 4);
	memcpy(buf + 16, &e->dst.s_addr, 4);
	uint16_t c = csum_fold(csum_add(0, buf, 20));
	buf[10] = (uint8_t)(c >> 8);
	buf[11] = (uint8_t)c;

	uint8_t *u = buf + 20;
	u[0] = (uint8_t)(e->sport >> 8);
	u[1] = (uint8_t)e->sport;
	u[2] = (uint8_t)(e->dport >> 8);
	u[3] = (uint8_t)e->dport;
	u[4] = (uint8_t)((8 + len) >> 8);
	u[5] = (uint8_t)(8 + len);
	memcpy(u + 8, payload, len);
	c = udp_csum(buf, u, 8 + len);
	if (c == 0)
		c = 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	return (int)total;
}

/* Validate an incoming IPv4/UDP packet addressed to the DHCP client port. */
int udp_frame_parse(const uint8_t *pkt, size_t len, bool csum_unknown, const uint8_t **payload, size_t *plen)
{
	if (len < 28 || (pkt[0] >> 4) != 4)
		return -EINVAL;
	size_t ihl = (size_t)(pkt[0] & 15) * 4;
	size_t total = (size_t)(pkt[2] << 8 | pkt[3]);
	if (ihl < 20 || total > len || total < ihl + 8 || pkt[9] != 17)
		return -EINVAL;
	if ((pkt[6] & 0x3f) || pkt[7]) /* MF flag or fragment offset */
		return -EINVAL;
	if (csum_fold(csum_add(0, pkt, ihl)) != 0)
		return -EINVAL;
	const uint8_t *u = pkt + ihl;
	size_t ulen = (size_t)(u[4] << 8 | u[5]);
	if ((u[2] << 8 | u[3]) != DHCP_CLIENT_PORT || ulen < 8 || ulen > total - ihl)
		return -EINVAL;
	if (!csum_unknown && (u[6] || u[7]) && udp_csum(pkt, u, ulen) != 0)
		return -EINVAL;
	*payload = u + 8;
	*plen = ulen - 8;
	return 0;
}
