/* link.c - interfaces over rtnetlink: listed (and their carrier read) with one dump, configured with
 * one request per change.
 *
 * Each change is one rtnetlink request with NLM_F_ACK; the kernel's answer becomes our return
 * value (0 or its negative errno). */
#define _GNU_SOURCE
#include "net/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/* A request buffer: header, family message, attributes. */
struct nlreq {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rt;
	};
	char attrs[256];
};

/* Append attribute TYPE with LEN bytes of DATA to REQ. */
static void nl_attr(struct nlreq *req, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send REQ with NLM_F_ACK and return the kernel's verdict. */
static int nl_talk(struct nlreq *req)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = 1;
	int r = 0;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto out;
	}
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == NLMSG_ERROR)
		r = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	else
		r = -EPROTO;
out:
	close(fd);
	return r;
}

/* Start a request of TYPE with FLAGS and a family header of HDRLEN bytes. */
static void nl_init(struct nlreq *req, unsigned short type, unsigned short flags, size_t hdrlen)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = (unsigned)NLMSG_LENGTH(hdrlen);
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = flags;
}

/* Subscribe to link notifications. */
int link_watch_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return log_errno(-errno, "netlink: socket");
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;
		close(fd);
		return log_errno(e, "netlink: bind to link notifications");
	}
	return fd;
}

/* Apply the RTM_NEWLINK messages in BUF (LEN bytes) to NICS. */
static void watch_apply(const char *buf, size_t len, struct nic *nics, size_t n)
{
	for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
			continue;
		const struct ifinfomsg *ifi = NLMSG_DATA(h);
		for (size_t i = 0; i < n; i++)
			if (nics[i].ifindex == ifi->ifi_index)
				nics[i].carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
	}
}

/* Read the notifications; each carries the link's flags, so no dump is needed. */
bool link_watch_read(int fd, struct nic *nics, size_t n)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t r;
	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		watch_apply(buf, (size_t)r, nics, n);
	return r < 0 && errno == ENOBUFS;
}

/* Bring NIC up or down. */
int link_set_up(const struct nic *nic, int up)
{
	struct nlreq req;
	nl_init(&req, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = nic->ifindex;
	req.ifi.ifi_change = IFF_UP;
	req.ifi.ifi_flags = up ? IFF_UP : 0;
	int r = nl_talk(&req);
	if (r < 0)
		return log_errno(r, "link %s: set %s", nic->name, up ? "up" : "down");
	return 0;
}

/* Write the one-character VALUE to the ipv6 sysctl disable_ipv6 of interface IFNAME ("default":
 * the value new interfaces get). */
static void ipv6_disable_write(const char *ifname, char value)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_errno(-errno, "link %s: %s", ifname, path);
		return;
	}
	if (write(fd, &value, 1) != 1)
		log_errno(-errno, "link %s: write %s", ifname, path);
	close(fd);
}

static char ipv6_default = '0'; /* conf/default/disable_ipv6 before the first hold */
static bool ipv6_held;

/* Remember conf/default/disable_ipv6 and set it: interfaces created from now on start held.
 * False when the kernel has no IPv6. */
static bool ipv6_hold_start(void)
{
	int fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, &ipv6_default, 1) != 1 || (ipv6_default != '0' && ipv6_default != '1'))
		ipv6_default = '0';
	close(fd);
	ipv6_held = true;
	ipv6_disable_write("default", '1');
	return true;
}

/* Hold or release IPv6 autoconfiguration: while DHCPv4 runs, every NIC's link-local address,
 * DAD, MLD reports and router solicitations would compete with it for the CPU (each transmit
 * costs milliseconds under emulation, times the number of NICs). A release without a hold
 * changes nothing. */
void link_ipv6_hold(const char *ifname, bool hold)
{
	if (hold && !ipv6_held && !ipv6_hold_start())
		return;
	if (!ipv6_held)
		return;
	ipv6_disable_write(ifname, hold ? '1' : ipv6_default);
	if (!hold && !strcmp(ifname, "default"))
		ipv6_held = false;
}

