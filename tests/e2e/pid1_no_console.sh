#!/usr/bin/env bash
# pxeroot without a console. On the host: `pxeroot fetch` with stdin, stdout
# and stderr closed leaves a file identical to the served one (no log line
# lands in it), and `pxeroot fetch` as PID 1 of a PID namespace (a container's
# entrypoint) fetches instead of booting. In QEMU: a kernel with no console
# device (console=none0, a name no driver has) and an initramfs without
# /dev/console: the checked image still boots, and the live init inherits
# /dev/null as fds 0-2; a failing boot whose rescue shell ends at once (no
# console to read) starts it again after 1, 2, 4 s, not as fast as it ends.
# With no console the guest's own programs write to the first serial port.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Host: fetch $WEBROOT/blob with fds 0-2 closed, and as PID 1; compare the files.
check_fetch_host() {
	local url="http://127.0.0.1:$HTTP_PORT/blob" out="$LAB_TMP/out" rc=0
	head -c $((6 << 20)) /dev/urandom >"$WEBROOT/blob"
	"$LAB_ROOT/build/pxeroot" fetch "$url" "$out.closed" <&- >&- 2>&- || rc=$?
	lab_assert "$rc" "fetch with fds 0-2 closed exits 0"
	cmp -s "$WEBROOT/blob" "$out.closed"
	lab_assert $? "fetch with fds 0-2 closed: the file is byte-identical"
	rc=0
	timeout -k 5 60 unshare --pid --fork --mount --mount-proc "$LAB_ROOT/build/pxeroot" fetch "$url" "$out.pid1" \
		>"$LAB_TMP/pid1.log" 2>&1 || rc=$?
	sed 's/^/#   pid1: /' "$LAB_TMP/pid1.log"
	lab_assert "$rc" "fetch as PID 1 of a PID namespace exits 0"
	cmp -s "$WEBROOT/blob" "$out.pid1"
	lab_assert $? "fetch as PID 1: the file is byte-identical"
	expect_no_line "$LAB_TMP/pid1.log" 'pxeroot: pxeroot .* starting' "fetch as PID 1 did not start a boot"
}

# Write the live root's init to $1: report fds 0-2 it inherited and pxeroot's
# log on the first serial port, then power off.
write_ttys0_init() {
	cat >"$1" <<-'EOF2'
		#!/bin/sh
		# Test init without a console: everything goes to the first serial port.
		f0=$(readlink /proc/$$/fd/0) f1=$(readlink /proc/$$/fd/1) f2=$(readlink /proc/$$/fd/2)
		exec </dev/null >/dev/ttyS0 2>&1
		echo "PXEROOT-E2E: init started"
		echo "PXEROOT-E2E: fds: ${f0:-closed} ${f1:-closed} ${f2:-closed}"
		while IFS= read -r line; do
		    echo "PXEROOT-E2E: log: $line"
		done </run/pxeroot/log
		sync
		poweroff -f
	EOF2
	chmod 0755 "$1"
}

# Write a /bin/sh stand-in to $1 that ends at once, as a shell with nothing to
# read does, after reporting its start; the fourth start dumps pxeroot's log
# and powers off.
write_quick_shell() {
	cat >"$1" <<-'EOF2'
		#!/bin/busybox sh
		n=$(($(cat /run/e2e-shells 2>/dev/null || echo 0) + 1))
		echo "$n" >/run/e2e-shells
		read -r up _ </proc/uptime
		echo "PXEROOT-E2E: rescue shell start $n uptime=$up" >/dev/ttyS0
		if [ "$n" -ge 4 ]; then
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: log: $line"
		    done </run/pxeroot/log >/dev/ttyS0
		    /bin/busybox poweroff -f
		fi
		exit 0
	EOF2
	chmod 0755 "$1"
}

# Copy build/initramfs.img to $1 without /dev/console, with busybox and the
# quick shell stand-in as /bin/sh.
make_consoleless_initrd() {
	local out=$1 dir="$LAB_TMP/initrd"
	mkdir -p "$dir"
	lab_unpack_initrd "$LAB_ROOT/build/initramfs.img" "$dir"
	rm -f "$dir/dev/console"
	mkdir -p "$dir/bin"
	cp "$(command -v busybox)" "$dir/bin/busybox"
	write_quick_shell "$dir/bin/sh"
	lab_pack_initrd "$dir" "$out"
}

# Build the tree whose init writes to ttyS0, serve it; boot it without a console.
check_boot() {
	local log="$LAB_TMP/serial.log" tree="$LAB_TMP/tree"
	make_root_tree "$tree"
	write_ttys0_init "$tree/sbin/init"
	mksquashfs "$tree" "$LAB_TMP/root.sfs" -noappend -comp xz -all-root -quiet >/dev/null
	make_archiso_tree "$WEBROOT" "$LAB_TMP/root.sfs" arch
	QEMU_KCONSOLE=console=none0 INITRD="$LAB_TMP/initrd.img" QEMU_TIMEOUT=120 \
		qemu_boot "$log" "$(archiso_http_append pxeroot.debug)"
	expect_line "$log" 'PXEROOT-E2E: log: pxeroot: console: /dev/console: .*/dev/null' "pxeroot found no console and said so in its log"
	expect_line "$log" 'PXEROOT-E2E: log: pxeroot: verify .*airootfs\.sfs: sha512 ok' "the image was checked"
	expect_line "$log" 'PXEROOT-E2E: init started' "the live root's init started"
	expect_line "$log" 'PXEROOT-E2E: fds: /dev/null /dev/null /dev/null' "init inherited /dev/null as fds 0-2"
	expect_qemu exited "the live root powered off"
}

# Boot a missing image with onerror=shell: the quick shell is started again with backoff.
check_rescue_backoff() {
	local log="$LAB_TMP/serial-rescue.log" ups gaps
	QEMU_KCONSOLE=console=none0 INITRD="$LAB_TMP/initrd.img" QEMU_TIMEOUT=120 \
		qemu_boot "$log" "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ archisobasedir=missing pxeroot.onerror=shell"
	expect_line "$log" 'PXEROOT-E2E: rescue shell start 4 ' "the rescue shell was started four times"
	expect_line "$log" 'PXEROOT-E2E: log: pxeroot: rescue: /bin/sh ended within a second .*waiting 4 s' "pxeroot says it waits"
	ups=$(lab_log_text "$log" | sed -n 's/^PXEROOT-E2E: rescue shell start [0-9]* uptime=//p' | tr '\n' ' ')
	gaps=$(awk -v u="$ups" 'BEGIN { n = split(u, a, " "); for (i = 2; i <= n; i++) printf "%.1f ", a[i] - a[i-1] }')
	lab_note "rescue shell starts at uptime $ups; gaps $gaps"
	awk -v g="$gaps" 'BEGIN { n = split(g, a, " "); exit !(n == 3 && a[1] >= 0.9 && a[2] >= 1.9 && a[3] >= 3.9) }'
	lab_assert $? "the starts are 1, 2 and 4 s apart at least (gaps: $gaps)"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
}

main() {
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	nginx_start "$WEBROOT"
	check_fetch_host
	make_consoleless_initrd "$LAB_TMP/initrd.img"
	check_boot
	check_rescue_backoff
	scenario_end "$LAB_TMP/serial.log"
}

main "$@"
