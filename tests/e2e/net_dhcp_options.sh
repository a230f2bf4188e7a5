#!/usr/bin/env bash
# DHCP from dnsmasq in the test's network namespace with the options a PXE
# network hands out: router, three DNS servers, domain search (119), classless
# static routes (121), MTU (26), a host name (12) and a next-server. The image
# URL uses ${pxeserver}, which the agent replaces with the next-server. The
# live root must see every option applied. dnsmasq sends 12, 26, 119 and 121
# only when the client asks for them, as real servers do.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot on a tap NIC served by dnsmasq and check the options reached the live root.
main() {
	local log url_re
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	netns_create 192.168.77.1/24
	dnsmasq_start --port=0 --dhcp-authoritative \
		--dhcp-range=192.168.77.50,192.168.77.60,255.255.255.0,1h \
		--dhcp-option=option:router,192.168.77.1 \
		--dhcp-option=option:dns-server,192.168.77.1,192.168.77.2,192.168.77.3 \
		--dhcp-option=option:domain-search,lab.pxeroot.test,other.pxeroot.test \
		--dhcp-option=option:classless-static-route,10.99.0.0/16,192.168.77.1,0.0.0.0/0,192.168.77.1 \
		--dhcp-option=option:mtu,1400 \
		--dhcp-host="$(lab_mac 1),optshost" \
		--dhcp-boot=pxelinux.0,,192.168.77.1
	NGINX_NETNS=$NETNS NGINX_ADDR=192.168.77.1 serve_archiso arch
	netns_http_get "http://192.168.77.1:$HTTP_PORT/arch/x86_64/airootfs.sha512" | grep -q ' airootfs\.sfs$' ||
		lab_die "nginx in $NETNS does not serve the sha512 list"
	QEMU_NET_ARGS=()
	qemu_nic_tap "$(lab_mac 1)"
	# ${pxeserver} must reach the kernel command line as it is.
	# shellcheck disable=SC2016
	QEMU_NETNS=$NETNS qemu_boot "$log" 'ip=dhcp archiso_http_srv=http://${pxeserver}:'"$HTTP_PORT"'/ checksum=y pxeroot.onerror=poweroff'
	url_re="http://192\.168\.77\.1:$HTTP_PORT/arch/x86_64/airootfs\.sfs"
	expect_line "$log" "${LAB_LINE_START}pxeroot: dhcp eth0: lease 192\.168\.77\.(5[0-9]|60)/24 from 192\.168\.77\.1, next-server 192\.168\.77\.1, 3600 s, in [0-9]+ ms\$" "DHCP lease from dnsmasq"
	expect_line "$DNSMASQ_LOG" 'DHCPACK\(tap0\) 192\.168\.77\.[0-9]+ 52:54:00:12:34:01 optshost$' "dnsmasq acknowledged the lease"
	expect_line "$log" "${LAB_LINE_START}pxeroot: fetch $url_re\$" "\${pxeserver} replaced by the next-server"
	expect_line "$log" "pxeroot: verify $url_re: sha512 ok" "agent verified the image's sha512"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: route: 10\.99\.0\.0/16 via 192\.168\.77\.1 ' "option 121 route 10.99.0.0/16"
	expect_line "$log" 'PXEROOT-E2E: route: default via 192\.168\.77\.1 ' "default route via 192.168.77.1"
	expect_line "$log" 'PXEROOT-E2E: link: eth0 mtu 1400 oper up addr 192\.168\.77\.(5[0-9]|60)/24$' "option 26: eth0 MTU 1400"
	expect_line "$log" 'PXEROOT-E2E: hostname: optshost$' "option 12: hostname optshost"
	expect_line "$log" 'PXEROOT-E2E: resolv: nameserver 192\.168\.77\.1$' "resolv.conf: first DNS server"
	expect_line "$log" 'PXEROOT-E2E: resolv: nameserver 192\.168\.77\.2$' "resolv.conf: second DNS server"
	expect_line "$log" 'PXEROOT-E2E: resolv: nameserver 192\.168\.77\.3$' "resolv.conf: third DNS server"
	expect_line "$log" 'PXEROOT-E2E: resolv: search lab\.pxeroot\.test other\.pxeroot\.test$' "option 119: search list"
	expect_line "$log" "PXEROOT-E2E: netconf: net-eth0\\.conf: IPV4DNS0='192\\.168\\.77\\.1'\$" "net-eth0.conf: IPV4DNS0"
	expect_line "$log" "PXEROOT-E2E: netconf: net-eth0\\.conf: IPV4DNS1='192\\.168\\.77\\.2'\$" "net-eth0.conf: IPV4DNS1"
	expect_line "$log" "PXEROOT-E2E: netconf: net-eth0\\.conf: DOMAINSEARCH='[^']*lab\\.pxeroot\\.test[^']*other\\.pxeroot\\.test[^']*'\$" "net-eth0.conf: DOMAINSEARCH has both names"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