/* Set the MTU of NIC. */
int link_set_mtu(const struct nic *nic, unsigned mtu)
{
	struct nlreq req;
	nl_init(&req, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = nic->ifindex;
	uint32_t m = mtu;
	nl_attr(&req, IFLA_MTU, &m, sizeof(m));
	int r = nl_talk(&req);
	if (r < 0)
		return log_errno(r, "link %s: set mtu %u", nic->name, mtu);
	return 0;
}

/* Add an IPv4 address. */
int addr_add(const struct nic *nic, struct in_addr addr, unsigned prefix, struct in_addr brd)
{
	struct nlreq req;
	nl_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct ifaddrmsg));
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = (unsigned char)prefix;
	req.ifa.ifa_index = (unsigned)nic->ifindex;
	nl_attr(&req, IFA_LOCAL, &addr, 4);
	nl_attr(&req, IFA_ADDRESS, &addr, 4);
	if (brd.s_addr)
		nl_attr(&req, IFA_BROADCAST, &brd, 4);
	int r = nl_talk(&req);
	if (r < 0)
		return log_errno(r, "link %s: add address %s/%u", nic->name, inet_ntoa(addr), prefix);
	return 0;
}

/* Add an IPv4 route in the main table. */
int route_add(const struct nic *nic, struct in_addr dst, unsigned prefix, struct in_addr gw)
{
	struct nlreq req;
	nl_init(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct rtmsg));
	req.rt.rtm_family = AF_INET;
	req.rt.rtm_dst_len = (unsigned char)prefix;
	req.rt.rtm_table = RT_TABLE_MAIN;
	req.rt.rtm_protocol = RTPROT_DHCP;
	req.rt.rtm_scope = gw.s_addr ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	req.rt.rtm_type = RTN_UNICAST;
	if (prefix)
		nl_attr(&req, RTA_DST, &dst, 4);
	if (gw.s_addr)
		nl_attr(&req, RTA_GATEWAY, &gw, 4);
	uint32_t oif = (uint32_t)nic->ifindex;
	nl_attr(&req, RTA_OIF, &oif, sizeof(oif));
	int r = nl_talk(&req);
	if (r < 0) {
		char d[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &dst, d, sizeof(d));
		inet_ntop(AF_INET, &gw, g, sizeof(g));
		return log_errno(r, "link %s: add route %s/%u via %s", nic->name, d, prefix, g);
	}
	return 0;
}

/* Delete the address of dump message H if it belongs to one of NICS[0..N); 1 when deleted, 0 when
 * not ours, or the negative errno of the deletion (logged). */
static int del_if_ours(struct nlmsghdr *h, const struct nic *nics, size_t n)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	size_t i = 0;
	while (i < n && (int)ifa->ifa_index != nics[i].ifindex)
		i++;
	if (i == n || ifa->ifa_family != AF_INET)
		return 0;
	struct nlreq req;
	struct in_addr local = {0};
	nl_init(&req, RTM_DELADDR, 0, sizeof(struct ifaddrmsg));
	req.ifa = *ifa;
	int len = (int)IFA_PAYLOAD(h);
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != IFA_LOCAL && a->rta_type != IFA_ADDRESS)
			continue;
		nl_attr(&req, a->rta_type, RTA_DATA(a), 4);
		if (a->rta_type == IFA_LOCAL)
			memcpy(&local, RTA_DATA(a), 4);
	}
	int r = nl_talk(&req);
	if (r < 0)
		return log_errno(r, "link %s: delete address %s/%u", nics[i].name, inet_ntoa(local), ifa->ifa_prefixlen);
	return 1;
}

/* Run a dump request of TYPE for FAMILY and call FN(h, CTX) for each message. 0 or -errno. */
static int nl_dump(unsigned short type, unsigned char family, void (*fn)(struct nlmsghdr *h, void *ctx), void *ctx)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct nlreq req;
	nl_init(&req, type, NLM_F_REQUEST | NLM_F_DUMP, sizeof(struct ifinfomsg));
	req.ifi.ifi_family = family; /* ifi_family and ifa_family are both the first byte */
	char buf[16384];
	int r = send(fd, &req, req.nh.nlmsg_len, 0) < 0 ? -errno : 0;
	for (int done = 0; r == 0 && !done;) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0) {
			r = -errno;
			break;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)got); h = NLMSG_NEXT(h, got)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			fn(h, ctx);
		}
	}
	close(fd);
	return r;
}

