#!/usr/bin/env bash
# shellcheck disable=SC2119  # nfs_serve_root takes optional words
# The NFS root named by DHCP option 17 (root-path): the guest on a tap NIC of
# the test's network namespace, where dnsmasq hands out the lease (a root-path
# and a next-server) and nfs-ganesha with its rpcbind serves one export
# (read-write, v3 and v4) on the namespace's address. Two boots, one MAC each,
# so that each gets its own root-path: root=dhcp reads option 17 as a dracut
# root (nfs:nfs.pxeroot.test:/export, the name resolved through dnsmasq;
# dracut's default ro), and root=/dev/nfs
# without nfsroot= reads it in the kernel's syntax (DIR,vers=3, no server: the
# next-server is the server) with rw, the guest's file then found on the host.
# e2e: lock nfs
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_nfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_nfs.sh"

# Boot NAME ($1) on a tap NIC with MAC number $2 and kernel command line $3; LOG is set.
boot_tap() {
	QEMU_NET_ARGS=()
	qemu_nic_tap "$(lab_mac "$2")"
	QEMU_NETNS=$NETNS nfs_boot "$1" "$3"
}

# Assert that LOG's lease came from dnsmasq with the next-server, and that
# dnsmasq sent MAC number $2 the root-path $3; $1 prefixes the descriptions.
expect_lease() {
	local name=$1 mac=$2 root_path=$3 addr_re
	addr_re=$(lab_re_escape "$NETNS_ADDR")
	expect_line "$LOG" "${LAB_LINE_START}pxeroot: dhcp eth0: lease 192\\.168\\.77\\.(5[0-9]|60)/24 from $addr_re, next-server $addr_re, " "$name: DHCP lease from dnsmasq with the next-server"
	expect_line "$DNSMASQ_LOG" "DHCPACK\\(tap0\\) 192\\.168\\.77\\.[0-9]+ $(lab_re_escape "$(lab_mac "$mac")")" "$name: dnsmasq acknowledged the lease"
	expect_line "$DNSMASQ_LOG" "option: *17 root-path +$(lab_re_escape "$root_path")\$" "$name: dnsmasq sent the root-path $root_path"
}

# One export in the namespace, one dnsmasq, two boots.
main() {
	local addr addr_re dracut_rp kernel_rp
	lab_tmpdir
	netns_create 192.168.77.1/24
	addr=$NETNS_ADDR
	addr_re=$(lab_re_escape "$addr")
	NFS_NETNS=$NETNS NFS_ADDR=$addr nfs_serve_root
	dracut_rp="nfs:nfs.pxeroot.test:$NFS_PSEUDO"
	kernel_rp="$NFS_EXPORT_DIR,vers=3"
	dnsmasq_start --dhcp-authoritative --address="/nfs.pxeroot.test/$addr" \
		--dhcp-option="option:dns-server,$addr" \
		--dhcp-range=192.168.77.50,192.168.77.60,255.255.255.0,1h \
		--dhcp-host="$(lab_mac 1),set:dracut" \
		--dhcp-host="$(lab_mac 2),set:kernel" \
		--dhcp-option="tag:dracut,option:root-path,$dracut_rp" \
		--dhcp-option="tag:kernel,option:root-path,$kernel_rp" \
		--dhcp-boot="pxelinux.0,,$addr"

	boot_tap dracut 1 "ip=dhcp root=dhcp"
	expect_lease dracut 1 "$dracut_rp"
	expect_line "$LOG" "pxeroot: nfs nfs\\.pxeroot\\.test: resolved to $addr_re\$" "dracut: the server's name resolved through dnsmasq"
	expect_line "$LOG" "pxeroot: nfs nfs\\.pxeroot\\.test:/export: mounted with NFSv4\\.2 on /run/pxeroot/nfs, read-only\$" "dracut: root-path $dracut_rp mounted with NFSv4.2, read-only"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "dracut: live root's init started"
	expect_line "$LOG" 'PXEROOT-E2E: mount: [^ ]+ / nfs4 ro' "dracut: / is the NFS export, read-only"
	expect_line "$LOG" 'PXEROOT-E2E: / is read-only' "dracut: the guest could not write into /"
	expect_ok "dracut: the export is untouched" test ! -e "$TREE/written-by-guest"
	expect_no_line "$LOG" 'Kernel panic' "dracut: no kernel panic"

	rm -f "$TREE/written-by-guest"
	boot_tap kernel 2 "ip=dhcp root=/dev/nfs rw"
	expect_lease kernel 2 "$kernel_rp"
	expect_line "$LOG" "pxeroot: nfs $addr_re:$(lab_re_escape "$NFS_EXPORT_DIR"): mounted with NFSv3 on /run/pxeroot/nfs, read-write\$" "kernel: root-path DIR,vers=3 on the next-server, NFSv3 read-write"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "kernel: live root's init started"
	expect_line "$LOG" 'PXEROOT-E2E: mount: [^ ]+ / nfs rw' "kernel: / is the NFS export, read-write"
	expect_line "$LOG" 'PXEROOT-E2E: wrote /written-by-guest' "kernel: the guest wrote into /"
	nfs_expect_kept "$LOG" kernel '192\.168\.77\.(5[0-9]|60)/24'
	expect_ok "kernel: the host sees the guest's file in the export" \
		test "$(cat "$TREE/written-by-guest" 2>/dev/null)" == "written by the guest"
	expect_no_line "$LOG" 'Kernel panic' "kernel: no kernel panic"
	nfs_stop
	scenario_end "$LOG"
}

main "$@"
