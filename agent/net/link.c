/* link.c - interface listing from /sys/class/net and configuration over rtnetlink.
 *
 * Each change is one rtnetlink request with NLM_F_ACK; the kernel's answer becomes our return
 * value (0 or its negative errno). */
#define _GNU_SOURCE
#include "link.h"

#include <arpa/inet.h>
#include <dirent.h>
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

#include "../log.h"

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

/* Read a small sysfs attribute of interface NAME into BUF; 0 or negative errno. */
static int sysfs_read(const char *name, const char *attr, char *buf, size_t cap)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, cap - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Order NICs by ifindex. */
static int nic_cmp(const void *a, const void *b)
{
	return ((const struct nic *)a)->ifindex - ((const struct nic *)b)->ifindex;
}

/* Fill NIC from sysfs if NAME is an Ethernet device; 1 if it is, 0 if not. */
static int nic_probe(const char *name, struct nic *nic)
{
	char buf[64];
	if (sysfs_read(name, "type", buf, sizeof(buf)) < 0 || atoi(buf) != ARPHRD_ETHER)
		return 0;
	if (sysfs_read(name, "ifindex", buf, sizeof(buf)) < 0)
		return 0;
	nic->ifindex = atoi(buf);
	if (sysfs_read(name, "address", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &nic->mac[0], &nic->mac[1], &nic->mac[2],
		   &nic->mac[3], &nic->mac[4], &nic->mac[5]) != 6)
		return 0;
	snprintf(nic->name, sizeof(nic->name), "%s", name);
	return 1;
}

/* List Ethernet interfaces. */
int link_list(struct nic *out, size_t max)
{
	DIR *d = opendir("/sys/class/net");
	if (!d)
		return log_err(-errno, "link /sys/class/net: %s", strerror(errno));
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= IF_NAMESIZE)
			continue;
		n += (size_t)nic_probe(e->d_name, &out[n]);
	}
	closedir(d);
	qsort(out, n, sizeof(*out), nic_cmp);
	return (int)n;
}

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
		return log_err(r, "link %s: set %s: %s", nic->name, up ? "up" : "down", strerror(-r));
	return 0;
}

/* IFF_UP from /sys/class/net/NAME/flags. */
bool link_is_up(const struct nic *nic)
{
	char buf[32];
	return sysfs_read(nic->name, "flags", buf, sizeof(buf)) == 0 && (strtoul(buf, NULL, 16) & IFF_UP);
}

/* Carrier state from sysfs (reading it fails with EINVAL while the link is down). */
int link_carrier(const struct nic *nic)
{
	char buf[8];
	int r = sysfs_read(nic->name, "carrier", buf, sizeof(buf));
	return r < 0 ? r : buf[0] == '1';
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
		return log_err(r, "link %s: set mtu %u: %s", nic->name, mtu, strerror(-r));
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
		return log_err(r, "link %s: add address %s/%u: %s", nic->name, inet_ntoa(addr), prefix, strerror(-r));
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
		return log_err(r, "link %s: add route %s/%u via %s: %s", nic->name, d, prefix, g, strerror(-r));
	}
	return 0;
}

/* Delete the address of dump message H if it belongs to one of NICS[0..N); 1 when deleted. */
static int del_if_ours(struct nlmsghdr *h, const struct nic *nics, size_t n)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	size_t i = 0;
	while (i < n && (int)ifa->ifa_index != nics[i].ifindex)
		i++;
	if (i == n || ifa->ifa_family != AF_INET)
		return 0;
	struct nlreq req;
	nl_init(&req, RTM_DELADDR, 0, sizeof(struct ifaddrmsg));
	req.ifa = *ifa;
	int len = (int)IFA_PAYLOAD(h);
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_LOCAL || a->rta_type == IFA_ADDRESS)
			nl_attr(&req, a->rta_type, RTA_DATA(a), 4);
	return nl_talk(&req) == 0;
}

/* Dump the IPv4 addresses and delete those of NICS. */
int addr_flush(const struct nic *nics, size_t n)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct nlreq req;
	nl_init(&req, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sizeof(struct ifaddrmsg));
	req.ifa.ifa_family = AF_INET;
	char buf[8192];
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
			if (h->nlmsg_type == RTM_NEWADDR)
				del_if_ours(h, nics, n);
		}
	}
	close(fd);
	if (r < 0)
		return log_err(r, "link: flush addresses: %s", strerror(-r));
	return 0;
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
