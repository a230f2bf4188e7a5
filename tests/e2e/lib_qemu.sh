# shellcheck shell=bash disable=SC2034
# QEMU and its serial console, sourced by lib.sh: boot the lab kernel and
# initramfs (TCG) with the first serial port in a log file, watch the log until
# the guest exits, panics, prints QEMU_STOP_RE or runs out of time, and read the
# log back as whole lines.
#
# The lab kernel boots through its PVH entry point: lab_kernel_elf unpacks the
# ELF inside build/kernel/vmlinuz once into build/e2e/vmlinux, and QEMU loads
# it as it is. A bzImage would have the guest unpack 60 MiB of xz under TCG
# before the kernel starts, 5 s or more of every boot; the kernel, its command
# line, the firmware (SeaBIOS, its ACPI tables) and the initramfs are the same.
#
# Environment: KERNEL, INITRD (default the lab kernel, build/initramfs.img),
# QEMU_MEM (512), QEMU_SMP (1: CPUs), QEMU_TIMEOUT (120 s), QEMU_STOP_RE ("pxeroot: halted"),
# QEMU_KCONSOLE (replaces console=ttyS0), QEMU_NIC and QEMU_NETDEV_OPTS (as in
# lib_net.sh, for the default NIC), QEMU_NETNS (run QEMU inside that network
# namespace), QEMU_CONSOLE=tty (serial on the terminal too), QEMU_MARK_RE (QEMU_MARK_SECONDS:
# the time from QEMU's start until the log first matched it).

QEMU_RESULT=""
QEMU_RETRY_PID=""
QEMU_SECONDS=""
QEMU_MARK_SECONDS=""
LAB_KERNEL_ELF_DIR="$LAB_ROOT/build/e2e"
LAB_KERNEL=""

