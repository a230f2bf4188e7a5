# shellcheck shell=bash disable=SC2034
# Helpers for the QEMU end-to-end scenarios; `source` it from a scenario.
#
#   lab_tmpdir                         create $LAB_TMP (removed on exit, with every tracked process)
#   lab_track PID / lab_untrack PID    stop PID on exit / forget it once reaped
#   free_port [NETNS]                  print a free TCP port (on the host, or inside NETNS)
#   free_udp_port                      print a free UDP port on 127.0.0.1 not in LAB_UDP_PORTS
#   nginx_start ROOTDIR                serve ROOTDIR on $NGINX_ADDR:$HTTP_PORT (in $NGINX_NETNS if set)
#   make_root_sfs OUT.sfs              busybox live root whose /sbin/init prints PXEROOT-E2E: lines
#   make_archiso_tree WEBROOT SFS [BASEDIR] [ARCH]
#   serve_archiso [BASEDIR]            the two above plus nginx: sets WEBROOT, HTTP_PORT
#   archiso_http_append [EXTRA...]     print the usual kernel command line for serve_archiso
#   qemu_boot LOG APPEND [QEMU ARGS]   boot the lab kernel + initramfs, serial to LOG
#   expect_line LOG REGEX DESC         assert a line matches (grep -E, CRs removed)
#   expect_no_line LOG REGEX DESC      assert no line matches
#   expect_qemu RESULT DESC            assert how the last qemu_boot ended (exited|panic|stop|timeout)
#   lab_re_escape STRING               print STRING with the ERE metacharacters escaped
#   scenario_end [LOG]                 print the log tail on failure; exit 0 or 1
#
# Network lab (root; each NIC a virtio-net-pci with a fixed MAC, eth0, eth1, ... in that order):
#   lab_mac N                          print 52:54:00:12:34:NN (N = 1 for eth0 by convention)
#   qemu_nic_user [MAC]                add a QEMU user-networking NIC (DHCP 10.0.2.x, host 10.0.2.2)
#   qemu_nic_dead [MAC]                add a NIC with carrier on which nothing ever answers
#   qemu_nic_tap [MAC] [TAP]           add a NIC on tap device TAP (default $TAP) of $QEMU_NETNS
#     Each appends to the array QEMU_NET_ARGS; when it is not empty it replaces the
#     default user NIC of qemu_boot (reset it with QEMU_NET_ARGS=()).
#   netns_create [ADDR/PREFIX]         a network namespace (deleted on exit) holding tap0 with
#                                      ADDR (default 192.168.77.1/24), up; sets NETNS, TAP, NETNS_ADDR
#   dnsmasq_start [ARGS...]            dnsmasq in $NETNS on $TAP only, no upstream, no host files,
#                                      state in $LAB_TMP; sets DNSMASQ_PID, DNSMASQ_LOG, DNSMASQ_LEASES
#   netns_http_get URL                 print URL's body, fetched from inside $NETNS (busybox wget)
#   netns_dns_query NAME               print the IPv4 answers of $NETNS_ADDR's DNS for NAME
#
# Environment: KERNEL, INITRD (default build/kernel/vmlinuz, build/initramfs.img),
# QEMU_MEM (512), QEMU_TIMEOUT (120 s), QEMU_STOP_RE ("pxeroot: halted"),
# QEMU_NIC (virtio-net-pci), QEMU_NETDEV_OPTS (appended to -netdev user,...),
# QEMU_NETNS (run QEMU inside that network namespace), NGINX_ADDR (127.0.0.1),
# NGINX_NETNS (run nginx inside that network namespace),
# QEMU_CONSOLE=tty (serial on the terminal too), LAB_KEEP=1 (keep $LAB_TMP).
set -euo pipefail

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_TMP=""
LAB_PIDS=()
LAB_NETNS=()
LAB_NETNS_COUNT=0
LAB_UDP_PORTS=()
LAB_NETDEV_COUNT=0
LAB_NETDEV_ID=""
QEMU_NET_ARGS=()
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

