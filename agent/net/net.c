/* net.c - network bring-up. Every Ethernet NIC is reset (addresses flushed) and set up; each ip=
 * configuration (one by default: DHCP on any interface) picks its candidates (the named device,
 * the MAC of dracut's field, BOOTIF's NIC, or all unclaimed NICs) and runs DHCP on all of them at
 * once (first lease wins) or applies its static values once carrier is there. NICs nobody used
 * go down again. Then /etc/resolv.conf and /run/pxeroot/net-IFACE.conf are written. */
#define _GNU_SOURCE
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "net/dhcp.h"
#include "paths.h"

#define MAX_NICS DHCP_MAX_NICS

const char *const net_modules[] = {
	"af_packet",
	/* virtual machines and clouds */
	"virtio_pci", "virtio_net", "e1000", "e1000e", "vmxnet3", "xen-netfront", "hv_netvsc", "ena",
	"gve", "8139cp", "8139too", "pcnet32", "ne2k-pci", "tulip",
	/* Intel's wired NICs and their virtual functions */
	"igb", "igc", "igbvf", "ixgbe", "ixgbevf", "i40e", "iavf", "ice",
	/* Broadcom, Realtek (its PHY driver comes as a soft dependency), Mellanox and the other usual
	 * server and desktop NICs */
	"tg3", "bnx2", "bnx2x", "bnxt_en", "r8169", "mlx5_core", "be2net", "atlantic", "alx", "atl1c",
	"sky2", "forcedeth",
	/* USB Ethernet adapters and the host controllers they hang off (loaded before the network
	 * stage for a network source, which loads no other driver then) */
	"cdc_ether", "cdc_ncm", "r8152", "ax88179_178a", "asix", "xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd",
	NULL,
};

/* Interfaces found and which of them a configuration took. */
struct nicset {
	struct nic nic[MAX_NICS];
	int n;
	bool used[MAX_NICS];
};

/* Index of the NIC with MAC, or -1. */
static int find_mac(const struct nicset *s, const uint8_t *mac)
{
	for (int i = 0; i < s->n; i++)
		if (!memcmp(s->nic[i].mac, mac, 6))
			return i;
	return -1;
}

/* Index of the NIC named NAME, or -1. */
static int find_name(const struct nicset *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->nic[i].name, name))
			return i;
	return -1;
}

/* Names of all NICs, for error lines. */
static const char *nic_names(const struct nicset *s, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < s->n && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", s->nic[i].name);
	return buf;
}

/* Set the loopback interface up, so that 127.0.0.1 (a DNS server or proxy given as localhost)
 * answers inside the initramfs (with lo down, a lookup there waits out the resolver's timeouts). */
static void loopback_up(void)
{
	struct nic lo = {.name = "lo", .ifindex = (int)if_nametoindex("lo")};
	if (lo.ifindex > 0)
		link_set_up(&lo, 1);
}

/* List NICs, flush their addresses and set the ones not up yet up, IPv6 held back on them. */
static int nics_up(struct nicset *s)
{
	memset(s, 0, sizeof(*s));
	s->n = link_list(s->nic, MAX_NICS);
	if (s->n < 0)
		return s->n;
	if (s->n == 0)
		return log_err(-ENODEV, "net: no Ethernet interface found (is the NIC driver in the initramfs?)");
	addr_flush(s->nic, (size_t)s->n);
	for (int i = 0; i < s->n; i++) {
		if (s->nic[i].up)
			continue;
		link_ipv6_hold(s->nic[i].name, true); /* given back by net_up once IPv4 is settled */
		link_set_up(&s->nic[i], 1);
	}
	return 0;
}

/* Before the NIC drivers load: new interfaces start with IPv6 held back (see link_ipv6_hold). */
void net_ipv6_hold(void)
{
	link_ipv6_hold("default", true);
}

