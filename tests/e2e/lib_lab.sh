# shellcheck shell=bash disable=SC2034
# The ground of the QEMU lab, sourced by lib.sh: the scenario's temp dir
# ($LAB_TMP), the processes it started and the network namespaces it made
# (stopped by PID and deleted by name on exit), diagnostic and setup-failure
# lines, the check for the commands a step needs, and free TCP and UDP ports.
#
# Environment: LAB_KEEP=1 keeps $LAB_TMP after the scenario.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_TMP=""
# Stopped and deleted by lab_cleanup: the tracked PIDs, the network namespaces
# of netns_create.
LAB_PIDS=()
LAB_NETNS=()
# The UDP ports free_udp_port handed out (their callers record them).
LAB_UDP_PORTS=()
# The fixed TCP ports of the NFS lab (lib_nfs.sh: NFS, mountd) on 127.0.0.1:
# free_port never hands them out, so that no server of a scenario running
# beside an NFS one takes them.
LAB_NFS_PORT=2049
LAB_NFS_MOUNT_PORT=20048

# Print a diagnostic line (TAP comment style) on stdout.
lab_note() {
	echo "# $*"
}

# Print an error and exit 1 (a setup failure fails the scenario).
lab_die() {
	echo "not ok - setup: $*"
	exit 1
}

# Stop process $1 (one this scenario started): TERM, up to 2 s, then KILL.
lab_stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# Wait until the command "$2..." succeeds, checking every 0.1 s for up to 10 s,
# while process $1 (the server being started) runs; 1 when it ended first or
# the time ran out.
lab_wait_ready() {
	local pid=$1 i
	shift
	for ((i = 0; i < 100; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Stop every tracked process by PID, delete the network namespaces made here,
# then remove $LAB_TMP unless LAB_KEEP=1.
lab_cleanup() {
	local rc=$? pid ns
	for pid in "${LAB_PIDS[@]}"; do
		lab_stop_pid "$pid"
	done
	for ns in "${LAB_NETNS[@]}"; do
		ip netns delete "$ns" 2>/dev/null || echo "# cleanup: could not delete netns $ns" >&2
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

# Unpack initramfs image $1 (a newc cpio, gzip'd, xz'd or zstd'd: Debian's zstd
# reads all three) into directory $2, which must exist.
lab_unpack_initrd() {
	lab_need zstd cpio
	(cd "$2" && zstd -dcq | cpio -idm --quiet --no-absolute-filenames) <"$1" ||
		lab_die "cannot unpack $1"
}

# Write directory $1 as initramfs image $2: a newc cpio of its entries in sorted
# order, owned by root, zstd-compressed (the lab kernel reads zstd).
lab_pack_initrd() {
	lab_need zstd cpio
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | zstd -q -3) >"$2" ||
		lab_die "cannot write $2"
}

# Print a command prefix, one word a line, that runs a command inside network
# namespace $1 (nothing when $1 is empty: the host's own namespace).
lab_netns_prefix() {
	[[ -n "${1:-}" ]] && printf '%s\n' ip netns exec "$1"
	return 0
}

# Print seconds elapsed since the EPOCHREALTIME value $1, one decimal.
lab_elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# Succeed when something accepts TCP connections on ADDR ($2, default
# 127.0.0.1) port $1, probed from inside network namespace $3 when given.
port_answers() {
	local port=$1 addr=${2:-127.0.0.1} ns=${3:-}
	if [[ -n "$ns" ]]; then
		# shellcheck disable=SC2016  # expanded by the inner bash
		ip netns exec "$ns" bash -c '(exec 3<>"/dev/tcp/$0/$1") 2>/dev/null' "$addr" "$port"
	else
		(exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null
	fi
}

# Succeed when process $1 listens on TCP port $2 and ADDR:PORT ($3, default
# 127.0.0.1) accepts connections, probed inside network namespace $4 when
# given: the server started is the one that answers (not one of another
# scenario that took the port first).
lab_listens() {
	local pid=$1 port=$2 addr=${3:-127.0.0.1} ns=${4:-} prefix=()
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	port_answers "$port" "$addr" "$ns" &&
		"${prefix[@]}" ss -Htlnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"
}

# Print a TCP port that nothing listens on, in the host's network namespace
# or inside namespace $1 when given (never one of the NFS lab's).
free_port() {
	local ns=${1:-} port i prefix=()
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		[[ $port -ne $LAB_NFS_PORT && $port -ne $LAB_NFS_MOUNT_PORT ]] || continue
		port_answers "$port" 127.0.0.1 "$ns" && continue
		if command -v ss >/dev/null && [[ -n "$("${prefix[@]}" ss -Htln "sport = :$port" 2>/dev/null)" ]]; then
			continue
		fi
		echo "$port"
		return 0
	done
	echo "free_port: no free TCP port found" >&2
	return 1
}

# Print a UDP port on 127.0.0.1 that nothing uses and that this scenario has not
# handed out before (the caller must record it in LAB_UDP_PORTS).
free_udp_port() {
	local port i used
	lab_need ss
	for ((i = 0; i < 200; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		for used in "${LAB_UDP_PORTS[@]}"; do
			[[ "$used" == "$port" ]] && continue 2
		done
		[[ -n "$(ss -Hualn "sport = :$port" 2>/dev/null)" ]] && continue
		echo "$port"
		return 0
	done
	echo "free_udp_port: no free UDP port found" >&2
	return 1
}
