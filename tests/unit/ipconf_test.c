/* ipconf_test.c - every ip= form, BOOTIF=, and their malformed twins. */
#include <arpa/inet.h>
#include <errno.h>

#include "check.h"
#include "net/ipconf.h"

/* Dotted form of A (one of two rotating buffers). */
static const char *ip(struct in_addr a)
{
	static char buf[2][INET_ADDRSTRLEN];
	static int k;
	k ^= 1;
	return inet_ntop(AF_INET, &a, buf[k], sizeof(buf[k]));
}

/* Parse V, expecting success. */
static struct ip_conf ok(const char *v)
{
	struct ip_conf c;
	char why[160];
	int r = ipconf_parse(v, &c, why, sizeof(why));
	CHECK(r == 0, "ip=%s refused: %s", v, why);
	return c;
}

/* Parse V, expecting a refusal whose reason contains WANT. */
static void bad(const char *v, const char *want)
{
	struct ip_conf c;
	char why[160];
	int r = ipconf_parse(v, &c, why, sizeof(why));
	CHECK(r == -EINVAL && strstr(why, want), "ip=%s: r=%d why \"%s\", want \"%s\"", v, r, why, want);
}

/* The keyword forms. */
static void test_keywords(void)
{
	const char *dhcp[] = {"dhcp", "on", "any", "bootp", "both", "single-dhcp"};
	for (size_t i = 0; i < sizeof(dhcp) / sizeof(dhcp[0]); i++)
		CHECK(ok(dhcp[i]).method == IPC_DHCP, "%s", dhcp[i]);
	CHECK(ok("off").method == IPC_OFF && ok("none").method == IPC_OFF, "off/none");
	bad("dhcp6", "IPv6");
	bad("auto6", "IPv6");
	bad("ibft", "not supported");
	bad("banana", "not a method");
	bad("", "not a method");
	bad("DHCP", "not a method");
}

/* The kernel's long form with DNS and NTP fields. */
static void test_kernel_long(void)
{
	struct ip_conf c = ok("192.168.1.10:192.168.1.1:192.168.1.254:255.255.255.0:box:eth1:off:10.0.0.53:10.0.0.54:10.0.0.123");
	CHECK(c.method == IPC_STATIC, "static");
	CHECK_STR(ip(c.client), "192.168.1.10");
	CHECK_STR(ip(c.server), "192.168.1.1");
	CHECK_STR(ip(c.gateway), "192.168.1.254");
	CHECK_STR(ip(c.netmask), "255.255.255.0");
	CHECK_STR(c.hostname, "box");
	CHECK_STR(c.device, "eth1");
	CHECK_STR(ip(c.dns[0]), "10.0.0.53");
	CHECK_STR(ip(c.dns[1]), "10.0.0.54");
	CHECK_STR(ip(c.ntp), "10.0.0.123");

	c = ok("::::::dhcp");
	CHECK(c.method == IPC_DHCP && !c.device[0], "all empty + dhcp");
	c = ok(":::::eth0:");
	CHECK(c.method == IPC_DHCP && !strcmp(c.device, "eth0"), "no client, no autoconf: automatic on eth0");
	c = ok("10.1.2.3::10.1.2.1:16:h:eth0:none");
	CHECK_STR(ip(c.netmask), "255.255.0.0");
	c = ok("10.1.2.3:::::eth0:none");
	CHECK_STR(ip(c.netmask), "255.0.0.0"); /* classful default, as the kernel */
	c = ok("192.168.5.5");
	CHECK(c.method == IPC_STATIC && !strcmp(ip(c.netmask), "255.255.255.0"), "client only");
	c = ok("10.0.0.9:::::eth0:dhcp");
	CHECK(c.method == IPC_DHCP, "autoconf dhcp wins over a client address");
}

/* PXELINUX IPAPPEND 1. */
static void test_pxelinux(void)
{
	struct ip_conf c = ok("10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0");
	CHECK(c.method == IPC_STATIC && !c.device[0], "ipappend static, any device");
	CHECK_STR(ip(c.client), "10.0.2.15");
	CHECK_STR(ip(c.server), "10.0.2.2");
	CHECK_STR(ip(c.gateway), "10.0.2.2");
}

