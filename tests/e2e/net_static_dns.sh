#!/usr/bin/env bash
# Static ip= with a DNS server field, no DHCP anywhere: the agent configures
# eth0 from the command line, resolves the image server's name through the
# given DNS server (dnsmasq in the test's network namespace, which knows only
# that name) and fetches the image from nginx there; the live root gets the
# resolver and the hostname.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly NAME=images.pxeroot.test

# Boot with a static ip= against nginx and dnsmasq (DNS only) in a netns.
main() {
	local log url_re
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	netns_create 192.168.77.1/24
	dnsmasq_start --address="/$NAME/192.168.77.1"
	NGINX_NETNS=$NETNS NGINX_ADDR=192.168.77.1 serve_archiso arch
	check_lab
	QEMU_NET_ARGS=()
	qemu_nic_tap "$(lab_mac 1)"
	QEMU_NETNS=$NETNS qemu_boot "$log" "ip=192.168.77.10::192.168.77.1:255.255.255.0:statichost:eth0:none:192.168.77.1 archiso_http_srv=http://$NAME:$HTTP_PORT/ checksum=y pxeroot.onerror=poweroff"
	url_re="http://images\.pxeroot\.test:$HTTP_PORT/arch/x86_64/airootfs\.sfs"
	expect_line "$log" "${LAB_LINE_START}pxeroot: net eth0: static 192\.168\.77\.10/24 gateway 192\.168\.77\.1 dns 192\.168\.77\.1\$" "static configuration from ip="
	expect_no_line "$log" 'pxeroot: dhcp ' "no DHCP"
	expect_line "$log" "${LAB_LINE_START}pxeroot: fetch $url_re\$" "image fetched by name"
	expect_line "$log" "pxeroot: verify $url_re: sha512 ok" "agent verified the image's sha512"
	expect_line "$DNSMASQ_LOG" "query\[A\] images\.pxeroot\.test from 192\.168\.77\.10\$" "the guest asked dnsmasq for the name"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: resolv: nameserver 192\.168\.77\.1$' "live root's resolv.conf names the ip= DNS server"
	expect_line "$log" 'PXEROOT-E2E: hostname: statichost$' "hostname from ip="
	expect_line "$log" 'PXEROOT-E2E: link: eth0 mtu [0-9]+ oper up addr 192\.168\.77\.10/24$' "live root: eth0 has 192.168.77.10/24"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

# Fail early unless the name resolves and the image is served inside the netns.
check_lab() {
	local got
	got=$(netns_dns_query "$NAME") || true
	[[ "$got" == 192.168.77.1 ]] || lab_die "dnsmasq answers '$got' for $NAME"
	netns_http_get "http://192.168.77.1:$HTTP_PORT/arch/x86_64/airootfs.sha512" | grep -q ' airootfs\.sfs$' ||
		lab_die "nginx in $NETNS does not serve the sha512 list"
	lab_note "lab: $NAME resolves to 192.168.77.1 in $NETNS, nginx serves the tree"
}

main "$@"
