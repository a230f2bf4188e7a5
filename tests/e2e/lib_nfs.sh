# shellcheck shell=bash disable=SC2034
# NFS for the guests, on the host or in a network namespace; `source` it after
# lib.sh (or lib_trust.sh).
# Userspace nfs-ganesha (FSAL VFS) exports one directory, with its own rpcbind;
# both run as root, ganesha bound to 127.0.0.1 (or NFS_ADDR), TCP only, on the
# host or inside network namespace NFS_NETNS, and are stopped by PID.
#
# Environment, read by nfs_start: NFS_ADDR (ganesha's Bind_Addr and the address
# probed, default 127.0.0.1), NFS_NETNS (run rpcbind and ganesha, and probe
# them, inside that network namespace, e.g. $NETNS of netns_create: guests on
# its tap NIC reach NFS_ADDR directly).
#
#   nfs_config DIR PROTOS ACCESS STATEDIR — print ganesha's config (PROTOS "3, 4", ACCESS RW|RO)
#   nfs_port_owner PORT [NETNS] — print who listens on TCP PORT of the host or NETNS (ss users:(...))
#   nfs_rpcbind_start — start rpcbind (-f -w) unless this scenario runs one; refuse a foreign one
#   nfs_log_tail STATEDIR — print ganesha's errors and log tail as "#   " lines
#   nfs_ready PROTOS — succeed once NFS (and for v3 mountd) answers on NFS_ADDR (in NFS_NETNS)
#   nfs_start DIR [v3|v4] [ro] — export DIR (default v3 and v4, read-write): sets NFS_*
#   nfs_stop — stop ganesha, then rpcbind, by PID (the NFS lock is kept until the scenario exits)
#   make_nfs_root DIR — the live root tree in DIR; its init first tries to write /written-by-guest
#   nfs_serve_root [v3|v4] [ro] — make_nfs_root in $LAB_TMP/nfsroot (TREE), exported by nfs_start
#   nfs_boot NAME APPEND — boot with pxeroot.onerror=poweroff pxeroot.retries=0 pxeroot.debug,
#                           then APPEND (its own policy wins); sets LOG to its serial log
#   nfs_expect_kept LOG NAME — the NIC kept for the root on the network: net conf, networkd file, address
#   nfs_expect_refused LOG WHY_RE — the failure twin: the nfs line matching WHY_RE, no init,
#                           power off, nothing mounted, no panic
#
# The guest (QEMU user networking) reaches the server at 10.0.2.2 (the host's
# 127.0.0.1): v4 mounts 10.0.2.2:/export ($NFS_PSEUDO), v3 mounts
# 10.0.2.2:DIR, the real path ($NFS_EXPORT_DIR), with
# nolock,proto=tcp,mountproto=tcp,mountport=$NFS_MOUNT_PORT (no NLM, no UDP).
# With NFS_NETNS, a guest on that namespace's tap NIC mounts NFS_ADDR instead.
#
# Ports are fixed (rpcbind 111, NFS 2049, mountd 20048), and rpcbind's unix
# socket /run/rpcbind.sock is one file for every network namespace, so one NFS
# scenario runs on a host at a time, with or without NFS_NETNS: nfs_start takes
# the host-wide lock $NFS_LOCK (default /tmp/pxeroot-e2e-nfs.lock) and waits for
# it up to NFS_LOCK_WAIT seconds (default 600); the scenario's exit releases it
# (not nfs_stop: a scenario that stopped its servers, as nfs_fail does to boot
# against none, meets no other's). A scenario that sources this file says
# "# e2e: lock nfs" in its header, so that tests/run.sh never runs two of them
# at once (one would wait for the other's lock). An rpcbind (on the host's
# 127.0.0.1:111, or in NFS_NETNS) or NFS server (where ganesha is to run) this
# scenario did not start fails the setup (it is never stopped). DIR must be on a
# filesystem with file handles (ext4, not overlayfs): ganesha's FSAL VFS serves
# files by handle.
#
# Sets: NFS_EXPORT_DIR (DIR, physical path), NFS_PSEUDO (/export),
# NFS_PORT (2049), NFS_MOUNT_PORT (20048), NFS_GANESHA_PID, NFS_RPCBIND_PID,
# NFS_LOG (ganesha's log), NFS_CONF (its config).

NFS_PORT=$LAB_NFS_PORT
NFS_MOUNT_PORT=$LAB_NFS_MOUNT_PORT
NFS_PSEUDO=/export
NFS_EXPORT_DIR=""
NFS_GANESHA_PID=""
NFS_RPCBIND_PID=""
NFS_LOG=""
NFS_CONF=""
NFS_LOCK_FD=""