/* Early link-up, before the network stage. */
void net_links_up_early(void)
{
	struct nicset s;
	if (nics_up(&s) < 0)
		return;
	log_debug("net: %d link(s) set up early", s.n);
}

/* Candidate NICs of configuration C into IDX; returns how many, or negative errno (logged). */
static int candidates(const struct nicset *s, const struct net_config *cfg, const struct ip_conf *c, int *idx)
{
	char names[256], m[NIC_MAC_TEXT];
	int i = -1;
	if (c->device[0] && (i = find_name(s, c->device)) < 0)
		return log_err(-ENODEV, "net: ip= names %s, which does not exist (have: %s)", c->device, nic_names(s, names, sizeof(names)));
	if (!c->device[0] && c->has_mac && (i = find_mac(s, c->mac)) < 0)
		return log_err(-ENODEV, "net: ip= names MAC %s, which no interface has (have: %s)", nic_mac_text(c->mac, m), nic_names(s, names, sizeof(names)));
	if (i < 0 && cfg->has_bootif) {
		nic_mac_text(cfg->bootif, m);
		if ((i = find_mac(s, cfg->bootif)) < 0)
			return log_err(-ENODEV, "net: BOOTIF %s matches no interface (have: %s)", m, nic_names(s, names, sizeof(names)));
		log_info("net: BOOTIF %s is %s", m, s->nic[i].name);
	}
	if (i >= 0) {
		idx[0] = i;
		return 1;
	}
	int n = 0;
	for (int j = 0; j < s->n; j++) {
		bool claimed = false;
		for (unsigned k = 0; k < cfg->n; k++)
			claimed |= !strcmp(cfg->conf[k].device, s->nic[j].name);
		if (!claimed && !s->used[j])
			idx[n++] = j;
	}
	if (n == 0)
		return log_err(-ENODEV, "net: no interface left to configure (have: %s)", nic_names(s, names, sizeof(names)));
	return n;
}

/* DHCP on the candidates; the winner and its lease into IF. */
static int run_dhcp(const struct net_config *cfg, const struct nic *cands, int n, struct net_iface *ifc)
{
	uint64_t t0 = now_ms();
	int r = dhcp_acquire(cands, (size_t)n, cfg->carrier_timeout_s, cfg->dhcp_timeout_s, &ifc->lease);
	if (r == -ENOLINK)
		return log_err(r, "net: no carrier on any of %d interface(s) after %u s (pxeroot.carrier_timeout=)", n, cfg->carrier_timeout_s);
	if (r == -ETIMEDOUT)
		return log_err(r, "dhcp: no lease on any of %d interface(s) after %u s (pxeroot.dhcp_timeout=)", n, cfg->dhcp_timeout_s);
	if (r < 0)
		return log_err(r, "dhcp: %s", strerror(-r));
	ifc->nic = cands[r];
	ifc->method = IPC_DHCP;
	const struct dhcp_lease *l = &ifc->lease;
	char addr[INET_ADDRSTRLEN], srv[INET_ADDRSTRLEN], next[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &l->addr, addr, sizeof(addr));
	inet_ntop(AF_INET, &l->server_id, srv, sizeof(srv));
	inet_ntop(AF_INET, l->next_server.s_addr ? &l->next_server : &l->server_id, next, sizeof(next));
	log_info("dhcp %s: lease %s/%d from %s, next-server %s, %u s, in %llu ms", ifc->nic.name, addr,
		 netmask_prefix(l->netmask), srv, next, l->lease_s, (unsigned long long)(now_ms() - t0));
	return 0;
}

/* Wait for carrier on the first of the candidates that gets it; index into CANDS or -ENOLINK. */
static int wait_carrier(struct nic *cands, int n, unsigned timeout_s)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_s * 1000;
	for (;;) {
		link_carriers(cands, (size_t)n);
		for (int i = 0; i < n; i++)
			if (cands[i].carrier)
				return i;
		if (now_ms() >= deadline)
			return -ENOLINK;
		sleep_ms(20);
	}
}

