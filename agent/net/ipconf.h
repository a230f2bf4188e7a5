/* ipconf.h - the network part of the command line: ip= (kernel, PXELINUX and dracut forms),
 * BOOTIF=, nameserver=, rd.neednet= */
#ifndef PXEROOT_IPCONF_H
#define PXEROOT_IPCONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipc_method { IPC_DHCP, IPC_STATIC, IPC_OFF };

/* One ip= value. Unset addresses are 0.0.0.0, an unset device is "". */
struct ip_conf {
	enum ipc_method method;
	char device[IF_NAMESIZE];
	struct in_addr client, server, gateway, netmask;
	char hostname[65];
	struct in_addr dns[2];
	struct in_addr ntp;
	unsigned mtu;          /* dracut's <mtu> field, 0 = keep */
	uint8_t mac[6];        /* dracut's <macaddr> field */
	bool has_mac;
};

#define IPCONF_MAX 8
#define IPCONF_MAX_DNS 8

struct net_config {
	struct ip_conf conf[IPCONF_MAX];
	unsigned n;                           /* ip= values that configure something */
	bool off;                             /* ip=off / ip=none was the (only) answer */
	struct in_addr dns[IPCONF_MAX_DNS];   /* nameserver= */
	unsigned ndns;
	uint8_t bootif[6];
	bool has_bootif;
	bool neednet;                         /* rd.neednet=1 */
	unsigned carrier_timeout_s;           /* pxeroot.carrier_timeout= */
	unsigned dhcp_timeout_s;              /* pxeroot.dhcp_timeout= */
};

/* Parse one ip= VALUE into OUT. 0, or -EINVAL with a short reason in WHY (for the log line that
 * quotes the value). */
int ipconf_parse(const char *value, struct ip_conf *out, char *why, size_t whycap);
/* Parse BOOTIF= (PXELINUX "01-aa-bb-cc-dd-ee-ff", or a bare MAC with '-' or ':'). 0 or -EINVAL. */
int bootif_parse(const char *value, uint8_t mac[6]);

#endif