# Print ganesha's config exporting directory $1 over the protocols $2 ("3, 4",
# "3" or "4") with Access_Type $3 (RW or RO), its state under directory $4:
# NFS_ADDR (127.0.0.1) only, TCP only, no NLM, no rquota, no Kerberos, no grace period.
nfs_config() {
	local dir=$1 protos=$2 access=$3 state=$4
	cat <<-EOF
		NFS_CORE_PARAM {
		    Bind_Addr = ${NFS_ADDR:-127.0.0.1};
		    NFS_Port = $NFS_PORT;
		    MNT_Port = $NFS_MOUNT_PORT;
		    Enable_UDP = false;
		    Enable_NLM = false;
		    Enable_RQUOTA = false;
		    Protocols = $protos;
		}
		NFS_KRB5 {
		    Active_krb5 = false;
		}
		NFSv4 {
		    Graceless = true;
		    Only_Numeric_Owners = true;
		    RecoveryBackend = fs;
		    RecoveryRoot = $state/recovery;
		}
		LOG {
		    Default_Log_Level = EVENT;
		}
		EXPORT {
		    Export_Id = 1;
		    Path = $dir;
		    Pseudo = $NFS_PSEUDO;
		    Protocols = $protos;
		    Transports = TCP;
		    Access_Type = $access;
		    Squash = No_Root_Squash;
		    SecType = sys;
		    FSAL {
		        Name = VFS;
		    }
		}
	EOF
}

# Print who listens on TCP port $1 of the host, or of network namespace $2 when
# given ("users:((...))" of ss), or "something".
nfs_port_owner() {
	local who prefix=()
	mapfile -t prefix < <(lab_netns_prefix "${2:-}")
	who=$("${prefix[@]}" ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1) || true
	echo "${who:-something}"
}

# Start rpcbind in the foreground (-f, warm start -w), tracked, unless the one
# this scenario started still runs; fail the setup when an rpcbind this scenario
# did not start listens on the host's 127.0.0.1:111 (it owns /run/rpcbind.sock,
# which every namespace shares) or on NFS_ADDR:111 in NFS_NETNS. Runs it in
# NFS_NETNS when set. Sets NFS_RPCBIND_PID. Called by nfs_start, which holds
# the NFS lock (NFS_LOCK_FD, closed in the child).
nfs_rpcbind_start() {
	local dir="$LAB_TMP/rpcbind" pid addr=${NFS_ADDR:-127.0.0.1} ns=${NFS_NETNS:-} prefix=()
	if [[ -n "$NFS_RPCBIND_PID" ]] && kill -0 "$NFS_RPCBIND_PID" 2>/dev/null; then
		return 0
	fi
	port_answers 111 &&
		lab_die "an rpcbind this lab did not start listens on 127.0.0.1:111 ($(nfs_port_owner 111)); stop it first"
	[[ -n "$ns" ]] && port_answers 111 "$addr" "$ns" &&
		lab_die "an rpcbind this lab did not start listens on $addr:111 in netns $ns ($(nfs_port_owner 111 "$ns"))"
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	mkdir -p "$dir"
	"${prefix[@]}" rpcbind -f -w {NFS_LOCK_FD}>&- </dev/null >"$dir/rpcbind.log" 2>&1 &
	pid=$!
	lab_track "$pid"
	if ! lab_wait_ready "$pid" "${prefix[@]}" rpcinfo -p "$addr" >/dev/null 2>&1; then
		lab_die "rpcbind did not start: $(tail -n 5 "$dir/rpcbind.log" 2>/dev/null | tr '\n' ' ')"
	fi
	NFS_RPCBIND_PID=$pid
}

# Print, as "#   " lines, the errors of the ganesha whose state is in directory
# $1 (its known harmless DBus and Kerberos complaints left out), then its log
# tail and stdout, each line without the date, host and PID.
nfs_log_tail() {
	{
		grep -E ':(FATAL|CRIT|MAJ) :' "$1/ganesha.log" | grep -vE ':(DBUS|NFS CB) :' | tail -n 10
		echo "(last lines:)"
		tail -n 8 "$1/ganesha.log" "$1/stdout.log"
	} 2>/dev/null | sed -E 's/^.* : nfs-ganesha-[0-9]+\[//; s/^/#   /'
}