/* A static configuration as a lease, once one candidate has carrier. */
static int run_static(const struct net_config *cfg, const struct ip_conf *c, struct nic *cands, int n, struct net_iface *ifc)
{
	int i = wait_carrier(cands, n, cfg->carrier_timeout_s);
	if (i < 0)
		return log_err(i, "net: no carrier on %s after %u s (pxeroot.carrier_timeout=)", n == 1 ? cands[0].name : "any interface", cfg->carrier_timeout_s);
	ifc->nic = cands[i];
	ifc->method = IPC_STATIC;
	struct dhcp_lease *l = &ifc->lease;
	memset(l, 0, sizeof(*l));
	l->addr = c->client;
	l->netmask = c->netmask;
	l->router = c->gateway;
	l->next_server = c->server;
	for (int k = 0; k < 2; k++)
		if (c->dns[k].s_addr)
			l->dns[l->ndns++] = c->dns[k];
	if (c->ntp.s_addr)
		l->ntp[l->nntp++] = c->ntp;
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &l->addr, a, sizeof(a));
	inet_ntop(AF_INET, &l->router, g, sizeof(g));
	inet_ntop(AF_INET, &l->dns[0], d, sizeof(d));
	log_info("net %s: static %s/%d gateway %s dns %s", ifc->nic.name, a, netmask_prefix(l->netmask),
		 l->router.s_addr ? g : "none", l->ndns ? d : "none");
	return 0;
}

/* Routes of a lease: option 121 replaces option 3 when present (RFC 3442). */
static int apply_routes(const struct nic *nic, const struct dhcp_lease *l)
{
	int r = 0;
	if (!l->classless)
		return l->router.s_addr ? route_add(nic, (struct in_addr){0}, 0, l->router) : 0;
	/* on-link routes first, so gateways reached through them are routable */
	for (int pass = 0; pass < 2 && r == 0; pass++)
		for (unsigned i = 0; i < l->nroutes && r == 0; i++)
			if ((l->routes[i].gw.s_addr == 0) == (pass == 0))
				r = route_add(nic, l->routes[i].dst, l->routes[i].prefix, l->routes[i].gw);
	return r;
}

/* Apply IFC with configuration C: MTU, address, routes, hostname. */
static int apply(const struct ip_conf *c, struct net_iface *ifc)
{
	const struct nic *nic = &ifc->nic;
	struct dhcp_lease *l = &ifc->lease;
	if (!l->netmask.s_addr)
		l->netmask.s_addr = htonl(0xffffff00);
	int prefix = netmask_prefix(l->netmask);
	if (prefix < 0)
		return log_err(-EINVAL, "net %s: netmask %s is not contiguous", nic->name, inet_ntoa(l->netmask));
	if (!l->broadcast.s_addr)
		l->broadcast.s_addr = l->addr.s_addr | ~l->netmask.s_addr;
	unsigned mtu = c->mtu ? c->mtu : l->mtu;
	int r;
	if (mtu >= 68 && (r = link_set_mtu(nic, mtu)) < 0)
		return r;
	if ((r = addr_add(nic, l->addr, (unsigned)prefix, l->broadcast)) < 0 || (r = apply_routes(nic, l)) < 0)
		return r;
	if (c->hostname[0])
		snprintf(l->hostname, sizeof(l->hostname), "%s", c->hostname);
	if (l->hostname[0] && sethostname(l->hostname, strlen(l->hostname)) < 0)
		log_info("net %s: sethostname %s: %s", nic->name, l->hostname, strerror(errno));
	return 0;
}

