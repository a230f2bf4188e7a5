/* report_test.c - the boot report's document: exact text with every field, fields that do not
 * apply left out, JSON escaping (quote, backslash, newline, ESC, DEL, valid UTF-8 kept, bytes of
 * 0x80 and above that are not valid UTF-8 as \u00XX: a stray byte, an overlong form, a surrogate,
 * a sequence cut short), long strings cut with "..." never inside an escape or a UTF-8 sequence,
 * the size bound with every field at its longest, a buffer too small refused, a stage tried
 * again recorded once, and a failing run's last error line (log_err) as its "error". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fetch/chunks.h"
#include "log.h"
#include "net/net.h"
#include "report.h"

static char doc[REPORT_MAX];

/* R's document into doc; its length. */
static int build(const struct report *r)
{
	int n = report_build(r, doc, sizeof(doc));
	CHECK(n > 0 && (size_t)n == strlen(doc), "report_build returned %d for %zu bytes", n, strlen(doc));
	return n;
}

/* The "error" field of a report whose error line is S. */
static const char *error_of(const char *s)
{
	static struct report r;
	r = (struct report){.error = s};
	build(&r);
	const char *e = strstr(doc, ",\"error\":");
	return e ? e + 9 : "(no error field)";
}

/* A success with no network and nothing fetched: only what applies. */
static void test_omitted(void)
{
	struct report r = {.ok = true, .uptime_ms = 1234};
	report_stage(&r, "options", 3, 1, true);
	build(&r);
	CHECK_STR(doc, "{\"pxeroot\":\"" PXEROOT_VERSION "\",\"ok\":true,\"uptime_ms\":1234,\"stages\":[{\"stage\":\"options\",\"ms\":3,\"ok\":true}]}");
	r = (struct report){0}; /* a host's fetch: no uptime, no stage yet, an empty error */
	r.error = "";
	build(&r);
	CHECK_STR(doc, "{\"pxeroot\":\"" PXEROOT_VERSION "\",\"ok\":false,\"stages\":[]}");
}

/* A network as the network stage leaves it: eth0 by DHCP, or a static address. */
static void fill_net(struct net_result *net, bool dhcp)
{
	struct net_iface *i = &net->ifs[0];
	memset(net, 0, sizeof(*net));
	net->n = 1;
	snprintf(i->nic.name, sizeof(i->nic.name), "eth0");
	memcpy(i->nic.mac, "\x52\x54\x00\x12\x34\x01", 6);
	i->method = dhcp ? IPC_DHCP : IPC_STATIC;
	inet_pton(AF_INET, "10.0.2.15", &i->lease.addr);
	inet_pton(AF_INET, "255.255.255.0", &i->lease.netmask);
	inet_pton(AF_INET, "10.0.2.2", &i->lease.router);
	if (dhcp) {
		inet_pton(AF_INET, "10.0.2.2", &i->lease.server_id);
		inet_pton(AF_INET, "10.0.2.5", &i->lease.next_server);
		i->lease.lease_s = 86400;
	}
}

/* Every field: a failing boot with a lease and a chunked image from two stores. */
static void test_full(void)
{
	static struct report r;
	struct net_result net;
	struct mirrors st = {.n = 2, .base = {"http://10.0.2.2:8080/root.castr/", "http://10.0.2.2:8081/store/"}};
	struct chunks_req cr = {.stores = &st, .bytes = 4096, .chunks = 7, .per_store = {5, 2}};
	fill_net(&net, true);
	r = (struct report){.uptime_ms = 9000, .error = "chunk 0a1b (bytes 0-99): HTTP 404"};
	report_stage(&r, "network", 1500, 1, true);
	report_stage(&r, "root", 100, 1, false);
	report_stage(&r, "root", 4100, 2, false); /* tried again: the same entry */
	report_lease(&r, &net);
	report_fetched(&r.root, "http://10.0.2.2:8080/root.caibx", 0);
	report_chunks(&r.root, &cr);
	build(&r);
	CHECK_STR(doc, "{\"pxeroot\":\"" PXEROOT_VERSION "\",\"ok\":false,\"uptime_ms\":9000,"
		       "\"stages\":[{\"stage\":\"network\",\"ms\":1500,\"ok\":true},{\"stage\":\"root\",\"ms\":4100,\"ok\":false,\"attempts\":2}],"
		       "\"lease\":{\"iface\":\"eth0\",\"mac\":\"52:54:00:12:34:01\",\"method\":\"dhcp\",\"address\":\"10.0.2.15/24\","
		       "\"gateway\":\"10.0.2.2\",\"server\":\"10.0.2.2\",\"next_server\":\"10.0.2.5\",\"lease_s\":86400},"
		       "\"root\":{\"url\":\"http://10.0.2.2:8080/root.caibx\",\"bytes\":4096,\"chunks\":7,"
		       "\"stores\":[{\"url\":\"http://10.0.2.2:8080/root.castr/\",\"chunks\":5},{\"url\":\"http://10.0.2.2:8081/store/\",\"chunks\":2}]},"
		       "\"error\":\"chunk 0a1b (bytes 0-99): HTTP 404\"}");
	fill_net(&net, false); /* a static ip=: no server, no lease time */
	r = (struct report){.ok = true};
	report_lease(&r, &net);
	report_fetched(&r.root, "http://h/a.sfs", 123);
	build(&r);
	CHECK_STR(strstr(doc, ",\"lease\""), ",\"lease\":{\"iface\":\"eth0\",\"mac\":\"52:54:00:12:34:01\",\"method\":\"static\",\"address\":\"10.0.2.15/24\","
					    "\"gateway\":\"10.0.2.2\"},\"root\":{\"url\":\"http://h/a.sfs\",\"bytes\":123}}");
	net.n = 0; /* the network never came up: no lease */
	r = (struct report){0};
	report_lease(&r, &net);
	CHECK(!r.has_lease, "no lease without an interface");
}