# Succeed when file $1 is an ELF kernel with the PVH entry note (Xen's note 18,
# PHYS32_ENTRY), which QEMU's -kernel boots directly.
lab_is_pvh_elf() {
	[[ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" == '177ELF' ]] &&
		readelf -nW "$1" 2>/dev/null | grep -qE '^[[:space:]]+Xen[[:space:]]+0x[0-9a-f]+[[:space:]]+(Unknown note type: \(0x00000012\)|.*PHYS32)'
}

# Unpack the kernel ELF inside bzImage $1 into file $2: the payload at each offset where an
# xz, zstd or gzip stream starts is tried until one is a PVH kernel (as the kernel's
# scripts/extract-vmlinux does); fail when none is.
lab_kernel_unpack() {
	local img=$1 out=$2 magic tool off offs=()
	for magic in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd' '\x1f\x8b\x08:gzip'; do
		tool=${magic##*:}
		command -v "$tool" >/dev/null || continue
		mapfile -t offs < <(LC_ALL=C grep -obUaP "${magic%:*}" "$img" | cut -d: -f1)
		for off in "${offs[@]}"; do
			tail -c "+$((off + 1))" "$img" | "$tool" -dcq >"$out" 2>/dev/null
			lab_is_pvh_elf "$out" && return 0
		done
	done
	rm -f "$out"
	return 1
}

# Set LAB_KERNEL to the kernel QEMU boots for the lab kernel: build/e2e/vmlinux, the
# ELF of build/kernel/vmlinuz, unpacked when missing or older than it (under a lock,
# renamed into place whole); the bzImage itself when it holds no PVH kernel.
lab_kernel_elf() {
	local bz="$LAB_ROOT/build/kernel/vmlinuz" elf="$LAB_KERNEL_ELF_DIR/vmlinux" fd
	[[ -f "$bz" ]] || lab_die "$bz missing (make kernel)"
	lab_need flock readelf
	mkdir -p "$LAB_KERNEL_ELF_DIR"
	exec {fd}>"$LAB_KERNEL_ELF_DIR/.lock"
	flock "$fd"
	if [[ ! -f "$elf" || "$bz" -nt "$elf" ]]; then
		if lab_kernel_unpack "$bz" "$elf.new"; then
			mv "$elf.new" "$elf"
		else
			lab_note "qemu: no PVH kernel in $bz: booting the bzImage"
			elf=$bz
		fi
	fi
	exec {fd}>&-
	LAB_KERNEL=$elf
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
# replaces console=ttyS0; the lab kernel also gets no_timer_check), the first serial port to LOG (KERNEL=none: no kernel,
# the firmware boots from the network: -boot n), extra QEMU arguments after APPEND; the NICs are QEMU_NET_ARGS when set, else
# one user-networking NIC; QEMU runs inside network namespace QEMU_NETNS when
# set. Wait as qemu_watch does. Returns 0 unless QEMU failed to start (exited
# by itself with an error).
qemu_boot() {
	local log=${1:?qemu_boot LOG APPEND [QEMU ARGS]} append=${2?qemu_boot LOG APPEND} pid rc=0 start
	shift 2
	local kernel=${KERNEL:-}
	local initrd=${INITRD:-$LAB_ROOT/build/initramfs.img}
	local serial=() net=() prefix=() ktimer=""
	lab_tmpdir
	lab_need qemu-system-x86_64
	if [[ -z "$kernel" ]]; then
		lab_kernel_elf
		kernel=$LAB_KERNEL
		# the lab kernel skips its IO-APIC timer test, which a TCG guest on a busy host can
		# fail ("IO-APIC + timer doesn't work", a panic before any of pxeroot runs)
		ktimer=" no_timer_check"
	fi
	local kconsole=${QEMU_KCONSOLE-console=ttyS0}$ktimer
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
	"${prefix[@]}" qemu-system-x86_64 -accel tcg -cpu max -m "${QEMU_MEM:-512}" -smp "${QEMU_SMP:-1}" \
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

# The agent's line when a stage failed and is tried again (pxeroot.onerror=retry).
QEMU_RETRY_RE='pxeroot: retry: stage [a-z_]+ failed .*; attempt [0-9]+ of [0-9]+ in [0-9]+ s'

# Watch LOG ($1) in the background during the boot that follows: each time the agent
# logs that it will try a stage again (attempt K of N in D s), run "$2... K" once, while
# the agent waits (1 s before the first retry, 2 s, 4 s ...): a scenario changes there
# what its servers serve, so that one boot shows several cases in a row. Stop it with
# qemu_on_retry_stop once the boot is over.
qemu_on_retry() {
	qemu_on_line "${1:?qemu_on_retry LOG CMD...}" "$QEMU_RETRY_RE" "${@:2}"
}

# Watch LOG ($1) in the background during the boot that follows: each time a line matching
# the extended regex $2 appears, run "$3... K" once (K counts them from 1). Stop it with
# qemu_on_retry_stop.
qemu_on_line() {
	local log=${1:?qemu_on_line LOG RE CMD...} re=${2:?qemu_on_line LOG RE CMD...}
	shift 2
	(
		k=0
		while :; do
			n=$(lab_log_text "$log" | grep -cE -- "$re" || true)
			while ((k < n)); do
				k=$((k + 1))
				"$@" "$k"
			done
			sleep 0.1
		done
	) </dev/null &
	QEMU_RETRY_PID=$!
	lab_track "$QEMU_RETRY_PID"
}

# Stop the watcher of qemu_on_retry by PID.
qemu_on_retry_stop() {
	[[ -n "$QEMU_RETRY_PID" ]] || return 0
	lab_stop_pid "$QEMU_RETRY_PID"
	lab_untrack "$QEMU_RETRY_PID"
	QEMU_RETRY_PID=""
}

# Write attempt K ($2, from 1) of LOG ($1) into file $3, as lab_log_text prints it: the
# lines after the (K-1)th retry line, up to and with the Kth (the last attempt: to the end).
qemu_attempt_log() {
	lab_log_text "${1:?qemu_attempt_log LOG K OUT}" |
		awk -v k="${2:?qemu_attempt_log LOG K OUT}" -v re="$QEMU_RETRY_RE" 'BEGIN { a = 1 } a == k { print } $0 ~ re { a++ }' \
			>"${3:?qemu_attempt_log LOG K OUT}"
}
