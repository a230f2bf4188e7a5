# shellcheck shell=bash disable=SC2034
# Helpers for the QEMU end-to-end scenarios; `source` it from a scenario.
#
#   lab_tmpdir                         create $LAB_TMP (removed on exit, with every tracked process)
#   lab_track PID / lab_untrack PID    stop PID on exit / forget it once reaped
#   free_port                          print a free TCP port on 127.0.0.1
#   nginx_start ROOTDIR                serve ROOTDIR on 127.0.0.1:$HTTP_PORT
#   make_root_sfs OUT.sfs              busybox live root whose /sbin/init prints PXEROOT-E2E: lines
#   make_archiso_tree WEBROOT SFS [BASEDIR] [ARCH]
#   serve_archiso [BASEDIR]            the two above plus nginx: sets WEBROOT, HTTP_PORT
#   archiso_http_append [EXTRA...]     print the usual kernel command line for serve_archiso
#   qemu_boot LOG APPEND [QEMU ARGS]   boot the lab kernel + initramfs, serial to LOG
#   expect_line LOG REGEX DESC         assert a line matches (grep -E, CRs removed)
#   expect_no_line LOG REGEX DESC      assert no line matches
#   scenario_end [LOG]                 print the log tail on failure; exit 0 or 1
#
# Environment: KERNEL, INITRD (default build/kernel/vmlinuz, build/initramfs.img),
# QEMU_MEM (512), QEMU_TIMEOUT (120 s), QEMU_STOP_RE ("pxeroot: halted"),
# QEMU_NIC (virtio-net-pci), QEMU_NETDEV_OPTS (appended to -netdev user,...),
# QEMU_CONSOLE=tty (serial on the terminal too), LAB_KEEP=1 (keep $LAB_TMP).
set -euo pipefail

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_TMP=""
LAB_PIDS=()
LAB_FAILED=0
LAB_ASSERTS=0
LAB_LAST_LOG=""
# Optional kernel timestamp in front of a line that went through /dev/kmsg.
LAB_LINE_START='^(\[ *[0-9]+\.[0-9]+\] )?'
QEMU_RESULT=""
QEMU_SECONDS=""

# Print a diagnostic line (TAP comment style) on stdout.
lab_note() {
	echo "# $*"
}

# Print an error and exit 1 (a setup failure fails the scenario).
lab_die() {
	echo "not ok - setup: $*"
	exit 1
}

# Stop every tracked process by PID, then remove $LAB_TMP unless LAB_KEEP=1.
lab_cleanup() {
	local rc=$? pid i
	for pid in "${LAB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || continue
		for ((i = 0; i < 20; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ -n "$LAB_TMP" && "${LAB_KEEP:-0}" != 1 ]]; then
		rm -rf "$LAB_TMP"
	fi
	exit "$rc"
}

# Create the scenario's temp dir once ($LAB_TMP) and arm the exit cleanup.
lab_tmpdir() {
	[[ -n "$LAB_TMP" ]] && return 0
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxeroot-e2e.XXXXXX")
	chmod 0755 "$LAB_TMP"
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Remember PID $1 so that lab_cleanup stops it.
lab_track() {
	LAB_PIDS+=("$1")
}

# Forget PID $1 once it has been reaped, so that its number is never signalled again.
lab_untrack() {
	local pid keep=()
	for pid in "${LAB_PIDS[@]}"; do
		[[ "$pid" == "$1" ]] || keep+=("$pid")
	done
	LAB_PIDS=("${keep[@]}")
}

# Fail unless the commands given as arguments exist.
lab_need() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null ||
			lab_die "$cmd not found (run tools/deps.sh lab)"
	done
}

# Succeed when something accepts TCP connections on 127.0.0.1:$1.
port_answers() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Print a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local port i
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_answers "$port" && continue
		if command -v ss >/dev/null && [[ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]]; then
			continue
		fi
		echo "$port"
		return 0
	done
	echo "free_port: no free TCP port found" >&2
	return 1
}

# Write an nginx config serving $1 on 127.0.0.1:$2 with all state in $3.
nginx_config() {
	local root=$1 port=$2 dir=$3
	[[ $EUID -eq 0 ]] && echo "user root;"
	cat <<-EOF
		daemon off;
		master_process off;
		worker_processes 1;
		pid $dir/nginx.pid;
		error_log $dir/error.log info;
		events { worker_connections 64; }
		http {
		    access_log $dir/access.log;
		    client_body_temp_path $dir/body;
		    proxy_temp_path $dir/proxy;
		    fastcgi_temp_path $dir/fastcgi;
		    uwsgi_temp_path $dir/uwsgi;
		    scgi_temp_path $dir/scgi;
		    default_type application/octet-stream;
		    types { text/plain sha512 txt; }
		    sendfile on;
		    server {
		        listen 127.0.0.1:$port;
		        root $root;
		        autoindex off;
		    }
		}
	EOF
}