/* dracut's forms. */
static void test_dracut(void)
{
	struct ip_conf c = ok("eth1:dhcp");
	CHECK(c.method == IPC_DHCP && !strcmp(c.device, "eth1"), "iface:dhcp");
	c = ok("enp0s3:on:9000");
	CHECK(c.mtu == 9000, "iface:on:mtu");
	c = ok("eth0:dhcp:1400:52:54:00:12:34:56");
	CHECK(c.mtu == 1400 && c.has_mac && c.mac[0] == 0x52 && c.mac[5] == 0x56, "iface:dhcp:mtu:mac");
	c = ok("eth0:off");
	CHECK(c.method == IPC_OFF, "iface:off");
	c = ok("192.168.77.10::192.168.77.1:255.255.255.0:statichost:eth0:none:192.168.77.1");
	CHECK(c.method == IPC_STATIC && !strcmp(ip(c.dns[0]), "192.168.77.1") && !c.dns[1].s_addr, "static + dns1");
	c = ok("192.168.77.10::192.168.77.1:24:h:eth0:none:192.168.77.1:192.168.77.2");
	CHECK_STR(ip(c.dns[1]), "192.168.77.2");
	c = ok("192.168.77.10::192.168.77.1:24:h:eth0:none:1500");
	CHECK(c.mtu == 1500 && !c.has_mac, "static + mtu");
	c = ok("192.168.77.10::192.168.77.1:24:h:eth0:none::aa:bb:cc:dd:ee:ff");
	CHECK(c.has_mac && c.mac[0] == 0xaa && !c.mtu, "static + empty mtu + mac");
	bad("eth0:dhcp6", "IPv6");
	bad("eth0:dhcp:abc", "mtu");
	bad("eth0:dhcp:20", "mtu");
	bad("eth0:dhcp:1500:52:54:00", "MAC");
	bad("eth0:dhcp:1500:zz:54:00:12:34:56", "MAC");
}

/* Malformed long forms name the field. */
static void test_malformed(void)
{
	bad("192.168.77.300::192.168.77.1:255.255.255.0::eth0:none", "client address \"192.168.77.300\"");
	bad("10.0.0.1:x::::", "server address \"x\"");
	bad("10.0.0.1::10.0.0.256:::", "gateway address");
	bad("10.0.0.1:::255.0.255.0x::", "netmask");
	bad("10.0.0.1:::33::", "netmask");
	bad("10.0.0.1::::bad_host!::", "hostname");
	bad("10.0.0.1:::::averyveryverylongname0:", "device");
	bad("10.0.0.1:::::eth0:sometimes", "unknown autoconf");
	bad("10.0.0.1:::::eth0:none:1.2.3", "dns0");
	bad("10.0.0.1:::::eth0:none:1.2.3.4:5.6.7.8:9.9.9.9:1.1.1.1", "too many");
	bad("[fe80::1]::[fe80::2]:64::eth0:none", "IPv6");
	bad("::10.0.0.1:255.255.255.0::eth0:none", "needs a client address");
	bad("a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q", "too many fields");
}

/* BOOTIF= forms. */
static void test_bootif(void)
{
	uint8_t m[6];
	CHECK(bootif_parse("01-52-54-00-12-34-02", m) == 0 && m[0] == 0x52 && m[5] == 0x02, "pxelinux form");
	CHECK(bootif_parse("52:54:00:12:34:02", m) == 0 && m[5] == 0x02, "bare colon form");
	CHECK(bootif_parse("AA-BB-CC-DD-EE-FF", m) == 0 && m[0] == 0xaa, "bare dash form, upper case");
	CHECK(bootif_parse("06-52-54-00-12-34-02", m) == -EINVAL, "not Ethernet");
	CHECK(bootif_parse("01-52-54-00-12", m) == -EINVAL, "short");
	CHECK(bootif_parse("01-52-54-00-12-34-02-03", m) == -EINVAL, "long");
	CHECK(bootif_parse("01-52-54-00-12-34-0g", m) == -EINVAL, "not hex");
	CHECK(bootif_parse("", m) == -EINVAL, "empty");
}

int main(void)
{
	test_keywords();
	test_kernel_long();
	test_pxelinux();
	test_dracut();
	test_malformed();
	test_bootif();
	return check_done("ipconf_test");
}
