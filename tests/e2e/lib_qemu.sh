# shellcheck shell=bash disable=SC2034
# QEMU and its serial console, sourced by lib.sh: boot the lab kernel and
# initramfs (TCG) with the first serial port in a log file, watch the log until
# the guest exits, panics, prints QEMU_STOP_RE or runs out of time, and read the
# log back as whole lines.
#
# Environment: KERNEL, INITRD (default build/kernel/vmlinuz, build/initramfs.img),
# QEMU_MEM (512), QEMU_TIMEOUT (120 s), QEMU_STOP_RE ("pxeroot: halted"),
# QEMU_KCONSOLE (replaces console=ttyS0), QEMU_NIC and QEMU_NETDEV_OPTS (as in
# lib_net.sh, for the default NIC), QEMU_NETNS (run QEMU inside that network
# namespace), QEMU_CONSOLE=tty (serial on the terminal too), QEMU_MARK_RE (QEMU_MARK_SECONDS:
# the time from QEMU's start until the log first matched it).

QEMU_RESULT=""
QEMU_SECONDS=""
QEMU_MARK_SECONDS=""

# Print QEMU's serial options for log file $1 (file only, or terminal + file).
qemu_serial_args() {
	if [[ "${QEMU_CONSOLE:-file}" == tty ]]; then
		printf '%s\n' -chardev "stdio,id=s0,mux=on,signal=on,logfile=$1" \
			-serial chardev:s0 -mon chardev=s0,mode=readline
	else
		printf '%s\n' -serial "file:$1"
	fi
}

# Poll LOG ($2) for QEMU ($1) until it exits, panics, matches QEMU_STOP_RE or
# times out; set QEMU_RESULT (exited|panic|stop|timeout) and return QEMU's
# exit status when it exited by itself, else 0.
qemu_watch() {
	local pid=$1 log=$2 start=$EPOCHREALTIME limit=${QEMU_TIMEOUT:-120} i rc
	local stop_re=${QEMU_STOP_RE:-pxeroot: halted} text alive
	QEMU_MARK_SECONDS=""
	while :; do
		alive=1
		kill -0 "$pid" 2>/dev/null || alive=0
		text=$(lab_log_text "$log") # after the check: an exited guest's log is whole
		if [[ -n "${QEMU_MARK_RE:-}" && -z "$QEMU_MARK_SECONDS" ]] && grep -qE -- "$QEMU_MARK_RE" <<<"$text"; then
			QEMU_MARK_SECONDS=$(lab_elapsed "$start")
		fi
		if [[ $alive -eq 0 ]]; then
			rc=0
			wait "$pid" || rc=$?
			QEMU_RESULT=exited
			return "$rc"
		fi
		if grep -qs 'Kernel panic' "$log"; then
			QEMU_RESULT=panic
			break
		fi
		if grep -qE -- "$stop_re" <<<"$text"; then
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
	lab_stop_pid "$pid"
	return 0
}

# Boot KERNEL + INITRD in QEMU (TCG) with "console=ttyS0 APPEND" (QEMU_KCONSOLE
# replaces console=ttyS0), the first serial port to LOG (KERNEL=none: no kernel,
# the firmware boots from the network: -boot n), extra QEMU arguments after APPEND; the NICs are QEMU_NET_ARGS when set, else
# one user-networking NIC; QEMU runs inside network namespace QEMU_NETNS when
# set. Wait as qemu_watch does. Returns 0 unless QEMU failed to start (exited
# by itself with an error).
qemu_boot() {
	local log=${1:?qemu_boot LOG APPEND [QEMU ARGS]} append=${2?qemu_boot LOG APPEND} pid rc=0 start
	shift 2
	local kernel=${KERNEL:-$LAB_ROOT/build/kernel/vmlinuz}
	local initrd=${INITRD:-$LAB_ROOT/build/initramfs.img}
	local serial=() net=() prefix=()
	lab_tmpdir
	lab_need qemu-system-x86_64
	local kconsole=${QEMU_KCONSOLE-console=ttyS0}
	local boot=(-kernel "$kernel" -initrd "$initrd" -append "$kconsole $append")
	if [[ "$kernel" == none ]]; then
		boot=(-boot n) # the NIC's iPXE ROM boots what DHCP names
	else
		[[ -f "$kernel" ]] || lab_die "$kernel missing (make kernel)"
		[[ -f "$initrd" ]] || lab_die "$initrd missing (make initramfs)"
	fi
	mapfile -t serial < <(qemu_serial_args "$log")
	if [[ ${#QEMU_NET_ARGS[@]} -gt 0 ]]; then
		net=("${QEMU_NET_ARGS[@]}")
	else
		net=(-netdev "user,id=n0${QEMU_NETDEV_OPTS:+,$QEMU_NETDEV_OPTS}"
			-device "${QEMU_NIC:-virtio-net-pci},netdev=n0")
	fi
	mapfile -t prefix < <(lab_netns_prefix "${QEMU_NETNS:-}")
	: >"$log"
	LAB_LAST_LOG=$log
	lab_note "qemu: append: $kconsole $append"
	lab_note "qemu: net:${QEMU_NETNS:+ (in netns $QEMU_NETNS)} ${net[*]}"
	start=$EPOCHREALTIME
	local stdin=/dev/null
	[[ "${QEMU_CONSOLE:-file}" == tty ]] && stdin=/dev/stdin
	"${prefix[@]}" qemu-system-x86_64 -accel tcg -cpu max -m "${QEMU_MEM:-512}" -smp 1 \
		-nodefaults -no-user-config -display none -no-reboot "${serial[@]}" \
		"${boot[@]}" \
		"${net[@]}" "$@" <"$stdin" 2>"$log.qemu-stderr" &
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

# Print LOG ($1) without carriage returns (the serial console writes CRLF) and
# with every kernel message that broke into a line of the agent's moved after
# that line: the kernel writes its messages to the serial port at once, while
# the agent's lines go through the tty, so "pxeroot: fet[  3.88] IPv6: ...\n
# ch ..." becomes "pxeroot: fetch ...\n[  3.88] IPv6: ...". A kernel message
# starts with its "[seconds.micros] " stamp and is never split itself.
lab_log_text() {
	[[ -f "$1" ]] || return 0
	perl -0777 -pe '
		s/\r//g;
		my $k = qr/\[ *\d+\.\d{6}\] [^\n]*\n/;
		1 while s/^([^\n]+?)((?:$k)+)(?!\[ *\d+\.\d{6}\] )([^\n]*)\n?/$1$3\n$2/m;
	' <"$1"
}