/* Configure interface for configuration C into IFC, marking its NIC used. */
static int configure(const struct net_config *cfg, struct nicset *s, const struct ip_conf *c, struct net_iface *ifc)
{
	int idx[MAX_NICS];
	struct nic cands[MAX_NICS];
	int n = candidates(s, cfg, c, idx);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		cands[i] = s->nic[idx[i]];
	int r = c->method == IPC_DHCP ? run_dhcp(cfg, cands, n, ifc) : run_static(cfg, c, cands, n, ifc);
	if (r < 0)
		return r;
	s->used[find_name(s, ifc->nic.name)] = true;
	return apply(c, ifc);
}

/* Add A to RES's DNS list unless it is there already. */
static void add_dns(struct net_result *res, struct in_addr a)
{
	unsigned max = sizeof(res->dns) / sizeof(res->dns[0]);
	for (unsigned i = 0; i < res->ndns; i++)
		if (res->dns[i].s_addr == a.s_addr)
			return;
	if (res->ndns < max && a.s_addr)
		res->dns[res->ndns++] = a;
}

/* nameserver= first, then each interface's servers; the first search list or domain. */
static void gather(const struct net_config *cfg, struct net_result *res)
{
	for (unsigned i = 0; i < cfg->ndns; i++)
		add_dns(res, cfg->dns[i]);
	for (unsigned k = 0; k < res->n; k++) {
		const struct dhcp_lease *l = &res->ifs[k].lease;
		for (unsigned i = 0; i < l->ndns; i++)
			add_dns(res, l->dns[i]);
		if (!res->search[0])
			snprintf(res->search, sizeof(res->search), "%s", l->search[0] ? l->search : l->domain);
	}
	const struct dhcp_lease *l0 = &res->ifs[0].lease;
	struct in_addr ps = l0->next_server.s_addr ? l0->next_server : l0->server_id;
	if (ps.s_addr)
		inet_ntop(AF_INET, &ps, res->pxeserver, sizeof(res->pxeserver));
}

static int write_files(const struct net_result *res);

/* Set the NICs nobody used down again (they never got an address: nics_up flushed them);
 * one line names them. */
static void unused_down(struct nicset *s, bool say)
{
	char names[256];
	size_t o = 0;
	names[0] = '\0';
	for (int i = 0; i < s->n; i++) {
		if (s->used[i])
			continue;
		link_set_up(&s->nic[i], 0);
		o += (size_t)snprintf(names + o, o < sizeof(names) ? sizeof(names) - o : 0, " %s", s->nic[i].name);
	}
	if (say && names[0])
		log_info("net: not used, set down:%s", names);
}