# Start nginx serving directory $1 on a free port; export HTTP_PORT.
nginx_start() {
	local root dir port pid try i
	root=$(cd "${1:?nginx_start ROOTDIR}" && pwd)
	lab_tmpdir
	lab_need /usr/sbin/nginx
	for ((try = 0; try < 5; try++)); do
		port=$(free_port)
		dir="$LAB_TMP/nginx-$port"
		mkdir -p "$dir"
		nginx_config "$root" "$port" "$dir" >"$dir/nginx.conf"
		/usr/sbin/nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		lab_track "$pid"
		for ((i = 0; i < 100; i++)); do
			if port_answers "$port"; then
				export HTTP_PORT=$port NGINX_PID=$pid
				lab_note "nginx: pid $pid, http://127.0.0.1:$port/ serving $root"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		lab_note "nginx on port $port did not come up:"
		sed 's/^/#   /' "$dir/error.log" "$dir/stdout.log" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		lab_untrack "$pid"
	done
	lab_die "nginx did not start"
}

# Write the live root's /sbin/init: print PXEROOT-E2E: lines, then power off.
write_root_init() {
	cat >"$1" <<-'EOF'
		#!/bin/sh
		# Test init of the e2e live root: report what pxeroot left, then power off.
		[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
		[ -r /proc/mounts ] || mount -t proc proc /proc
		read -r up _ </proc/uptime
		echo "PXEROOT-E2E: init started uptime=$up"
		while IFS= read -r line; do
		    echo "PXEROOT-E2E: mount: $line"
		done </proc/mounts
		echo "PXEROOT-E2E: args: $*"
		if [ -r /etc/resolv.conf ]; then
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: resolv: $line"
		    done </etc/resolv.conf
		fi
		echo "PXEROOT-E2E: done"
		sync
		poweroff -f
	EOF
	chmod 0755 "$1"
}

# Build a tiny busybox root filesystem as squashfs image $1.
make_root_sfs() {
	local out=${1:?make_root_sfs OUT.sfs} dir applet
	lab_tmpdir
	lab_need busybox mksquashfs
	dir=$(mktemp -d "$LAB_TMP/rootfs.XXXXXX")
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,root}
	chmod 1777 "$dir/tmp"
	cp "$(command -v busybox)" "$dir/bin/busybox"
	for applet in $(busybox --list-full); do
		case "$applet" in
		sbin/init | linuxrc | bin/busybox) continue ;;
		esac
		mkdir -p "$dir/$(dirname "$applet")"
		ln -sf /bin/busybox "$dir/$applet"
	done
	write_root_init "$dir/sbin/init"
	echo "pxeroot-e2e" >"$dir/etc/hostname"
	mksquashfs "$dir" "$out" -noappend -comp xz -all-root -quiet >/dev/null
	rm -rf "$dir"
	lab_note "root image: $out ($(stat -c %s "$out") bytes)"
}

# Lay out WEBROOT/BASEDIR/ARCH/airootfs.sfs and airootfs.sha512 as archiso does.
make_archiso_tree() {
	local webroot=${1:?make_archiso_tree WEBROOT SFS [BASEDIR] [ARCH]}
	local sfs=${2:?make_archiso_tree WEBROOT SFS [BASEDIR] [ARCH]}
	local dir="$webroot/${3:-arch}/${4:-x86_64}"
	mkdir -p "$dir"
	cp "$sfs" "$dir/airootfs.sfs"
	(cd "$dir" && sha512sum airootfs.sfs >airootfs.sha512)
}

# Build the root image and the archiso tree in $LAB_TMP/www (BASEDIR $1, default
# arch) and serve it with nginx; set WEBROOT and HTTP_PORT.
serve_archiso() {
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	make_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_tree "$WEBROOT" "$LAB_TMP/root.sfs" "${1:-arch}"
	nginx_start "$WEBROOT"
}

# Print the kernel command line that boots the tree of serve_archiso, plus $@.
archiso_http_append() {
	local extra=""
	[[ -n "$*" ]] && extra=" $*"
	echo "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ archisobasedir=arch checksum=y pxeroot.onerror=poweroff$extra"
}

# Print seconds elapsed since the EPOCHREALTIME value $1, one decimal.
lab_elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# Print QEMU's serial options for log file $1 (file only, or terminal + file).
qemu_serial_args() {
	if [[ "${QEMU_CONSOLE:-file}" == tty ]]; then
		printf '%s\n' -chardev "stdio,id=s0,mux=on,signal=on,logfile=$1" \
			-serial chardev:s0 -mon chardev=s0,mode=readline
	else
		printf '%s\n' -serial "file:$1"
	fi
}