# Print a command prefix, one word a line, that runs a command inside network
# namespace $1 (nothing when $1 is empty: the host's own namespace).
lab_netns_prefix() {
	[[ -n "${1:-}" ]] && printf '%s\n' ip netns exec "$1"
	return 0
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

# Print a TCP port that nothing listens on, in the host's network namespace
# or inside namespace $1 when given.
free_port() {
	local ns=${1:-} port i prefix=()
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
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

# Write an nginx config serving $1 on $4 (an IPv4 address) port $2 with all
# state in $3; $5 is appended to the listen directive (e.g. TLS settings) and
# $6, when set, is a per-connection rate limit (nginx limit_rate).
nginx_config() {
	local root=$1 port=$2 dir=$3 addr=${4:-127.0.0.1} listen_extra=${5:-} rate=${6:-} extra=${7:-} server_extra=${8:-}
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
		    ${rate:+limit_rate $rate;}
		    $extra
		    server {
		        listen $addr:$port$listen_extra;
		        root $root;
		        autoindex off;
		        $server_extra
		    }
		}
	EOF
}

# Start nginx serving directory $1 on a free port of NGINX_ADDR (default
# 127.0.0.1), inside network namespace NGINX_NETNS when set (the port is probed
# there too), with NGINX_LISTEN_EXTRA appended to its listen directive (TLS)
# NGINX_RATE as limit_rate, NGINX_HTTP_EXTRA (directives, e.g. "max_ranges 0;")
# in its http block and NGINX_SERVER_EXTRA in its server block when set; export HTTP_PORT, HTTP_ADDR,
# NGINX_PID and NGINX_LOG (its access log).
nginx_start() {
	local root dir port pid try addr=${NGINX_ADDR:-127.0.0.1} ns=${NGINX_NETNS:-} prefix=()
	root=$(cd "${1:?nginx_start ROOTDIR}" && pwd)
	lab_tmpdir
	lab_need /usr/sbin/nginx
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	for ((try = 0; try < 5; try++)); do
		port=$(free_port "$ns")
		dir="$LAB_TMP/nginx-$port"
		mkdir -p "$dir"
		nginx_config "$root" "$port" "$dir" "$addr" "${NGINX_LISTEN_EXTRA:-}" "${NGINX_RATE:-}" "${NGINX_HTTP_EXTRA:-}" \
			"${NGINX_SERVER_EXTRA:-}" >"$dir/nginx.conf"
		"${prefix[@]}" /usr/sbin/nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		lab_track "$pid"
		if lab_wait_ready "$pid" port_answers "$port" "$addr" "$ns"; then
			export HTTP_PORT=$port HTTP_ADDR=$addr NGINX_PID=$pid NGINX_LOG=$dir/access.log
			lab_note "nginx: pid $pid, http://$addr:$port/${ns:+ in netns $ns} serving $root"
			return 0
		fi
		lab_note "nginx on $addr:$port did not come up:"
		sed 's/^/#   /' "$dir/error.log" "$dir/stdout.log" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		lab_untrack "$pid"
	done
	lab_die "nginx did not start"
}

# Run `pxeroot fetch` (build/pxeroot, on the host) of URL $1 into $LAB_TMP/out/$2 with the flags
# $3...; its output in $LAB_TMP/$2.log, its exit status in FETCH_RC.
run_fetch() {
	local url=$1 name=$2
	shift 2
	mkdir -p "$LAB_TMP/out"
	FETCH_RC=0
	"$LAB_ROOT/build/pxeroot" fetch "$url" "$LAB_TMP/out/$name" "$@" >"$LAB_TMP/$name.log" 2>&1 </dev/null || FETCH_RC=$?
	LAB_LAST_LOG="$LAB_TMP/$name.log"
}

# Write the live root's /sbin/init: print PXEROOT-E2E: lines (uptime, mounts,
# args, resolv.conf, hostname, IPv4 routes, links, loopback, IPv6 disable_ipv6 per
# interface, /run/pxeroot/net-*.conf),
# then power off.
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
		read -r name </proc/sys/kernel/hostname
		echo "PXEROOT-E2E: hostname: $name"
		ip -4 route 2>/dev/null | while read -r line; do
		    echo "PXEROOT-E2E: route: $line"
		done
		# operstate follows a link change only when the kernel's linkwatch runs
		# (up to 1 s later): wait, 3 s at most in all, until it agrees with the
		# admin flag and the carrier.
		tries=0
		for dev in /sys/class/net/*; do
		    name=${dev##*/}
		    [ -e "$dev" ] && [ "$name" != lo ] || continue
		    while :; do
		        read -r flags <"$dev/flags"
		        want=down
		        if [ $((flags & 1)) -eq 1 ] && [ "$(cat "$dev/carrier" 2>/dev/null)" = 1 ]; then
		            want=up
		        fi
		        read -r oper <"$dev/operstate"
		        [ "$oper" = "$want" ] || [ "$tries" -ge 30 ] && break
		        tries=$((tries + 1))
		        sleep 0.1
		    done
		    read -r mtu <"$dev/mtu"
		    addr=$(ip -4 -o addr show dev "$name" 2>/dev/null | awk '$3 == "inet" { print $4; exit }')
		    echo "PXEROOT-E2E: link: $name mtu $mtu oper $oper addr ${addr:--}"
		done
		read -r flags </sys/class/net/lo/flags
		addr=$(ip -4 -o addr show dev lo 2>/dev/null | awk '$3 == "inet" { print $4; exit }')
		echo "PXEROOT-E2E: loopback: $([ $((flags & 1)) -eq 1 ] && echo up || echo down) addr ${addr:--}"
		for v6 in /proc/sys/net/ipv6/conf/*/disable_ipv6; do
		    [ -r "$v6" ] || continue
		    read -r v <"$v6"
		    name=${v6%/disable_ipv6}
		    echo "PXEROOT-E2E: ipv6: ${name##*/} disable_ipv6 $v"
		done
		for conf in /run/pxeroot/net-*.conf; do
		    [ -f "$conf" ] || continue
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: netconf: ${conf##*/}: $line"
		    done <"$conf"
		done
		echo "PXEROOT-E2E: done"
		sync
		poweroff -f
	EOF
	chmod 0755 "$1"
}