/* The network stage. */
int net_up(const struct net_config *cfg, struct net_result *res)
{
	struct nicset s;
	uint64_t t0 = now_ms();
	memset(res, 0, sizeof(*res));
	loopback_up();
	int r = nics_up(&s);
	uint64_t t_up = now_ms();
	for (unsigned i = 0; r == 0 && i < cfg->n; i++)
		if ((r = configure(cfg, &s, &cfg->conf[i], &res->ifs[res->n])) == 0)
			res->n++;
	uint64_t t_conf = now_ms();
	if (r == 0) {
		gather(cfg, res);
		r = write_files(res);
	}
	if (r == 0) {
		char names[128];
		size_t o = 0;
		for (unsigned i = 0; i < res->n; i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", i ? "," : "", res->ifs[i].nic.name);
		uint64_t now = now_ms(); /* CLOCK_MONOTONIC: the kernel log's clock, for boot timelines */
		log_info("net: up on %s in %llu ms (uptime %llu.%02llu s)", names, (unsigned long long)(now - t0),
			 (unsigned long long)(now / 1000), (unsigned long long)(now % 1000 / 10));
	}
	uint64_t t_files = now_ms();
	unused_down(&s, r == 0); /* the network is usable already; this is tidying */
	for (int i = 0; i < s.n; i++)
		link_ipv6_hold(s.nic[i].name, false); /* the kernel's IPv6 autoconf starts on the NICs left up */
	link_ipv6_hold("default", false);
	log_debug("net: %llu ms links up, %llu ms configuring, %llu ms files, %llu ms unused down",
		  (unsigned long long)(t_up - t0), (unsigned long long)(t_conf - t_up),
		  (unsigned long long)(t_files - t_conf), (unsigned long long)(now_ms() - t_files));
	return r;
}

/* Write VALUE single-quoted for a POSIX shell (' becomes '\''). */
static void put_quoted(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s='", key);
	for (const char *p = value; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputs("'\n", f);
}

/* Write an address-valued key. */
static void put_addr(FILE *f, const char *key, struct in_addr a)
{
	char s[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, s, sizeof(s));
	put_quoted(f, key, s);
}

/* The klibc ipconfig key set, so scripts that source /run/net-IFACE.conf keep working. */
static void write_ipconfig(FILE *f, const struct net_result *res, const struct net_iface *ifc)
{
	const struct dhcp_lease *l = &ifc->lease;
	char num[16], ntp[80] = "";
	put_quoted(f, "DEVICE", ifc->nic.name);
	put_quoted(f, "PROTO", ifc->method == IPC_DHCP ? "dhcp" : "none");
	put_addr(f, "IPV4ADDR", l->addr);
	put_addr(f, "IPV4BROADCAST", l->broadcast);
	put_addr(f, "IPV4NETMASK", l->netmask);
	put_addr(f, "IPV4GATEWAY", l->router);
	put_addr(f, "IPV4DNS0", l->ndns > 0 ? l->dns[0] : (struct in_addr){0});
	put_addr(f, "IPV4DNS1", l->ndns > 1 ? l->dns[1] : (struct in_addr){0});
	put_quoted(f, "HOSTNAME", l->hostname);
	put_quoted(f, "DNSDOMAIN", l->domain);
	put_quoted(f, "ROOTSERVER", res->pxeserver);
	put_quoted(f, "ROOTPATH", l->root_path);
	put_quoted(f, "filename", l->bootfile);
	snprintf(num, sizeof(num), "%u", l->lease_s);
	put_quoted(f, "DHCPLEASETIME", num);
	put_quoted(f, "DOMAINSEARCH", l->search[0] ? l->search : l->domain);
	snprintf(num, sizeof(num), "%u", (unsigned)l->mtu);
	put_quoted(f, "MTU", num);
	for (unsigned i = 0, o = 0; i < l->nntp; i++)
		o += (unsigned)snprintf(ntp + o, sizeof(ntp) - o, "%s%s", i ? " " : "", inet_ntoa(l->ntp[i]));
	put_quoted(f, "NTPSRVS", ntp);
}

/* resolv.conf: every DNS server and the search list. */
static void write_resolv(FILE *f, const struct net_result *res)
{
	char a[INET_ADDRSTRLEN];
	for (unsigned i = 0; i < res->ndns; i++)
		fprintf(f, "nameserver %s\n", inet_ntop(AF_INET, &res->dns[i], a, sizeof(a)));
	if (res->search[0])
		fprintf(f, "search %s\n", res->search);
}

/* Open PATH for writing; NULL after a log line. */
static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "we");
	if (!f)
		log_err(-errno, "net: write %s: %s", path, strerror(errno));
	return f;
}

/* Close F, turning a write error into a log line and negative errno. */
static int close_out(FILE *f, const char *path)
{
	if (fclose(f) != 0)
		return log_err(-errno, "net: write %s: %s", path, strerror(errno));
	return 0;
}