# Succeed once ganesha answers: NFS on TCP NFS_ADDR:$NFS_PORT (default
# 127.0.0.1; probed inside NFS_NETNS when set) and, when $1 holds v3, rpcbind
# lists mountd and it answers a NULL call over TCP.
nfs_ready() {
	local addr=${NFS_ADDR:-127.0.0.1} ns=${NFS_NETNS:-} prefix=()
	port_answers "$NFS_PORT" "$addr" "$ns" || return 1
	[[ "$1" == *3* ]] || return 0
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	"${prefix[@]}" rpcinfo -p "$addr" 2>/dev/null | grep -qw mountd &&
		"${prefix[@]}" rpcinfo -t "$addr" mountd 3 >/dev/null 2>&1
}

# Export directory $1 with nfs-ganesha on NFS_ADDR (127.0.0.1), inside
# NFS_NETNS when set (rpcbind first): options v3 or v4 (that protocol only;
# default both), ro (default read-write). Restarts the ganesha this scenario
# runs, if any. Sets the NFS_* variables of the header.
nfs_start() {
	local dir opt protos="3, 4" access=RW state pid start=$EPOCHREALTIME tail
	local addr=${NFS_ADDR:-127.0.0.1} ns=${NFS_NETNS:-} prefix=()
	dir=$(cd "${1:?nfs_start DIR [v3|v4] [ro]}" && pwd -P) || lab_die "nfs_start: no directory $1"
	shift
	for opt in "$@"; do
		case "$opt" in
		v3) protos="3" ;;
		v4) protos="4" ;;
		ro) access=RO ;;
		rw) access=RW ;;
		*) lab_die "nfs_start: unknown option $opt (v3, v4, ro, rw)" ;;
		esac
	done
	[[ $EUID -eq 0 ]] || lab_die "nfs_start needs root (rpcbind on port 111, ganesha's FSAL VFS)"
	lab_tmpdir
	lab_need rpcbind rpcinfo ganesha.nfsd ss flock
	if [[ -z "$NFS_LOCK_FD" ]]; then
		exec {NFS_LOCK_FD}>"${NFS_LOCK:-/tmp/pxeroot-e2e-nfs.lock}"
		flock -w "${NFS_LOCK_WAIT:-600}" "$NFS_LOCK_FD" ||
			lab_die "another NFS scenario holds ${NFS_LOCK:-/tmp/pxeroot-e2e-nfs.lock}"
	fi
	if [[ -n "$NFS_GANESHA_PID" ]]; then
		lab_stop_pid "$NFS_GANESHA_PID"
		lab_untrack "$NFS_GANESHA_PID"
		NFS_GANESHA_PID=""
	fi
	for opt in "$NFS_PORT" "$NFS_MOUNT_PORT"; do
		port_answers "$opt" "$addr" "$ns" &&
			lab_die "port $opt of $addr${ns:+ in netns $ns} is taken by $(nfs_port_owner "$opt" "$ns") (kernel nfsd? another ganesha?)"
	done
	nfs_rpcbind_start
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	state=$(mktemp -d "$LAB_TMP/ganesha.XXXXXX")
	mkdir -p "$state/recovery"
	NFS_CONF="$state/ganesha.conf"
	NFS_LOG="$state/ganesha.log"
	nfs_config "$dir" "$protos" "$access" "$state" >"$NFS_CONF"
	"${prefix[@]}" ganesha.nfsd -F -L "$NFS_LOG" -f "$NFS_CONF" -p "$state/ganesha.pid" {NFS_LOCK_FD}>&- \
		</dev/null >"$state/stdout.log" 2>&1 &
	pid=$!
	lab_track "$pid"
	if ! lab_wait_ready "$pid" nfs_ready "$protos"; then
		lab_die "ganesha did not serve $dir on $addr:$NFS_PORT${ns:+ in netns $ns} (NFS $protos); its log:"$'\n'"$(nfs_log_tail "$state")"
	fi
	# A bad export does not stop ganesha: it serves nothing, and says so in its log.
	if grep -qE 'CONFIG :CRIT|Could not create export|No export entries found' "$NFS_LOG"; then
		tail=$(nfs_log_tail "$state")
		lab_stop_pid "$pid"
		lab_untrack "$pid"
		lab_die "ganesha could not export $dir (NFS $protos); its log:"$'\n'"$tail"
	fi
	NFS_GANESHA_PID=$pid
	NFS_EXPORT_DIR=$dir
	export NFS_EXPORT_DIR NFS_PSEUDO NFS_PORT NFS_MOUNT_PORT NFS_GANESHA_PID NFS_RPCBIND_PID NFS_LOG NFS_CONF
	lab_note "nfs: ganesha pid $pid, rpcbind pid $NFS_RPCBIND_PID, NFS $protos $access of $dir" \
		"on $addr${ns:+ in netns $ns}" \
		"(v4 as $NFS_PSEUDO, v3 mountd on $NFS_MOUNT_PORT) up in $(lab_elapsed "$start") s"
}