# Build a tiny busybox root filesystem as squashfs image $1; ROOT_PAD_MIB=N adds
# /pad, N MiB of random bytes, to make the image that big.
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
	if [[ -n "${ROOT_PAD_MIB:-}" ]]; then
		head -c "$((ROOT_PAD_MIB << 20))" /dev/urandom >"$dir/pad"
	fi
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

# Print the lab MAC address number $1 (1 to 255): 52:54:00:12:34:NN in hex.
lab_mac() {
	printf '52:54:00:12:34:%02x\n' "${1:?lab_mac N}"
}

# Set LAB_NETDEV_ID to the id of the next -netdev (n0, n1, ...) and count it.
qemu_next_netdev() {
	LAB_NETDEV_ID="n$LAB_NETDEV_COUNT"
	LAB_NETDEV_COUNT=$((LAB_NETDEV_COUNT + 1))
}

# Append to QEMU_NET_ARGS a NIC (QEMU_NIC, MAC $2 if given) on netdev options $1
# (whose id is in LAB_NETDEV_ID).
qemu_add_nic() {
	local mac=${2:-}
	QEMU_NET_ARGS+=(-netdev "$1" -device "${QEMU_NIC:-virtio-net-pci},netdev=$LAB_NETDEV_ID${mac:+,mac=$mac}")
}

# Add a QEMU user-networking NIC with MAC $1 (optional): QEMU's own DHCP server
# leases 10.0.2.15, the host's 127.0.0.1 is reached as 10.0.2.2.
qemu_nic_user() {
	qemu_next_netdev
	qemu_add_nic "user,id=$LAB_NETDEV_ID${QEMU_NETDEV_OPTS:+,$QEMU_NETDEV_OPTS}" "${1:-}"
}

# Add a "dead" NIC with MAC $1 (optional): its link is up, but its frames go as
# UDP datagrams to a port on 127.0.0.1 that nobody listens on, and nothing ever
# comes back (QEMU listens on a second free port that nobody sends to).
qemu_nic_dead() {
	local peer local_port
	peer=$(free_udp_port) || lab_die "no free UDP port"
	LAB_UDP_PORTS+=("$peer")
	local_port=$(free_udp_port) || lab_die "no free UDP port"
	LAB_UDP_PORTS+=("$local_port")
	qemu_next_netdev
	qemu_add_nic "socket,id=$LAB_NETDEV_ID,udp=127.0.0.1:$peer,localaddr=127.0.0.1:$local_port" "${1:-}"
}

