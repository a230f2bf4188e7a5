/* ipconf.c - ip= in every form pxeroot accepts (design.md §3):
 *
 *   ip=dhcp|on|any|bootp|both|single-dhcp|off|none          automatic, or no network
 *   ip=<iface>:<method>[:<mtu>[:<macaddr>]]                 dracut, per interface
 *   ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>:<dns0>:<dns1>:<ntp0>   kernel
 *   ip=<client>:<peer>:<gw>:<netmask>:<hostname>:<iface>:<method>[:<mtu>[:<macaddr>]]        dracut
 *   ip=<client>:<peer>:<gw>:<netmask>:<hostname>:<iface>:<method>[:<dns1>[:<dns2>]]         dracut
 *   ip=<client>:<server>:<gw>:<netmask>                      PXELINUX IPAPPEND 1
 *
 * Any field that does not parse is an error that says which field and why; nothing falls back. */
#define _GNU_SOURCE
#include "net/ipconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_FIELDS 16

/* Set WHY (if there is room) and return -EINVAL. */
static int fail(char *why, size_t cap, const char *fmt, const char *arg)
{
	if (cap)
		snprintf(why, cap, fmt, arg);
	return -EINVAL;
}

/* Split S in place on ':' (a '[' ... ']' group is kept whole, for IPv6 literals). Returns the
 * number of fields, or -1 when there are more than MAX. */
static int split_fields(char *s, char **f, int max)
{
	int n = 0;
	f[n++] = s;
	for (int depth = 0; *s; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']' && depth)
			depth--;
		else if (*s == ':' && !depth) {
			if (n == max)
				return -1;
			*s = '\0';
			f[n++] = s + 1;
		}
	}
	return n;
}

/* Method keyword S into *M: 1 if it is one, 0 if not a keyword, -1 if a keyword we refuse
 * (reason in *WHY). */
static int method_of(const char *s, enum ipc_method *m, const char **why)
{
	static const char *const dhcp[] = {"dhcp", "on", "any", "bootp", "both", "single-dhcp"};
	static const char *const v6[] = {"dhcp6", "auto6", "either6", "link6", "link-local"};
	if (!strcmp(s, "off") || !strcmp(s, "none")) {
		*m = IPC_OFF;
		return 1;
	}
	for (size_t i = 0; i < sizeof(dhcp) / sizeof(dhcp[0]); i++)
		if (!strcmp(s, dhcp[i])) {
			*m = IPC_DHCP;
			return 1;
		}
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		if (!strcmp(s, v6[i])) {
			*why = "IPv6 autoconfiguration is not supported yet";
			return -1;
		}
	if (!strcmp(s, "rarp") || !strcmp(s, "ibft")) {
		*why = "rarp and ibft are not supported";
		return -1;
	}
	return 0;
}

/* Parse an optional IPv4 field S (empty = unset) into *A. */
static bool parse_addr(const char *s, struct in_addr *a)
{
	a->s_addr = 0;
	return !*s || inet_pton(AF_INET, s, a) == 1;
}

/* Netmask as dotted quad or prefix length. */
static bool parse_mask(const char *s, struct in_addr *m)
{
	if (!*s || strchr(s, '.'))
		return parse_addr(s, m);
	unsigned p = 0;
	for (const char *c = s; *c; c++) {
		if (!isdigit((unsigned char)*c) || (p = p * 10 + (unsigned)(*c - '0')) > 32)
			return false;
	}
	m->s_addr = p ? htonl(0xffffffffu << (32 - p)) : 0;
	return true;
}

/* A host name as RFC 1123 allows: letters, digits, '-' and '.', at most 64 characters. */
static bool valid_hostname(const char *s)
{
	size_t n = strlen(s);
	if (n > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.')
			return false;
	return true;
}

/* Decimal MTU S (68..65535) into *MTU. */
static bool parse_mtu(const char *s, unsigned *mtu)
{
	unsigned v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || (v = v * 10 + (unsigned)(*s - '0')) > 65535)
			return false;
	}
	*mtu = v;
	return v >= 68;
}

/* Six two-digit hex fields F[0..5] into MAC. */
static bool parse_mac_fields(char **f, int n, uint8_t mac[6])
{
	if (n != 6)
		return false;
	for (int i = 0; i < 6; i++) {
		unsigned v;
		char end;
		if (strlen(f[i]) != 2 || !isxdigit((unsigned char)f[i][0]) || !isxdigit((unsigned char)f[i][1]) ||
		    sscanf(f[i], "%2x%c", &v, &end) != 1)
			return false;
		mac[i] = (uint8_t)v;
	}
	return true;
}

/* dracut's optional tail after the method: [<mtu>][:<macaddr>] in F[0..N). */
static int parse_mtu_mac(char **f, int n, struct ip_conf *out, char *why, size_t cap)
{
	if (n > 0 && *f[0] && !parse_mtu(f[0], &out->mtu))
		return fail(why, cap, "mtu \"%s\" is not a number from 68 to 65535", f[0]);
	if (n > 1) {
		if (!parse_mac_fields(f + 1, n - 1, out->mac))
			return fail(why, cap, "%s", "the MAC address field is not six hex octets");
		out->has_mac = true;
	}
	return 0;
}

/* The device field: an interface name, at most 15 characters, no '/'. */
static int set_device(const char *s, struct ip_conf *out, char *why, size_t cap)
{
	if (strlen(s) >= IF_NAMESIZE || strchr(s, '/') || strchr(s, ' '))
		return fail(why, cap, "device \"%s\" is not an interface name", s);
	snprintf(out->device, sizeof(out->device), "%s", s);
	return 0;
}