# Stop ganesha, then rpcbind, by PID (only the ones nfs_start started); the
# NFS lock stays held until the scenario exits, so that no other scenario's
# servers take the ports while this one still boots.
nfs_stop() {
	local pid
	for pid in "$NFS_GANESHA_PID" "$NFS_RPCBIND_PID"; do
		[[ -n "$pid" ]] || continue
		lab_stop_pid "$pid"
		lab_untrack "$pid"
	done
	NFS_GANESHA_PID=""
	NFS_RPCBIND_PID=""
}

# The live root of make_root_tree in directory $1, with a systemd-networkd
# stand-in and its /sbin/init wrapped: it prints the networkd files pxeroot left
# (PXEROOT-E2E: networkd: lines), writes /written-by-guest (saying whether it
# could), then runs the usual test init (PXEROOT-E2E: lines, power off).
make_nfs_root() {
	local dir=${1:?make_nfs_root DIR}
	make_root_tree "$dir"
	mv "$dir/sbin/init" "$dir/sbin/init.e2e"
	cat >"$dir/sbin/init" <<-'EOF'
		#!/bin/sh
		# Test init of the NFS live root: write a file into /, then the usual init.
		[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
		for f in /run/systemd/network/*.network; do
		    [ -f "$f" ] || continue
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: networkd: ${f##*/}: $line"
		    done <"$f"
		done
		if echo "written by the guest" >/written-by-guest 2>/dev/null && sync; then
		    echo "PXEROOT-E2E: wrote /written-by-guest"
		else
		    echo "PXEROOT-E2E: / is read-only"
		fi
		exec /sbin/init.e2e "$@"
	EOF
	chmod 0755 "$dir/sbin/init"
	# A systemd-networkd stand-in: pxeroot only looks whether the new root has one.
	mkdir -p "$dir/usr/lib/systemd"
	: >"$dir/usr/lib/systemd/systemd-networkd"
}

# The live root of make_nfs_root in TREE=$LAB_TMP/nfsroot, exported with nfs_start's options $@.
nfs_serve_root() {
	lab_tmpdir
	TREE="$LAB_TMP/nfsroot"
	make_nfs_root "$TREE"
	nfs_start "$TREE" "$@"
}

# Boot NAME ($1) with the failure policy of the NFS scenarios (power off at once,
# with the mount table in the log) and kernel command line $2 after it (a policy
# it names wins: the last word of a name counts); LOG is set.
nfs_boot() {
	LOG="$LAB_TMP/serial-$1.log"
	qemu_boot "$LOG" "pxeroot.onerror=poweroff pxeroot.retries=0 pxeroot.debug $2"
}

# Assert the failure twin of LOG ($1): one line naming the cause (ERE $2), no
# init, power off, nothing mounted, no panic; $3 prefixes the descriptions.
nfs_expect_refused() {
	local log=$1 why=$2 p=${3:+$3: }
	expect_line "$log" "pxeroot: nfs .*$why" "${p}the line names the cause (/$why/)"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "${p}live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "${p}agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log" "$3"
}

# Assert that the live root of LOG ($1) kept its NIC for the root on the
# network: ROOT_ON_NETWORK in net-eth0.conf, the networkd file keeping the
# configuration, eth0 still holding address $3 (ERE) after switch_root; $2
# prefixes the descriptions.
nfs_expect_kept() {
	local log=$1 name=$2 addr=$3
	expect_line "$log" "PXEROOT-E2E: netconf: net-eth0\.conf: ROOT_ON_NETWORK='yes'" "$name: net-eth0.conf says the root is on the network"
	expect_line "$log" 'PXEROOT-E2E: networkd: 10-pxeroot-eth0\.network: KeepConfiguration=yes' "$name: networkd is told to keep eth0's configuration"
	expect_line "$log" 'PXEROOT-E2E: networkd: 10-pxeroot-eth0\.network: Name=eth0' "$name: the networkd file matches eth0"
	expect_line "$log" "PXEROOT-E2E: link: eth0 .* addr $addr" "$name: eth0 keeps its address after switch_root"
}
