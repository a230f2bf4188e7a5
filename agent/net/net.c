/* net.c - network bring-up: every Ethernet NIC up, wait for carrier, DHCP on the first NIC with
 * carrier, apply the lease (address, route, MTU, hostname), write resolv.conf and the klibc-style
 * net-IFACE.conf. NICs not used are set down again. */
#define _GNU_SOURCE
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"
#include "dhcp.h"

#define MAX_NICS 16

/* Wait up to TIMEOUT_S for any of NICS[0..N) to report carrier; index of the first, or -ENOLINK. */
static int wait_carrier(const struct nic *nics, int n, unsigned timeout_s)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_s * 1000, said = now_ms();
	for (;;) {
		for (int i = 0; i < n; i++)
			if (link_carrier(&nics[i]) == 1)
				return i;
		if (now_ms() >= deadline)
			return -ENOLINK;
		if (now_ms() - said >= 2000) {
			log_info("net: waiting for carrier on %d interface(s)", n);
			said = now_ms();
		}
		nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	}
}

/* Apply LEASE to NIC: address, MTU, default route, hostname. */
static int apply_lease(const struct nic *nic, const struct dhcp_lease *l)
{
	struct in_addr mask = l->netmask;
	if (!mask.s_addr)
		mask.s_addr = htonl(0xffffff00);
	int prefix = netmask_prefix(mask);
	if (prefix < 0)
		return log_err(-EINVAL, "dhcp %s: netmask %s is not contiguous", nic->name, inet_ntoa(mask));
	struct in_addr brd = l->broadcast;
	if (!brd.s_addr)
		brd.s_addr = l->addr.s_addr | ~mask.s_addr;
	int r;
	if (l->mtu >= 68 && (r = link_set_mtu(nic, l->mtu)) < 0)
		return r;
	if ((r = addr_add(nic, l->addr, (unsigned)prefix, brd)) < 0)
		return r;
	if (l->router.s_addr && (r = route_add(nic, (struct in_addr){0}, 0, l->router)) < 0)
		return r;
	if (l->hostname[0] && sethostname(l->hostname, strlen(l->hostname)) < 0)
		log_info("dhcp %s: sethostname %s: %s", nic->name, l->hostname, strerror(errno));
	return 0;
}

/* Bring every NIC up and return how many there are (NICS filled). */
static int nics_up(struct nic *nics)
{
	int n = link_list(nics, MAX_NICS);
	if (n < 0)
		return n;
	if (n == 0)
		return log_err(-ENODEV, "net: no Ethernet interface found (is the NIC driver in the initramfs?)");
	for (int i = 0; i < n; i++)
		link_set_up(&nics[i], 1);
	return n;
}

/* DHCP over NIC into RES. */
static int dhcp_on(const struct plan *plan, const struct nic *nic, struct net_result *res)
{
	struct dhcp_client c;
	uint64_t t0 = now_ms();
	int r = dhcp_client_start(&c, nic);
	if (r >= 0)
		r = dhcp_run(&c, 1, plan->dhcp_timeout_s);
	dhcp_client_stop(&c);
	if (r == -ETIMEDOUT)
		return log_err(r, "dhcp %s: no lease after %u s (pxeroot.dhcp_timeout=)", nic->name, plan->dhcp_timeout_s);
	if (r < 0)
		return log_err(r, "dhcp %s: %s", nic->name, strerror(-r));
	res->nic = *nic;
	res->lease = c.lease;
	const struct dhcp_lease *l = &res->lease;
	struct in_addr ps = l->next_server.s_addr ? l->next_server : l->server_id;
	inet_ntop(AF_INET, &ps, res->pxeserver, sizeof(res->pxeserver));
	char addr[INET_ADDRSTRLEN], srv[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &l->addr, addr, sizeof(addr));
	inet_ntop(AF_INET, &l->server_id, srv, sizeof(srv));
	log_info("dhcp %s: lease %s/%d from %s, next-server %s, %u s, in %llu ms", nic->name, addr,
		 netmask_prefix(l->netmask.s_addr ? l->netmask : (struct in_addr){htonl(0xffffff00)}), srv,
		 res->pxeserver, l->lease_s, (unsigned long long)(now_ms() - t0));
	return 0;
}