/* ip=<iface>:<method>[:<mtu>[:<macaddr>]] */
static int parse_iface_form(char **f, int n, struct ip_conf *out, char *why, size_t cap)
{
	const char *r = NULL;
	if (method_of(f[1], &out->method, &r) != 1)
		return fail(why, cap, "%s", r ? r : "unknown method");
	int e = set_device(f[0], out, why, cap);
	return e < 0 ? e : parse_mtu_mac(f + 2, n - 2, out, why, cap);
}

/* The kernel's classful default netmask for a static address with none given. */
static struct in_addr default_mask(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	uint32_t m = h < 0x80000000u ? 0xff000000u : h < 0xc0000000u ? 0xffff0000u : 0xffffff00u;
	return (struct in_addr){htonl(m)};
}

/* Fields 8 and on of the long form: <dns0>:<dns1>:<ntp0>, or dracut's <mtu>:<macaddr>. */
static int parse_tail(char **f, int n, struct ip_conf *out, char *why, size_t cap)
{
	bool looks_mtu = *f[0] && !strchr(f[0], '.');
	bool empty_then_mac = !*f[0] && n == 7;
	if (looks_mtu || empty_then_mac)
		return parse_mtu_mac(f, n, out, why, cap);
	if (n > 3)
		return fail(why, cap, "%s", "too many fields");
	static const char *const names[] = {"dns0", "dns1", "ntp0"};
	struct in_addr *dst[] = {&out->dns[0], &out->dns[1], &out->ntp};
	for (int i = 0; i < n; i++)
		if (!parse_addr(f[i], dst[i])) {
			char w[64];
			snprintf(w, sizeof(w), "%s \"%%s\" is not an IPv4 address", names[i]);
			return fail(why, cap, w, f[i]);
		}
	return 0;
}

/* Fields 1-7 of the long form and the method rule. */
static int parse_long_form(char **f, int n, struct ip_conf *out, char *why, size_t cap)
{
	static const char *const names[] = {"client", "server", "gateway"};
	struct in_addr *dst[] = {&out->client, &out->server, &out->gateway};
	for (int i = 0; i < 3 && i < n; i++)
		if (!parse_addr(f[i], dst[i])) {
			char w[64];
			snprintf(w, sizeof(w), "%s address \"%%s\" is not an IPv4 address", names[i]);
			return fail(why, cap, w, f[i]);
		}
	if (n > 3 && !parse_mask(f[3], &out->netmask))
		return fail(why, cap, "netmask \"%s\" is neither an IPv4 mask nor a prefix length", f[3]);
	if (n > 4 && !valid_hostname(f[4]))
		return fail(why, cap, "hostname \"%s\" is not a valid host name", f[4]);
	if (n > 4)
		snprintf(out->hostname, sizeof(out->hostname), "%s", f[4]);
	int e;
	if (n > 5 && (e = set_device(f[5], out, why, cap)) < 0)
		return e;
	const char *autoconf = n > 6 ? f[6] : "";
	const char *r = NULL;
	if (!*autoconf)
		out->method = out->client.s_addr ? IPC_STATIC : IPC_DHCP;
	else if (method_of(autoconf, &out->method, &r) != 1)
		return fail(why, cap, "%s", r ? r : "unknown autoconf method");
	if (n > 7 && (e = parse_tail(f + 7, n - 7, out, why, cap)) < 0)
		return e;
	if (out->method == IPC_OFF && out->client.s_addr)
		out->method = IPC_STATIC; /* "none"/"off" with an address: static, as the kernel does */
	if (out->method == IPC_OFF && *autoconf && (out->gateway.s_addr || out->netmask.s_addr))
		return fail(why, cap, "%s", "a static configuration needs a client address");
	if (out->method == IPC_STATIC && !out->netmask.s_addr)
		out->netmask = default_mask(out->client);
	return 0;
}

/* Parse one ip= value. */
int ipconf_parse(const char *value, struct ip_conf *out, char *why, size_t cap)
{
	char buf[512], *f[MAX_FIELDS];
	memset(out, 0, sizeof(*out));
	if (cap)
		why[0] = '\0';
	if (strlen(value) >= sizeof(buf))
		return fail(why, cap, "%s", "too long");
	if (strchr(value, '['))
		return fail(why, cap, "%s", "IPv6 addresses are not supported yet");
	strcpy(buf, value);
	int n = split_fields(buf, f, MAX_FIELDS);
	if (n < 0)
		return fail(why, cap, "%s", "too many fields");
	const char *r = NULL;
	struct in_addr a;
	if (n == 1) {
		int k = method_of(f[0], &out->method, &r);
		if (k == 1)
			return 0;
		if (k < 0 || !*f[0] || inet_pton(AF_INET, f[0], &a) != 1)
			return fail(why, cap, "%s", r ? r : "not a method (dhcp, on, any, off, none, ...) nor an address");
	}
	if (n >= 2 && *f[0] && inet_pton(AF_INET, f[0], &a) != 1 && method_of(f[1], &out->method, &r) != 0)
		return parse_iface_form(f, n, out, why, cap);
	return parse_long_form(f, n, out, why, cap);
}

/* BOOTIF=01-aa-bb-cc-dd-ee-ff (hardware type 1 then the MAC), or a bare MAC. */
int bootif_parse(const char *value, uint8_t mac[6])
{
	char buf[32], *f[8];
	size_t len = strlen(value);
	if (len == 20 && !strncmp(value, "01-", 3))
		value += 3, len -= 3;
	if (len != 17)
		return -EINVAL;
	memcpy(buf, value, len + 1);
	int n = 0;
	f[n++] = buf;
	for (char *p = buf; *p && n < 8; p++)
		if (*p == '-' || *p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return parse_mac_fields(f, n, mac) ? 0 : -EINVAL;
}