/* /etc/resolv.conf, /run/pxeroot/net-IFACE.conf and the klibc-location symlinks. */
static int write_files(const struct net_result *res)
{
	char path[128], link[128], target[64];
	mkdir("/etc", 0755);
	mkdir(RUN_DIR, 0755);
	FILE *f = open_out("/etc/resolv.conf");
	if (!f)
		return -EIO;
	write_resolv(f, res);
	int r = close_out(f, "/etc/resolv.conf");
	for (unsigned i = 0; r == 0 && i < res->n; i++) {
		const char *name = res->ifs[i].nic.name;
		snprintf(path, sizeof(path), RUN_DIR "/net-%s.conf", name);
		if (!(f = open_out(path)))
			return -EIO;
		write_ipconfig(f, res, &res->ifs[i]);
		if ((r = close_out(f, path)) < 0)
			break;
		snprintf(link, sizeof(link), "/run/net-%s.conf", name);
		snprintf(target, sizeof(target), "pxeroot/net-%s.conf", name);
		unlink(link);
		if (symlink(target, link) < 0)
			log_info("net: symlink %s: %s", link, strerror(errno));
	}
	return r;
}

/* Copy resolv.conf into the new root. */
int net_copy_resolv(const char *newroot)
{
	char buf[4096], dst[512];
	struct stat st;
	int in = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return 0;
	ssize_t n = read(in, buf, sizeof(buf));
	close(in);
	snprintf(dst, sizeof(dst), "%s/etc", newroot);
	mkdir(dst, 0755);
	snprintf(dst, sizeof(dst), "%s/etc/resolv.conf", newroot);
	if (n < 0)
		return log_err(-errno, "net: read /etc/resolv.conf: %s", strerror(errno));
	if (lstat(dst, &st) == 0 && S_ISLNK(st.st_mode)) {
		log_debug("net: %s is a symlink, left as it is", dst);
		return 0;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (out < 0 && errno == EROFS) { /* e.g. an NFS export as the root, read-only */
		log_info("net: the new root is read-only; %s left as it is", dst);
		return 0;
	}
	if (out < 0 || write(out, buf, (size_t)n) != n) {
		int e = errno;
		if (out >= 0)
			close(out);
		return log_err(-e, "net: write %s: %s", dst, strerror(e));
	}
	close(out);
	return 0;
}

/* Whether NEWROOT has systemd-networkd. */
static bool has_networkd(const char *newroot)
{
	static const char *const at[] = {"/usr/lib/systemd/systemd-networkd", "/lib/systemd/systemd-networkd"};
	char path[512];
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", newroot, at[i]);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/* networkd's file for IFACE: manage the link, keep what is on it. */
static int write_networkd(const char *iface)
{
	char path[128];
	int r = mkdir_p(NETWORKD_DIR);
	if (r < 0)
		return log_errno(r, "net: mkdir %s", NETWORKD_DIR);
	snprintf(path, sizeof(path), NETWORKD_DIR "/10-pxeroot-%s.network", iface);
	FILE *f = open_out(path);
	if (!f)
		return -EIO;
	fprintf(f, "# pxeroot: the root is on the network through %s; keep its address and routes.\n"
		   "[Match]\nName=%s\n\n[Network]\nKeepConfiguration=yes\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n",
		iface, iface);
	return close_out(f, path);
}

/* The root stays on the network: say so in each net-IFACE.conf and, when NEWROOT has
 * systemd-networkd, leave it a file per interface that keeps the configuration. */
int net_keep(const struct net_result *res, const char *newroot)
{
	bool networkd = has_networkd(newroot);
	int r = 0;
	for (unsigned i = 0; i < res->n; i++) {
		const char *name = res->ifs[i].nic.name;
		char path[128];
		snprintf(path, sizeof(path), RUN_DIR "/net-%s.conf", name);
		FILE *f = fopen(path, "ae");
		if (!f || (put_quoted(f, "ROOT_ON_NETWORK", "yes"), close_out(f, path)) < 0)
			r = f ? -EIO : log_errno(-errno, "net: append to %s", path);
		if (networkd && write_networkd(name) < 0)
			r = -EIO;
		log_info("net %s: the root is on the network: the interface keeps its address%s", name,
			 networkd ? " (" NETWORKD_DIR "/10-pxeroot-*.network for systemd-networkd)" : "");
	}
	return r;
}
