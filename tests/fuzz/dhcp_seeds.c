/* dhcp_seeds.c - writes the seed corpus of fuzz_dhcp (OFFER/ACK/NAK replies, bare and framed,
 * and a DISCOVER frame) into the directory given as the only argument: `make fuzz-seeds`. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "net/dhcp_codec.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
#define XID 0x12345678u

static const char *dir;

/* Write LEN bytes of P to DIR/NAME; 0 or -1. */
static int put(const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Append option CODE with LEN bytes of DATA at *POS of B. */
static void opt(uint8_t *b, size_t *pos, uint8_t code, const void *data, size_t len)
{
	b[(*pos)++] = code;
	b[(*pos)++] = (uint8_t)len;
	memcpy(b + *pos, data, len);
	*pos += len;
}

/* Append an address option CODE holding dotted address S. */
static void opt_addr(uint8_t *b, size_t *pos, uint8_t code, const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	opt(b, pos, code, &a, 4);
}

/* A BOOTREPLY of TYPE into B; FULL adds every option the client reads; its length. */
static size_t reply(uint8_t *b, uint8_t type, int full, int end)
{
	memset(b, 0, 600);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	uint32_t x = htonl(XID);
	memcpy(b + 4, &x, 4);
	inet_pton(AF_INET, "10.0.2.15", b + 16);
	inet_pton(AF_INET, "10.0.2.2", b + 20);
	memcpy(b + 28, MAC, 6);
	memcpy(b + 44, "boot.lab", 8);
	memcpy(b + 108, "pxelinux.0", 10);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	size_t pos = 240;
	opt(b, &pos, 53, &type, 1);
	opt_addr(b, &pos, 54, "10.0.2.2");
	if (full) {
		opt_addr(b, &pos, 1, "255.255.255.0");
		opt_addr(b, &pos, 3, "10.0.2.2");
		opt(b, &pos, 6, "\x0a\x00\x02\x03\x01\x01\x01\x01", 8);
		opt(b, &pos, 12, "node7", 5);
		opt(b, &pos, 15, "lab.example", 11);
		opt(b, &pos, 17, "10.0.2.2:/srv/root", 18);
		opt(b, &pos, 26, "\x05\xdc", 2);
		opt_addr(b, &pos, 28, "10.0.2.255");
		opt(b, &pos, 51, "\x00\x01\x51\x80", 4);
		b[pos++] = 0;
		opt(b, &pos, 66, "10.0.2.2", 8);
		opt(b, &pos, 67, "arch/boot/x86_64/vmlinuz-linux", 30);
	}
	if (end)
		b[pos++] = 255;
	return pos < 300 ? 300 : pos;
}

/* Frame payload P (LEN bytes) server -> client into F; its length. */
static size_t frame(const uint8_t *p, size_t len, uint8_t *f, uint16_t sport, uint16_t dport)
{
	struct udp_ends e = {.sport = sport, .dport = dport};
	inet_pton(AF_INET, sport == 67 ? "10.0.2.2" : "0.0.0.0", &e.src);
	inet_pton(AF_INET, "255.255.255.255", &e.dst);
	int n = udp_frame_build(&e, p, len, f, 1600);
	return n < 0 ? 0 : (size_t)n;
}

/* Write every seed into the directory named by the argument. */
int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	uint8_t b[600], f[1600];
	size_t n, m;
	int err = 0;

	n = reply(b, DHCP_OFFER, 1, 1);
	err |= put("offer.bootp", b, n);
	m = frame(b, n, f, 67, 68);
	err |= put("offer.frame", f, m);
	f[26] = f[27] = 0; /* no UDP checksum */
	err |= put("offer_nocsum.frame", f, m);

	n = reply(b, DHCP_ACK, 1, 0); /* no end option */
	err |= put("ack_noend.bootp", b, n);
	m = frame(b, n, f, 67, 68);
	err |= put("ack.frame", f, m);

	n = reply(b, DHCP_NAK, 0, 1);
	m = frame(b, n, f, 67, 68);
	err |= put("nak.frame", f, m);

	struct dhcp_request rq = {.type = DHCP_DISCOVER, .xid = XID};
	memcpy(rq.mac, MAC, 6);
	int k = dhcp_build(&rq, b, sizeof(b));
	if (k > 0) {
		m = frame(b, (size_t)k, f, 68, 67);
		err |= put("discover.frame", f, m);
	}
	return err ? 1 : 0;
}