/* JSON escaping of every kind of byte. */
static void test_escape(void)
{
	CHECK_STR(error_of("a \"q\" b\\c"), "\"a \\\"q\\\" b\\\\c\"}");
	CHECK_STR(error_of("l1\nl2\r\t"), "\"l1\\u000al2\\u000d\\u0009\"}");
	CHECK_STR(error_of("\033[2J\x7f\x01"), "\"\\u001b[2J\\u007f\\u0001\"}");
	CHECK_STR(error_of("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");
	CHECK_STR(error_of("x\xff" "y\x80"), "\"x\\u00ffy\\u0080\"}");
	CHECK_STR(error_of("\xc0\xaf"), "\"\\u00c0\\u00af\"}");                /* overlong '/' */
	CHECK_STR(error_of("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"}");      /* a surrogate */
	CHECK_STR(error_of("\xe2\x82"), "\"\\u00e2\\u0082\"}");                 /* cut short at the end */
	CHECK_STR(error_of("\xe2\x82" "A"), "\"\\u00e2\\u0082A\"}");            /* cut short before a letter */
	CHECK_STR(error_of("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\"}"); /* past U+10FFFF */
}

/* A string longer than its room is cut with "...", whole escapes and sequences only. */
static void test_cut(void)
{
	static struct report r;
	static char s[4096];
	memset(s, 0x01, 400); /* 6 escaped bytes each: 84 fit in REPORT_STR_MAX - 3 */
	s[400] = '\0';
	r = (struct report){0};
	report_fetched(&r.root, s, 0);
	build(&r);
	const char *u = strstr(doc, "\"url\":\"") + 7, *end = strstr(u, "\"");
	CHECK(end - u == 84 * 6 + 3, "cut after whole escapes: %d bytes", (int)(end - u));
	CHECK(!strncmp(end - 9, "\\u0001...", 9), "ends in a whole escape and ...");
	for (int i = 0; i < 300; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	s[600] = '\0';
	report_fetched(&r.root, s, 0);
	build(&r);
	u = strstr(doc, "\"url\":\"") + 7, end = strstr(u, "\"");
	CHECK(end - u == 254 * 2 + 3, "cut after whole UTF-8 sequences: %d bytes", (int)(end - u));
	memset(s, 'a', REPORT_STR_MAX); /* exactly the room: not cut */
	s[REPORT_STR_MAX] = '\0';
	report_fetched(&r.root, s, 0);
	build(&r);
	CHECK(!strstr(doc, "..."), "a string of exactly the room is whole");
}

/* Every field at its longest and worst: within REPORT_MAX; a small buffer refused. */
static void test_bound(void)
{
	static struct report r;
	static char big[2048];
	memset(big, 0x01, sizeof(big) - 1);
	r = (struct report){.uptime_ms = UINT64_MAX, .error = big, .has_lease = true};
	for (unsigned i = 0; i < REPORT_STAGES + 3; i++) {
		static char names[REPORT_STAGES + 3][4];
		snprintf(names[i], sizeof(names[i]), "s%u", i);
		report_stage(&r, names[i], UINT64_MAX, ~0u, false);
	}
	CHECK(r.nstages == REPORT_STAGES, "stages past the bound dropped: %u", r.nstages);
	memset(&r.lease, 0x01, sizeof(r.lease) - sizeof(r.lease.lease_s));
	r.lease.iface[sizeof(r.lease.iface) - 1] = r.lease.mac[sizeof(r.lease.mac) - 1] = '\0';
	r.lease.method[sizeof(r.lease.method) - 1] = r.lease.address[sizeof(r.lease.address) - 1] = '\0';
	r.lease.gateway[sizeof(r.lease.gateway) - 1] = r.lease.server[sizeof(r.lease.server) - 1] = '\0';
	r.lease.next_server[sizeof(r.lease.next_server) - 1] = '\0';
	r.lease.lease_s = UINT32_MAX;
	report_fetched(&r.root, big, UINT64_MAX);
	r.root.chunks = UINT64_MAX;
	r.root.nstores = MIRRORS_MAX;
	for (unsigned i = 0; i < MIRRORS_MAX; i++) {
		memcpy(r.root.store[i], big, sizeof(big));
		r.root.per_store[i] = UINT64_MAX;
	}
	int n = report_build(&r, doc, sizeof(doc));
	CHECK(n > 0 && n < REPORT_MAX, "the longest document fits in REPORT_MAX: %d", n);
	printf("# the longest document: %d bytes of %d\n", n, REPORT_MAX);
	char small[64];
	CHECK(report_build(&r, small, sizeof(small)) == -E2BIG, "a buffer too small is refused");
	CHECK(strlen(small) < sizeof(small), "nothing written past it");
}

/* A failing run: its last error line (log_err) is the document's error. */
static void test_error_line(void)
{
	int e = log_err(-ENOENT, "fetch http://10.0.2.2:8080/arch/x86_64/airootfs.sfs: HTTP %d \"%s\"", 404, "Not Found");
	CHECK(e == -ENOENT, "log_err returns its error");
	CHECK_STR(error_of(log_last_error()), "\"fetch http://10.0.2.2:8080/arch/x86_64/airootfs.sfs: HTTP 404 \\\"Not Found\\\"\"}");
	log_err(-EIO, "server said \033[2J"); /* log_clean's escape, then JSON's backslash */
	CHECK_STR(error_of(log_last_error()), "\"server said \\\\x1b[2J\"}");
}

int main(void)
{
	test_omitted();
	test_full();
	test_escape();
	test_cut();
	test_bound();
	test_error_line();
	return check_done("report_test");
}