/* The network stage. */
int net_up(const struct plan *plan, struct net_result *res)
{
	struct nic nics[MAX_NICS];
	memset(res, 0, sizeof(*res));
	int n = nics_up(nics);
	if (n < 0)
		return n;
	int i = wait_carrier(nics, n, plan->carrier_timeout_s);
	if (i < 0)
		return log_err(i, "net: no carrier on any of %d interface(s) after %u s (pxeroot.carrier_timeout=)", n, plan->carrier_timeout_s);
	for (int j = 0; j < n; j++)
		if (j != i)
			link_set_up(&nics[j], 0);
	int r = dhcp_on(plan, &nics[i], res);
	if (r < 0 || (r = apply_lease(&res->nic, &res->lease)) < 0)
		return r;
	return net_write_files(res, "");
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
static void write_ipconfig(FILE *f, const struct net_result *res)
{
	const struct dhcp_lease *l = &res->lease;
	char lease[16];
	snprintf(lease, sizeof(lease), "%u", l->lease_s);
	put_quoted(f, "DEVICE", res->nic.name);
	put_quoted(f, "PROTO", "dhcp");
	put_addr(f, "IPV4ADDR", l->addr);
	put_addr(f, "IPV4BROADCAST", l->broadcast.s_addr ? l->broadcast : (struct in_addr){l->addr.s_addr | ~l->netmask.s_addr});
	put_addr(f, "IPV4NETMASK", l->netmask);
	put_addr(f, "IPV4GATEWAY", l->router);
	put_addr(f, "IPV4DNS0", l->ndns > 0 ? l->dns[0] : (struct in_addr){0});
	put_addr(f, "IPV4DNS1", l->ndns > 1 ? l->dns[1] : (struct in_addr){0});
	put_quoted(f, "HOSTNAME", l->hostname);
	put_quoted(f, "DNSDOMAIN", l->domain);
	put_quoted(f, "ROOTSERVER", res->pxeserver);
	put_quoted(f, "ROOTPATH", l->root_path);
	put_quoted(f, "filename", l->bootfile);
	put_quoted(f, "DHCPLEASETIME", lease);
	put_quoted(f, "DOMAINSEARCH", l->domain);
}

/* Write PATH with CONTENT produced by FN(f, RES); 0 or negative errno. */
static int write_file(const char *path, void (*fn)(FILE *, const struct net_result *), const struct net_result *res)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return log_err(-errno, "net: write %s: %s", path, strerror(errno));
	fn(f, res);
	if (fclose(f) != 0)
		return log_err(-errno, "net: write %s: %s", path, strerror(errno));
	return 0;
}

/* resolv.conf: every DNS server and the domain as search list. */
static void write_resolv(FILE *f, const struct net_result *res)
{
	for (unsigned i = 0; i < res->lease.ndns; i++)
		fprintf(f, "nameserver %s\n", inet_ntoa(res->lease.dns[i]));
	if (res->lease.domain[0])
		fprintf(f, "search %s\n", res->lease.domain);
}

/* Write the files under ROOT. */
int net_write_files(const struct net_result *res, const char *root)
{
	char path[256], link[256], target[64];
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/run/pxeroot", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/resolv.conf", root);
	int r = write_file(path, write_resolv, res);
	snprintf(path, sizeof(path), "%s/run/pxeroot/net-%s.conf", root, res->nic.name);
	if (r == 0)
		r = write_file(path, write_ipconfig, res);
	/* klibc's location, for initramfs scripts that look there */
	snprintf(link, sizeof(link), "%s/run/net-%s.conf", root, res->nic.name);
	snprintf(target, sizeof(target), "pxeroot/net-%s.conf", res->nic.name);
	unlink(link);
	if (r == 0 && symlink(target, link) < 0)
		log_info("net: symlink %s: %s", link, strerror(errno));
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
	if (out < 0 || write(out, buf, (size_t)n) != n) {
		int e = errno;
		if (out >= 0)
			close(out);
		return log_err(-e, "net: write %s: %s", dst, strerror(e));
	}
	close(out);
	return 0;
}
