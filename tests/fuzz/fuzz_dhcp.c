/* fuzz_dhcp.c - libFuzzer target for the DHCP codec: the input as an IPv4/UDP frame and as a
 * bare BOOTP message, with the lease's invariants checked on every accepted reply, and every text
 * of the lease (and the NFS export option 17 names) printed through the log, whose console, log
 * file and last error must hold plain text only. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "net/dhcp_codec.h"
#include "source/nfs_spec.h"

static int err_cap = -1, file_cap = -1, real_err = -1; /* the console's and log file's copies; fd 2 */


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

/* Whether the LEN bytes at P are log lines of plain text: printable ASCII, each line ending in
 * '\n' and starting with "pxeroot: ". */
static int plain_lines(const char *p, size_t len)
{
	int start = 1;
	for (size_t i = 0; i < len; i++) {
		if (start && (len - i < 9 || memcmp(p + i, "pxeroot: ", 9)))
			return 0;
		start = p[i] == '\n';
		if (!start && (p[i] < 0x20 || p[i] > 0x7e))
			return 0;
	}
	return start;
}

/* Whether memfd FD holds plain log lines; emptied for the next input. */
static int cap_plain(int fd)
{
	static char buf[1 << 18];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	REQUIRE(n >= 0 && (size_t)n < sizeof(buf));
	REQUIRE(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	return plain_lines(buf, (size_t)n);
}

/* Print text V of the lease (called NAME) as the agent's lines do: info, debug, error, errno, the
 * progress line of a file of that name. */
static void log_text(const char *name, const char *v)
{
	struct progress p;
	log_info("dhcp: %s \"%s\"", name, v);
	log_debug("dhcp: %s %s", name, v);
	log_err(-EINVAL, "dhcp %s \"%s\": not usable", name, v);
	log_errno(-EIO, "fetch http://10.0.2.2/%s", v);
	progress_start(&p, v, 1);
	progress_update(&p, 1, 1);
	progress_end(&p, true);
}

/* Print option 17 read as an NFS export, in both syntaxes, as the NFS source does: the parts or
 * the reason it was refused. */
static void log_export(const char *root_path)
{
	static struct nfs_spec s;
	char why[160], buf[NFS_PATH_MAX + NFS_OPTS_MAX];
	for (int dracut = 0; dracut < 2; dracut++) {
		snprintf(buf, sizeof(buf), "%s%s", dracut ? "nfs:" : "", root_path);
		int r = dracut ? nfs_parse_dracut(buf, &s, why, sizeof(why)) : nfs_parse_kernel(buf, &s, why, sizeof(why));
		if (r < 0)
			log_err(r, "dhcp root-path \"%s\": %s", buf, why);
		else
			log_info("nfs: mount %s:%s (%s)", s.server, s.path, s.opts);
	}
}

/* Print every text of lease L through the log with fd 2 captured; fd 2 restored, require that
 * the console, the log file and the last error hold plain text only. */
static void log_lease(const struct dhcp_lease *l)
{
	const char *names[] = {"hostname", "domain", "search", "root-path", "tftp-server", "bootfile"};
	const char *texts[] = {l->hostname, l->domain, l->search, l->root_path, l->tftp_server, l->bootfile};
	REQUIRE(dup2(err_cap, STDERR_FILENO) == STDERR_FILENO);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		log_text(names[i], texts[i]);
	log_export(l->root_path);
	REQUIRE(dup2(real_err, STDERR_FILENO) == STDERR_FILENO);
	const char *last = log_last_error();
	for (const char *c = last; *c; c++)
		REQUIRE(*c >= 0x20 && *c <= 0x7e);
	REQUIRE(cap_plain(err_cap));
	REQUIRE(cap_plain(file_cap));
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
	log_lease(&l);
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

/* The log's destinations: the console (fd 2 while a lease is printed) and the log file, each a
 * memory file; debug lines on. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[64];
	(void)argc;
	(void)argv;
	err_cap = memfd_create("console", MFD_CLOEXEC);
	file_cap = memfd_create("log", MFD_CLOEXEC);
	real_err = dup(STDERR_FILENO);
	REQUIRE(err_cap >= 0 && file_cap >= 0 && real_err >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", file_cap);
	log_to_file(path);
	log_set_debug(true);
	return 0;
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