# Add a NIC with MAC $1 (optional) on tap device $2 (default $TAP) of the
# network namespace QEMU runs in (QEMU_NETNS, see netns_create).
qemu_nic_tap() {
	local tap=${2:-${TAP:-}}
	[[ -n "$tap" ]] || lab_die "qemu_nic_tap: no tap device (netns_create sets TAP)"
	qemu_next_netdev
	qemu_add_nic "tap,id=$LAB_NETDEV_ID,ifname=$tap,script=no,downscript=no" "${1:-}"
}

# Create a network namespace of this scenario (pxr-PID-N, deleted on exit) with
# lo up and a tap device tap0 holding ADDR/PREFIX ($1, default 192.168.77.1/24),
# up (no carrier until QEMU opens it); export NETNS, TAP and NETNS_ADDR.
netns_create() {
	local cidr=${1:-192.168.77.1/24} name
	lab_tmpdir
	lab_need ip
	[[ $EUID -eq 0 ]] || lab_die "netns_create: network namespaces need root"
	[[ -c /dev/net/tun ]] || lab_die "netns_create: /dev/net/tun missing"
	LAB_NETNS_COUNT=$((LAB_NETNS_COUNT + 1))
	name="pxr-$$-$LAB_NETNS_COUNT"
	ip netns add "$name" || lab_die "ip netns add $name failed"
	LAB_NETNS+=("$name")
	if ! { ip netns exec "$name" ip link set lo up &&
		ip netns exec "$name" ip tuntap add dev tap0 mode tap &&
		ip netns exec "$name" ip addr add "$cidr" dev tap0 &&
		ip netns exec "$name" ip link set tap0 up; }; then
		lab_die "netns $name: tap0 setup failed"
	fi
	export NETNS=$name TAP=tap0 NETNS_ADDR=${cidr%/*}
	lab_note "netns: $name, tap0 $cidr"
}

# Start dnsmasq inside $NETNS, serving $TAP only, with the arguments given
# (--dhcp-range=..., --address=..., ...) after a set that keeps it off the host:
# no config file, no /etc/hosts, no upstream servers (so never the host's
# resolver), pid, lease and log files in $LAB_TMP. Wait until its sockets are
# open; export DNSMASQ_PID, DNSMASQ_LOG, DNSMASQ_LEASES.
dnsmasq_start() {
	local dir pid
	[[ -n "${NETNS:-}" && -n "${TAP:-}" ]] || lab_die "dnsmasq_start: no netns (call netns_create first)"
	lab_need dnsmasq ss
	dir=$(mktemp -d "$LAB_TMP/dnsmasq.XXXXXX")
	ip netns exec "$NETNS" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-poll --no-hosts --interface="$TAP" --except-interface=lo \
		--bind-interfaces --user=root --group=root \
		--pid-file="$dir/dnsmasq.pid" --dhcp-leasefile="$dir/leases" \
		--log-facility="$dir/dnsmasq.log" --log-queries --log-dhcp "$@" \
		</dev/null >"$dir/stdout.log" 2>&1 &
	pid=$!
	lab_track "$pid"
	if lab_wait_ready "$pid" dnsmasq_ready "$dir" "$pid"; then
		export DNSMASQ_PID=$pid DNSMASQ_LOG=$dir/dnsmasq.log DNSMASQ_LEASES=$dir/leases
		lab_note "dnsmasq: pid $pid in netns $NETNS on $TAP: $*"
		return 0
	fi
	lab_note "dnsmasq did not come up:"
	sed 's/^/#   /' "$dir/stdout.log" "$dir/dnsmasq.log" 2>/dev/null || true
	lab_die "dnsmasq did not start"
}

# Whether the dnsmasq of run directory $1, PID $2, wrote its pid file and
# listens in $NETNS.
dnsmasq_ready() {
	[[ -s "$1/dnsmasq.pid" ]] && ip netns exec "$NETNS" ss -Hulnp 2>/dev/null | grep -q "pid=$2,"
}

# Print the body of URL ($1) as fetched from inside $NETNS; fail on an error.
netns_http_get() {
	lab_need busybox timeout
	# (busybox 1.35's wget -T crashes: the time limit comes from timeout)
	timeout 10 ip netns exec "$NETNS" busybox wget -q -O - "${1:?netns_http_get URL}"
}

# Print the IPv4 addresses that the DNS server on $NETNS_ADDR gives for name $1.
netns_dns_query() {
	lab_need busybox
	ip netns exec "$NETNS" busybox nslookup -type=a "${1:?netns_dns_query NAME}" "$NETNS_ADDR" 2>/dev/null |
		awk '/^Name:/ { seen = 1; next } seen && /^Address/ { sub(/^Address( [0-9]+)?: */, ""); print }'
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
		if lab_log_text "$log" | grep -qE -- "$stop_re"; then
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
# replaces console=ttyS0), the first serial port to LOG,
# extra QEMU arguments after APPEND; the NICs are QEMU_NET_ARGS when set, else
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
	[[ -f "$kernel" ]] || lab_die "$kernel missing (make kernel)"
	[[ -f "$initrd" ]] || lab_die "$initrd missing (make initramfs)"
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
	local kconsole=${QEMU_KCONSOLE-console=ttyS0}
	lab_note "qemu: append: $kconsole $append"
	lab_note "qemu: net:${QEMU_NETNS:+ (in netns $QEMU_NETNS)} ${net[*]}"
	start=$EPOCHREALTIME
	local stdin=/dev/null
	[[ "${QEMU_CONSOLE:-file}" == tty ]] && stdin=/dev/stdin
	"${prefix[@]}" qemu-system-x86_64 -accel tcg -cpu max -m "${QEMU_MEM:-512}" -smp 1 \
		-nodefaults -no-user-config -display none -no-reboot "${serial[@]}" \
		-kernel "$kernel" -initrd "$initrd" -append "$kconsole $append" \
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

