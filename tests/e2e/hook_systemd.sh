#!/usr/bin/env bash
# script= in a real systemd root: a minimal Debian bookworm with systemd
# (tools/systemd-root.sh, built once and kept in build/systemd-root/), served as
# archiso's image. pxeroot fetches the script in the initramfs and places a unit
# under /run/systemd/system; systemd starts it after network-online.target,
# with the network facts in its environment and its output on the console.
# The script reports both units' start times and powers the machine off.
# Alone: with the other core busy, systemd's power-off can come before the
# script's last console line.
# e2e: alone
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Write the hook script $1: where it runs, the order systemd gave it, then power off.
write_hook() {
	cat >"$1" <<-'EOF2'
		#!/bin/sh
		echo "hook-systemd: network-online.target $(systemctl show -P ActiveState network-online.target)"
		echo "hook-systemd: started $(systemctl show -P ActiveEnterTimestampMonotonic network-online.target) $(systemctl show -P ExecMainStartTimestampMonotonic pxeroot-script.service)"
		echo "hook-systemd: iface=$PXEROOT_IFACE pxeserver=$pxeserver init=$(readlink /proc/1/exe)"
		systemctl --no-block poweroff
	EOF2
}

main() {
	local sfs="$LAB_ROOT/build/systemd-root/root.sfs" url times net script
	lab_tmpdir
	lab_need debootstrap
	"$LAB_ROOT/tools/systemd-root.sh" "$sfs" | sed 's/^/# /'
	WEBROOT="$LAB_TMP/www"
	make_archiso_tree "$WEBROOT" "$sfs" arch
	write_hook "$WEBROOT/hook.sh"
	nginx_start "$WEBROOT"
	url="http://10.0.2.2:$HTTP_PORT/hook.sh"
	LOG="$LAB_TMP/serial.log"
	QEMU_MEM=1024 QEMU_TIMEOUT=300 qemu_boot "$LOG" "$(archiso_http_append "script=$url")"
	expect_line "$LOG" "pxeroot: script $(lab_re_escape "$url"): runs after network-online.target \\(systemd unit /run/systemd/system/pxeroot-script.service\\)" "the unit placed for systemd"
	expect_line "$LOG" 'hook-systemd: network-online.target active' "network-online.target was active when it ran"
	expect_line "$LOG" 'hook-systemd: iface=eth0 pxeserver=10\.0\.2\.2 init=/usr/lib/systemd/systemd' "ran under systemd with the network facts"
	expect_line "$LOG" "pxeroot: script $(lab_re_escape "$url") exited with status 0" "its exit status on the console"
	times=$(lab_log_text "$LOG" | sed -n 's/.*hook-systemd: started \([0-9]*\) \([0-9]*\).*/\1 \2/p' | head -n1)
	read -r net script <<<"${times:-0 0}"
	expect_ok "started after network-online.target (at ${script} us, the target at ${net} us)" at_least "$script" "$net"
	expect_qemu exited
	expect_no_line "$LOG" 'Kernel panic' "no kernel panic"
	local up
	up=$(lab_log_text "$LOG" | sed -n 's/^\[ *\([0-9.]*\)\] .*hook-systemd: network-online.*/\1/p' | head -n1)
	echo "figure: script= ran under systemd at uptime ${up:-?} s"
	scenario_end "$LOG"
}

main "$@"