/* What the dump callbacks work on. */
struct nic_set {
	struct nic *nics;
	size_t n, max;
};

/* Dump callback of addr_flush: delete the address if it is one of the set's NICs (a failure is
 * logged there and the flush goes on). */
static void flush_one(struct nlmsghdr *h, void *ctx)
{
	struct nic_set *s = ctx;
	if (h->nlmsg_type == RTM_NEWADDR)
		del_if_ours(h, s->nics, s->n);
}

/* Dump the IPv4 addresses and delete those of NICS. */
int addr_flush(const struct nic *nics, size_t n)
{
	struct nic_set s = {.nics = (struct nic *)nics, .n = n};
	int r = nl_dump(RTM_GETADDR, AF_INET, flush_one, &s);
	if (r < 0)
		return log_errno(r, "link: flush addresses");
	return 0;
}

/* Fill NIC from an RTM_NEWLINK message if it is an Ethernet device; 1 if it is. */
static int nic_from_msg(struct nlmsghdr *h, struct nic *nic)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	if (h->nlmsg_type != RTM_NEWLINK || ifi->ifi_type != ARPHRD_ETHER)
		return 0;
	memset(nic, 0, sizeof(*nic));
	nic->ifindex = ifi->ifi_index;
	nic->up = ifi->ifi_flags & IFF_UP;
	nic->carrier = ifi->ifi_flags & IFF_LOWER_UP;
	bool mac = false;
	int len = (int)IFLA_PAYLOAD(h);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) <= IF_NAMESIZE) {
			snprintf(nic->name, sizeof(nic->name), "%.*s", (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
		} else if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6) {
			memcpy(nic->mac, RTA_DATA(a), 6);
			mac = true;
		}
	}
	return mac && nic->name[0];
}

/* Dump callback of link_list: append Ethernet devices. */
static void list_one(struct nlmsghdr *h, void *ctx)
{
	struct nic_set *s = ctx;
	if (s->n < s->max && nic_from_msg(h, &s->nics[s->n]))
		s->n++;
}

/* Order NICs by ifindex. */
static int nic_cmp(const void *a, const void *b)
{
	return ((const struct nic *)a)->ifindex - ((const struct nic *)b)->ifindex;
}

/* List Ethernet interfaces. */
int link_list(struct nic *out, size_t max)
{
	struct nic_set s = {.nics = out, .max = max};
	int r = nl_dump(RTM_GETLINK, AF_UNSPEC, list_one, &s);
	if (r < 0)
		return log_errno(r, "link: list interfaces");
	qsort(out, s.n, sizeof(*out), nic_cmp);
	return (int)s.n;
}

/* Dump callback of link_carriers: copy flags to the matching NIC. */
static void carrier_one(struct nlmsghdr *h, void *ctx)
{
	struct nic_set *s = ctx;
	struct nic tmp;
	if (!nic_from_msg(h, &tmp))
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (s->nics[i].ifindex == tmp.ifindex) {
			s->nics[i].carrier = tmp.carrier;
			s->nics[i].up = tmp.up;
		}
	}
}

/* Refresh carriers with one dump. */
int link_carriers(struct nic *nics, size_t n)
{
	struct nic_set s = {.nics = nics, .n = n};
	return nl_dump(RTM_GETLINK, AF_UNSPEC, carrier_one, &s);
}

/* The six bytes in hex, colon-separated. */
const char *nic_mac_text(const uint8_t *m, char *buf)
{
	snprintf(buf, NIC_MAC_TEXT, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/* Count the leading one bits of MASK; -1 if the ones are not contiguous. */
int netmask_prefix(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	int p = 0;
	while (p < 32 && (m & (0x80000000u >> p)))
		p++;
	if (p < 32 && (m << p))
		return -1;
	return p;
}
