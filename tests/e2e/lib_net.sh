# shellcheck shell=bash
# The network lab, sourced by lib.sh: the guest's NICs and, for tap NICs, a
# network namespace (root) with dnsmasq and probes run inside it. Each NIC is a
# virtio-net-pci with a fixed MAC, eth0, eth1, ... in the order added; each
# qemu_nic_* appends to the array QEMU_NET_ARGS, which, when not empty, replaces
# the default user NIC of qemu_boot (reset it with QEMU_NET_ARGS=()).
#
# Environment: QEMU_NIC (virtio-net-pci), QEMU_NETDEV_OPTS (appended to
# -netdev user,...).

LAB_NETNS_COUNT=0
LAB_NETDEV_COUNT=0
LAB_NETDEV_ID=""
LAB_NETNS_NEW=""
QEMU_NET_ARGS=()

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

# Create a network namespace of this scenario (pxr-PID-N, deleted on exit) with lo up; set
# LAB_NETNS_NEW to its name.
netns_add() {
	local name
	lab_tmpdir
	lab_need ip
	[[ $EUID -eq 0 ]] || lab_die "network namespaces need root"
	LAB_NETNS_COUNT=$((LAB_NETNS_COUNT + 1))
	name="pxr-$$-$LAB_NETNS_COUNT"
	ip netns add "$name" || lab_die "ip netns add $name failed"
	LAB_NETNS+=("$name")
	ip netns exec "$name" ip link set lo up || lab_die "netns $name: lo up failed"
	LAB_NETNS_NEW=$name
}

# Create a network namespace of this scenario (netns_add) with a tap device tap0
# holding ADDR/PREFIX ($1, default 192.168.77.1/24), up (no carrier until QEMU
# opens it); export NETNS, TAP and NETNS_ADDR.
netns_create() {
	local cidr=${1:-192.168.77.1/24} name
	[[ -c /dev/net/tun ]] || lab_die "netns_create: /dev/net/tun missing"
	netns_add
	name=$LAB_NETNS_NEW
	if ! { ip netns exec "$name" ip tuntap add dev tap0 mode tap &&
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