# Assert what every refused boot of LOG ($1) shows: the agent's mount table
# printed (pxeroot.debug), nothing of the image in it, no kernel panic.
# $2 prefixes the descriptions.
expect_nothing_mounted() {
	local log=$1 p=${2:+$2: }
	expect_line "$log" 'pxeroot: mounts: ' "${p}agent printed its mount table"
	expect_no_line "$log" 'pxeroot: mounts: .*(squashfs|iso9660|erofs|ext[234]|overlay|/dev/loop|/run/pxeroot/)' "${p}nothing of the image is mounted"
	expect_no_line "$log" 'Kernel panic' "${p}no kernel panic"
}

# Assert that the last qemu_boot ended as $1 (exited, panic, stop or timeout).
expect_qemu() {
	local want=$1 desc=${2:-qemu ended as $1}
	if [[ "$QEMU_RESULT" == "$want" ]]; then
		lab_assert 0 "$desc"
	else
		lab_assert 1 "$desc (it ended as ${QEMU_RESULT:-nothing})"
	fi
}

# Print $1 with every ERE metacharacter escaped, for expect_line patterns.
lab_re_escape() {
	printf '%s\n' "$1" | sed -e 's/[][\\.*^$+?(){}|]/\\&/g'
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

# ---- image kinds: the live root as ext4, erofs and archiso ISO images ----------------------
#   make_root_tree DIR                 the busybox tree of make_root_sfs, unpacked into DIR
#   make_root_ext4 OUT [SIZE_MB] [KIND] that tree as an ext4 image, or KIND ext2|ext3 (mkfs.KIND -d)
#   make_root_erofs OUT                that tree as an erofs image (lz4hc)
#   make_iso OUT DIR                   DIR as an ISO 9660 image (Rock Ridge, Joliet)
#   make_archiso_iso OUT IMG [BASEDIR] [ARCH] [NAME]
#                                      an ISO holding IMG as BASEDIR/ARCH/NAME (archiso layout;
#                                      defaults arch, x86_64, airootfs.sfs)
#   serve_image FILE [NAME]            FILE as $WEBROOT/NAME with NAME's .sha512 list, nginx on
#                                      it; sets WEBROOT, HTTP_PORT
#   live_http_append NAME [EXTRA...]   print the kernel command line for root=live: on NAME

# Unpack the root tree of make_root_sfs (the same files, owned by root) into directory $1.
make_root_tree() {
	local dir=${1:?make_root_tree DIR} sfs
	lab_tmpdir
	lab_need unsquashfs
	sfs=$(mktemp "$LAB_TMP/tree.XXXXXX.sfs")
	make_root_sfs "$sfs"
	rm -rf "$dir"
	unsquashfs -q -n -d "$dir" "$sfs" >/dev/null || lab_die "unsquashfs $sfs failed"
	rm -f "$sfs"
}

# Build the live root as ext4 image $1 of $2 MiB (default 16); $3 ext2 or ext3 makes that kind.
make_root_ext4() {
	local out=${1:?make_root_ext4 OUT [SIZE_MB] [ext2|ext3|ext4]} size=${2:-16} kind=${3:-ext4} dir
	lab_need "mkfs.$kind"
	dir=$(mktemp -d "$LAB_TMP/tree.XXXXXX")
	make_root_tree "$dir"
	rm -f "$out"
	"mkfs.$kind" -q -F -L pxeroot-e2e -d "$dir" "$out" "${size}M" >/dev/null 2>&1 || lab_die "mkfs.$kind -d $dir $out failed"
	rm -rf "$dir"
	lab_note "root image: $out ($kind, $(stat -c %s "$out") bytes)"
}

# Build the live root as erofs image $1 (lz4hc, every file owned by root).
make_root_erofs() {
	local out=${1:?make_root_erofs OUT} dir
	lab_need mkfs.erofs
	dir=$(mktemp -d "$LAB_TMP/tree.XXXXXX")
	make_root_tree "$dir"
	rm -f "$out"
	mkfs.erofs -zlz4hc --all-root "$out" "$dir" >/dev/null 2>&1 || lab_die "mkfs.erofs $out $dir failed"
	rm -rf "$dir"
	lab_note "root image: $out (erofs, $(stat -c %s "$out") bytes)"
}

# Write directory $2 as ISO 9660 image $1 (Rock Ridge and Joliet names, volume ID PXEROOT_E2E).
make_iso() {
	local out=${1:?make_iso OUT DIR} dir=${2:?make_iso OUT DIR} msg
	lab_need xorriso
	rm -f "$out"
	msg=$(xorriso -as mkisofs -quiet -R -J -V PXEROOT_E2E -o "$out" "$dir" 2>&1) || lab_die "xorriso $out: $msg"
	lab_note "iso image: $out ($(stat -c %s "$out") bytes)"
}

# Build ISO $1 laid out as archiso's: image $2 as BASEDIR/ARCH/NAME ($3 arch, $4 x86_64,
# $5 airootfs.sfs), plus a boot/ directory as on a real ISO.
make_archiso_iso() {
	local out=${1:?make_archiso_iso OUT IMG [BASEDIR] [ARCH] [NAME]} img=${2:?make_archiso_iso OUT IMG}
	local dir sub="${3:-arch}/${4:-x86_64}"
	lab_tmpdir
	dir=$(mktemp -d "$LAB_TMP/iso.XXXXXX")
	mkdir -p "$dir/$sub" "$dir/${3:-arch}/boot"
	cp "$img" "$dir/$sub/${5:-airootfs.sfs}"
	echo "pxeroot e2e" >"$dir/${3:-arch}/boot/README"
	make_iso "$out" "$dir"
	rm -rf "$dir"
}

# Put FILE ($1) at $LAB_TMP/www/NAME ($2, default FILE's name) with its sha512 list beside it
# (NAME's extension replaced by .sha512, as checksum=y expects), and serve it with nginx; set
# WEBROOT and HTTP_PORT.
serve_image() {
	local file=${1:?serve_image FILE [NAME]} name=${2:-${1##*/}}
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	cp "$file" "$WEBROOT/$name"
	(cd "$WEBROOT" && sha512sum "$name" >"${name%.*}.sha512")
	nginx_start "$WEBROOT"
}

# Print the kernel command line that boots $WEBROOT/NAME ($1) of serve_image with root=live:,
# its sha512 checked, plus the words after $1.
live_http_append() {
	local name=${1:?live_http_append NAME [EXTRA...]} extra=""
	shift
	[[ -n "$*" ]] && extra=" $*"
	echo "ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/$name checksum=y pxeroot.onerror=poweroff$extra"
}