# Stop QEMU (PID $1) gracefully, then for good; return its exit status.
qemu_stop() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# Poll LOG ($2) for QEMU ($1) until it exits, panics, matches QEMU_STOP_RE or
# times out; set QEMU_RESULT (exited|panic|stop|timeout) and return QEMU's
# exit status when it exited by itself, else 0.
qemu_watch() {
	local pid=$1 log=$2 start=$EPOCHREALTIME limit=${QEMU_TIMEOUT:-120} i rc
	local stop_re=${QEMU_STOP_RE:-pxeroot: halted}
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rc=0
			wait "$pid" || rc=$?
			QEMU_RESULT=exited
			return "$rc"
		fi
		if grep -qs 'Kernel panic' "$log"; then
			QEMU_RESULT=panic
			break
		fi
		if grep -qsE -- "$stop_re" "$log"; then
			QEMU_RESULT=stop
			break
		fi
		if awk -v a="$start" -v b="$EPOCHREALTIME" -v l="$limit" 'BEGIN { exit !(b - a >= l) }'; then
			QEMU_RESULT=timeout
			break
		fi
		sleep 0.2
	done
	# Give the guest a moment to finish its last lines or power off by itself.
	for ((i = 0; i < 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	qemu_stop "$pid"
	return 0
}

# Boot KERNEL + INITRD in QEMU (TCG) with "console=ttyS0 APPEND", serial to LOG,
# extra QEMU arguments after APPEND; wait as qemu_watch does. Returns 0 unless
# QEMU failed to start (exited by itself with an error).
qemu_boot() {
	local log=${1:?qemu_boot LOG APPEND [QEMU ARGS]} append=${2?qemu_boot LOG APPEND} pid rc=0 start
	shift 2
	local kernel=${KERNEL:-$LAB_ROOT/build/kernel/vmlinuz}
	local initrd=${INITRD:-$LAB_ROOT/build/initramfs.img}
	local serial=()
	lab_tmpdir
	lab_need qemu-system-x86_64
	[[ -f "$kernel" ]] || lab_die "$kernel missing (make kernel)"
	[[ -f "$initrd" ]] || lab_die "$initrd missing (make initramfs)"
	mapfile -t serial < <(qemu_serial_args "$log")
	: >"$log"
	LAB_LAST_LOG=$log
	lab_note "qemu: append: console=ttyS0 $append"
	start=$EPOCHREALTIME
	local stdin=/dev/null
	[[ "${QEMU_CONSOLE:-file}" == tty ]] && stdin=/dev/stdin
	qemu-system-x86_64 -accel tcg -cpu max -m "${QEMU_MEM:-512}" -smp 1 \
		-nodefaults -no-user-config -display none -no-reboot "${serial[@]}" \
		-kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 $append" \
		-netdev "user,id=n0${QEMU_NETDEV_OPTS:+,$QEMU_NETDEV_OPTS}" \
		-device "${QEMU_NIC:-virtio-net-pci},netdev=n0" \
		"$@" <"$stdin" 2>"$log.qemu-stderr" &
	pid=$!
	lab_track "$pid"
	qemu_watch "$pid" "$log" || rc=$?
	lab_untrack "$pid"
	QEMU_SECONDS=$(lab_elapsed "$start")
	case "$QEMU_RESULT" in
	exited) lab_note "qemu: exited by itself (status $rc) after $QEMU_SECONDS s" ;;
	panic) lab_note "qemu: stopped on Kernel panic after $QEMU_SECONDS s" ;;
	stop) lab_note "qemu: stopped on /${QEMU_STOP_RE:-pxeroot: halted}/ after $QEMU_SECONDS s" ;;
	timeout) lab_note "qemu: timeout after $QEMU_SECONDS s" ;;
	esac
	if [[ $rc -ne 0 ]]; then
		sed 's/^/#   /' "$log.qemu-stderr"
		echo "not ok - qemu failed to start (status $rc)"
		LAB_FAILED=1
		return 1
	fi
	return 0
}

# Print LOG ($1) without carriage returns (the serial console writes CRLF).
lab_log_text() {
	[[ -f "$1" ]] || return 0
	tr -d '\r' <"$1"
}

# Record one assertion result: $1 = 0 (pass) or not, $2 = description.
lab_assert() {
	LAB_ASSERTS=$((LAB_ASSERTS + 1))
	if [[ "$1" -eq 0 ]]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		LAB_FAILED=1
	fi
}

# Assert that some line of LOG ($1) matches the extended regex $2.
expect_line() {
	local log=$1 re=$2 desc=${3:-line /$2/}
	LAB_LAST_LOG=$log
	if grep -qE -- "$re" <<<"$(lab_log_text "$log")"; then
		lab_assert 0 "$desc"
	else
		lab_assert 1 "$desc"
	fi
}

# Assert that no line of LOG ($1) matches the extended regex $2.
expect_no_line() {
	local log=$1 re=$2 desc=${3:-no line /$2/}
	LAB_LAST_LOG=$log
	if grep -qE -- "$re" <<<"$(lab_log_text "$log")"; then
		lab_assert 1 "$desc"
	else
		lab_assert 0 "$desc"
	fi
}

# Finish the scenario: on failure print the last 40 log lines; exit 0 or 1.
scenario_end() {
	local log=${1:-$LAB_LAST_LOG}
	if [[ $LAB_ASSERTS -eq 0 ]]; then
		echo "not ok - scenario made no assertions"
		LAB_FAILED=1
	fi
	if [[ $LAB_FAILED -ne 0 ]]; then
		if [[ -n "$log" && -f "$log" ]]; then
			echo "# last 40 lines of $log:"
			lab_log_text "$log" | tail -n 40 | sed 's/^/#   /'
		fi
		exit 1
	fi
	exit 0
}
