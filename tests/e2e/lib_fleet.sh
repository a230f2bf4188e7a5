# shellcheck shell=bash disable=SC2034
# A rack of machines booting at once through an HTTP cache, on the host (no QEMU); sourced
# after lib.sh and lib_chunks.sh by tests/e2e/fleet_host.sh and tests/bench/fleet.sh (root).
#   fleet_net — a network namespace of the scenario joined to the host by a veth pair, the
#     origin's address inside, the host's outside; the inside's egress limited in aggregate to
#     FLEET_RATE_MIB MiB/s (tbf): sets FLEET_NETNS, FLEET_ORIGIN_ADDR
#   fleet_origin_start WEBROOT — (again) the origin: nginx serving WEBROOT in that namespace on port 80,
#     logging "$msec $request_uri $status $body_bytes_sent $http_range $http_cache_control" to
#     FLEET_ORIGIN_LOG; while the file FLEET_BUSY exists every answer is 503 with Retry-After: 2
#   fleet_origin_stop — stop the origin (by PID)
#   fleet_cache_config PORT DIR CACHE — print the caching nginx's config: docs/fleet.md's block
#     as it is, its placeholders (origin, listen port, cache directory) replaced
#   fleet_cache_start — the caching nginx on 127.0.0.1 with an empty cache (the same port when
#     started again): sets FLEET_CACHE_URL, FLEET_CACHE_PID, FLEET_CACHE_LOG
#   fleet_cache_stop — stop the caching nginx (by PID)
#   fleet_cache_disk — print a figure line: the cache's bytes on disk against the chunk store's
#   fleet_storm NAME URL N [FLAGS...] — N clients `pxeroot fetch URL FILE FLAGS...` released at
#     once, each its own file and log in $LAB_TMP/storm-NAME: sets FLEET_STORM
#   fleet_figures LABEL — the last storm's figures against the image (FLEET_IMG): the origin's
#     bytes ÷ the image, the clients' completion times (p50, p99), verified and failed; prints a figure line
#   fleet_origin_count REGEX [all|no-cache|cached] — requests of the last storm at the origin
#     whose path matches REGEX (all; only those asked past the caches; only the others)
#   fleet_origin_max_per_path REGEX — the most requests one path matching REGEX had (not past
#     the caches)
#   fleet_clients_with REGEX — how many clients' logs of the last storm have a line matching REGEX
#   fleet_image DIR MIB — DIR/image.sfs of MIB MiB of random bytes, image.caibx and image.castr/
#     beside it (casync's defaults), image.sha512 listing both: sets FLEET_IMG
#   fleet_halfway_storm N [FLAGS...] — storm "halfway" of N clients of the index, the cache warm
#     and its index and list due again (11 s after FLEET_LAST_START); the origin stopped once the
#     cache has sent half the clients' bytes: sets FLEET_STOPPED_AT, FLEET_AFTER_STOP (the cache's
#     answers after the stop that did not come from it)
#   fleet_stale_client — the origin still down, the index due once more: storm "late" of one
#     client; sets FLEET_STALE (the index and list answered stale by the cache); the origin
#     started again
#   fleet_badcopy_storm N [FLAGS...] — a fresh cache holding a bad copy of the image's first
#     chunk (FLEET_BAD_ID, at FLEET_BAD_PATH in the store), then storm "badcopy": sets
#     FLEET_BAD_CLIENTS (the clients that got it and asked past the cache), FLEET_GOOD_CLIENTS
#     (those that said the copy past the cache was good), FLEET_BAD_NOCACHE (the origin's requests
#     for it with no-cache), FLEET_BAD_BEFORE and FLEET_BAD_AFTER (the cache's copy before and
#     after: "HIT other", "HIT same" ...)
#   fleet_busy_storm N S [FLAGS...] — a fresh cache holding the index and list only, the origin
#     answering 503 with Retry-After: 2 for the first S seconds of storm "busy"
#
# Environment: FLEET_RATE_MIB (40), FLEET_NET (10.233.0: .1 the origin, .2 the host, a /30),
# FLEET_TIMEOUT (300 s: a client is stopped after it, the storm 10 s later), FLEET_DURING (a
# function the storm calls about every 0.1 s with the seconds since the clients were released),
# FLEET_CONNECTIONS (4096: the caching nginx's worker_connections).

FLEET_NETNS=""
FLEET_ORIGIN_ADDR=""
FLEET_ORIGIN_PID=""
FLEET_ORIGIN_LOG=""
FLEET_WEBROOT=""
FLEET_BUSY=""
FLEET_CACHE_PORT=""
FLEET_CACHE_PID=""
FLEET_CACHE_URL=""
FLEET_CACHE_LOG=""
FLEET_CACHE_COUNT=0
FLEET_CACHE_DIR=""
FLEET_STORM=""
FLEET_LAST_START=""
FLEET_IMG=""
FLEET_STOPPED_AT=""
FLEET_AFTER_STOP=""
FLEET_STALE=""
FLEET_BAD_ID=""
FLEET_BAD_PATH=""
FLEET_BAD_CLIENTS=""
FLEET_GOOD_CLIENTS=""
FLEET_BAD_NOCACHE=""
FLEET_BAD_BEFORE=""
FLEET_BAD_AFTER=""
FLEET_BUSY_SECONDS=5

# The caching nginx's block in docs/fleet.md is between these two lines.
FLEET_DOC_BEGIN='# pxeroot fleet cache: begin'
FLEET_DOC_END='# pxeroot fleet cache: end'

# Create the namespace of the origin and the veth pair to it; limit its egress (tbf).
fleet_net() {
	local net=${FLEET_NET:-10.233.0} rate=${FLEET_RATE_MIB:-40} out="pxf$$o" in="pxf$$i"
	lab_need ip tc
	netns_add
	FLEET_NETNS=$LAB_NETNS_NEW
	FLEET_ORIGIN_ADDR=$net.1
	if ! { ip link add "$out" type veth peer name "$in" netns "$FLEET_NETNS" &&
		ip addr add "$net.2/30" dev "$out" && ip link set "$out" up &&
		ip -n "$FLEET_NETNS" addr add "$net.1/30" dev "$in" && ip -n "$FLEET_NETNS" link set "$in" up &&
		ip netns exec "$FLEET_NETNS" tc qdisc add dev "$in" root tbf rate "${rate}mibps" burst 512kb latency 100ms; }; then
		lab_die "fleet: veth $out/$in or its tbf failed"
	fi
	lab_note "fleet: origin $net.1 in netns $FLEET_NETNS, its egress limited to $rate MiB/s"
}

# Start the origin's nginx serving directory $1 (again after fleet_origin_stop: the same port).
fleet_origin_start() {
	FLEET_WEBROOT=${1:?fleet_origin_start WEBROOT}
	FLEET_BUSY="$LAB_TMP/origin-busy"
	# shellcheck disable=SC2016  # nginx's variables
	NGINX_NETNS=$FLEET_NETNS NGINX_ADDR=$FLEET_ORIGIN_ADDR NGINX_PORT=80 NGINX_CONNECTIONS=1024 \
		NGINX_HTTP_EXTRA='log_format fleet "$msec $request_uri $status $body_bytes_sent $http_range $http_cache_control"; access_log origin.log fleet;' \
		NGINX_SERVER_EXTRA="location / { if (-f $FLEET_BUSY) { add_header Retry-After 2 always; return 503; } }" \
		nginx_start "$FLEET_WEBROOT"
	FLEET_ORIGIN_PID=$NGINX_PID
	FLEET_ORIGIN_LOG=$NGINX_DIR/origin.log
}

# Stop the origin's nginx.
fleet_origin_stop() {
	lab_stop_pid "$FLEET_ORIGIN_PID"
	lab_untrack "$FLEET_ORIGIN_PID"
	lab_note "fleet: origin stopped"
}

# Print the caching nginx's config for port $1, state directory $2 and cache directory $3:
# the process and logging around docs/fleet.md's block, which is taken as it is with only its
# placeholders (origin.example.org:80, listen 8080, /var/cache/nginx/pxeroot) replaced.
fleet_cache_config() {
	local port=$1 dir=$2 cache=$3 block
	block=$(sed -n "/^$FLEET_DOC_BEGIN\$/,/^$FLEET_DOC_END\$/p" "$LAB_ROOT/docs/fleet.md")
	[[ $block == *"origin.example.org:80"* && $block == *"listen 8080;"* && $block == *"/var/cache/nginx/pxeroot "* ]] ||
		lab_die "docs/fleet.md: the cache's block or one of its placeholders is missing"
	block=$(sed -e "s|origin\.example\.org:80|$FLEET_ORIGIN_ADDR:80|" -e "s|listen 8080;|listen 127.0.0.1:$port;|" \
		-e "s|/var/cache/nginx/pxeroot |$cache |" <<<"$block")
	[[ $EUID -eq 0 ]] && echo "user root;"
	# shellcheck disable=SC2016  # nginx's variables
	cat <<-EOF
		daemon off;
		worker_processes 2;
		worker_rlimit_nofile $((${FLEET_CONNECTIONS:-4096} * 2 + 64));
		pid $dir/nginx.pid;
		error_log $dir/error.log warn;
		events { worker_connections ${FLEET_CONNECTIONS:-4096}; }
		http {
		    log_format fleet '\$msec \$request_uri \$status \$body_bytes_sent \$upstream_cache_status';
		    access_log $dir/access.log fleet;
		$(nginx_http_common "$dir")
		    sendfile on;
	EOF
	printf '%s\n}\n' "$block"
}

# Start the caching nginx with an empty cache directory of its own.
fleet_cache_start() {
	local cache
	FLEET_CACHE_COUNT=$((FLEET_CACHE_COUNT + 1))
	cache="$LAB_TMP/cache-$FLEET_CACHE_COUNT"
	FLEET_CACHE_DIR=$cache
	mkdir -p "$cache"
	NGINX_NETNS="" NGINX_ADDR=127.0.0.1 NGINX_PORT=$FLEET_CACHE_PORT nginx_launch fleet_cache_config "$cache"
	FLEET_CACHE_PORT=$HTTP_PORT FLEET_CACHE_PID=$NGINX_PID FLEET_CACHE_LOG=$NGINX_LOG
	FLEET_CACHE_URL="http://127.0.0.1:$HTTP_PORT"
	lab_note "fleet: cache $FLEET_CACHE_URL (pid $FLEET_CACHE_PID), empty, in front of the origin"
}

# Print "figure: fleet cache on disk: C bytes (K files) for a store of S bytes (K2 chunks): R×",
# the cache's files (FLEET_CACHE_DIR, in blocks of the file system) against the chunk store's.
fleet_cache_disk() {
	local c s
	c=$(du -s -B1 "$FLEET_CACHE_DIR" | cut -f1)
	s=$(du -s -B1 "$FLEET_WEBROOT/image.castr" | cut -f1)
	echo "figure: fleet cache on disk: $c bytes ($(find "$FLEET_CACHE_DIR" -type f | wc -l) files) for a store of $s bytes" \
		"($(chunk_files "$FLEET_WEBROOT/image.castr" | wc -l) chunks): $(awk -v c="$c" -v s="$s" 'BEGIN { printf "%.3f", c / s }')×"
}

# Stop the caching nginx.
fleet_cache_stop() {
	lab_stop_pid "$FLEET_CACHE_PID"
	lab_untrack "$FLEET_CACHE_PID"
}

# One client of storm directory $1, number $2: wait for the release (a shared lock on
# $1/barrier), then `pxeroot fetch URL ($3) FILE FLAGS ($4...)` within FLEET_TIMEOUT; write
# "START END STATUS SAME" to $1/NUM.res, SAME "same" when the file is FLEET_IMG byte for byte
# ("other", "-" for no file), the file deleted once compared.
fleet_client() {
	local dir=$1 i=$2 url=$3 start end rc=0 same=- out
	shift 3
	trap - EXIT INT TERM
	out="$dir/out-$i"
	touch "$dir/$i.ready"
	flock -s "$dir/barrier" true
	start=$EPOCHREALTIME
	timeout -k 5 "${FLEET_TIMEOUT:-300}" "$LAB_ROOT/build/pxeroot" fetch "$url" "$out" "$@" \
		>"$dir/$i.log" 2>&1 </dev/null || rc=$?
	end=$EPOCHREALTIME
	if [[ -f "$out" ]] && nice -n 10 cmp -s "$out" "$FLEET_IMG"; then
		same=same
	elif [[ -f "$out" ]]; then
		same=other
	fi
	rm -f "$out" "$out.caibx"
	echo "$start $end $rc $same" >"$dir/$i.res.new"
	mv "$dir/$i.res.new" "$dir/$i.res"
}

# Print how many files of directory $1 end in $2.
fleet_count_files() {
	find "$1" -maxdepth 1 -name "*$2" | wc -l
}

# Run storm NAME ($1): N ($3) clients of URL ($2) with the flags $4..., released together once
# all are waiting; the origin's and the cache's logs start empty. Waits until each has ended or
# been stopped after FLEET_TIMEOUT + 10 s; calls FLEET_DURING meanwhile.
fleet_storm() {
	local name=$1 url=$2 n=$3 dir fd i t0 waited=0 pid pids=() limit=$((${FLEET_TIMEOUT:-300} + 10))
	shift 3
	dir="$LAB_TMP/storm-$name"
	FLEET_STORM=$dir
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$FLEET_ORIGIN_LOG"
	: >"$FLEET_CACHE_LOG"
	exec {fd}>"$dir/barrier"
	flock -x "$fd"
	for ((i = 0; i < n; i++)); do
		fleet_client "$dir" "$i" "$url" "$@" {fd}>&- &
		pids+=("$!")
		lab_track "$!"
	done
	while [[ $(fleet_count_files "$dir" .ready) -lt $n ]]; do
		((waited++ < 600)) || lab_die "storm $name: the clients did not all start in 60 s"
		sleep 0.1
	done
	t0=$EPOCHREALTIME
	FLEET_LAST_START=$t0
	echo "$t0" >"$dir/t0"
	flock -u "$fd"
	exec {fd}>&-
	while [[ $(fleet_count_files "$dir" .res) -lt $n ]]; do
		if [[ $(lab_elapsed "$t0" | cut -d. -f1) -ge $limit ]]; then
			lab_note "storm $name: stopping the clients still running after $limit s"
			break
		fi
		[[ -z "${FLEET_DURING:-}" ]] || "$FLEET_DURING" "$(lab_elapsed "$t0")"
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		lab_stop_pid "$pid"
		lab_untrack "$pid"
	done
	cp "$FLEET_ORIGIN_LOG" "$dir/origin.log"
	cp "$FLEET_CACHE_LOG" "$dir/cache.log"
	lab_note "storm $name: $n clients of $url ${*:+($*) }ended in $(lab_elapsed "$t0") s"
}

# The figures of the last storm against the image (FLEET_IMG), labelled $1: print
#   figure: fleet LABEL N=N: origin R× the image, p50 X s, p99 Y s (p99/p50 Z), V verified, F failed
# and set FLEET_RATIO, FLEET_P50, FLEET_P99, FLEET_FIRST (the first client's time), FLEET_VERIFIED,
# FLEET_FAILED. A client is verified when it exited 0 and its file was the image byte for byte
# (cmp: the verdict equal sha512 sums would give, for a fraction of the CPU the clients share);
# its time runs from the release to its end.
fleet_figures() {
	local label=$1 size n origin ok line
	size=$(stat -c %s "$FLEET_IMG")
	n=$(fleet_count_files "$FLEET_STORM" .res)
	origin=$(awk '{ b += $4 } END { print b + 0 }' "$FLEET_STORM/origin.log")
	ok=$(cat "$FLEET_STORM"/*.res | awk '$3 == 0 && $4 == "same" { n++ } END { print n + 0 }')
	line=$(cat "$FLEET_STORM"/*.res | awk -v t0="$(cat "$FLEET_STORM/t0")" '{ printf "%.3f\n", $2 - t0 }' | sort -n |
		awk -v origin="$origin" -v size="$size" '
			{ t[NR] = $1 }
			END {
				p50 = t[int(NR * 0.50 + 0.999999)]; p99 = t[int(NR * 0.99 + 0.999999)]
				printf "%.2f %.1f %.1f %.1f %.1f\n", origin / size, p50, p99, (p50 > 0 ? p99 / p50 : 0), t[1]
			}')
	read -r FLEET_RATIO FLEET_P50 FLEET_P99 line FLEET_FIRST <<<"$line"
	FLEET_VERIFIED=$ok FLEET_FAILED=$((n - ok))
	echo "figure: fleet $label N=$n: origin ${FLEET_RATIO}× the image, p50 $FLEET_P50 s, p99 $FLEET_P99 s (p99/p50 $line), $FLEET_VERIFIED verified, $FLEET_FAILED failed"
}

# Print how many requests at the origin in the last storm had a path matching REGEX ($1):
# all of them ($2 all, the default), those asked past the caches (no-cache) or the others (cached).
fleet_origin_count() {
	awk -v re="${1:?fleet_origin_count REGEX [all|no-cache|cached]}" -v kind="${2:-all}" '
		$2 ~ re && (kind == "all" || (kind == "no-cache") == ($0 ~ /no-cache/)) { n++ }
		END { print n + 0 }' "$FLEET_STORM/origin.log"
}

# Print the most requests one path matching REGEX ($1) had at the origin in the last storm for
# the same bytes (its Range), requests past the caches (no-cache) left out.
fleet_origin_max_per_path() {
	awk -v re="${1:?fleet_origin_max_per_path REGEX}" '
		$2 ~ re && $0 !~ /no-cache/ { if (++n[$2 " " $5] > max) max = n[$2 " " $5] }
		END { print max + 0 }' "$FLEET_STORM/origin.log"
}

# Print how many clients' logs of the last storm have a line matching the extended regex $1.
fleet_clients_with() {
	grep -lE -- "${1:?fleet_clients_with REGEX}" "$FLEET_STORM"/*.log 2>/dev/null | grep -c '/[0-9]*\.log$' || true
}

# Write DIR ($1)/image.sfs of $2 MiB of random bytes, its casync index and store (casync's
# defaults) and image.sha512 listing the image and the index; set FLEET_IMG.
fleet_image() {
	local dir=${1:?fleet_image DIR MIB}
	mkdir -p "$dir"
	FLEET_IMG="$dir/image.sfs"
	head -c "${2:?fleet_image DIR MIB}M" /dev/urandom >"$FLEET_IMG"
	chunk_image "$dir/image.caibx" "$FLEET_IMG"
	(cd "$dir" && sha512sum image.sfs image.caibx >image.sha512)
}

# Wait until $1 seconds have passed since the EPOCHREALTIME value $2.
fleet_sleep_until() {
	sleep "$(awk -v s="$1" -v a="$2" -v b="$EPOCHREALTIME" 'BEGIN { d = s - (b - a); printf "%.1f", (d > 0 ? d : 0) }')"
}

# Print the X-Cache-Status of the cache's answer to path $1, its body written to file $2.
fleet_cache_get() {
	curl -sS -D - -o "$2" "$FLEET_CACHE_URL/$1" | tr -d '\r' | sed -n 's/^X-Cache-Status: //p'
}

# FLEET_DURING of the half-way storm: stop the origin, once, when the cache has sent half the
# bytes of the storm's clients (FLEET_HALF bytes); remember the cache log's line count then.
# shellcheck disable=SC2317  # called through FLEET_DURING
fleet_stop_half_way() {
	[[ -z "$FLEET_STOPPED_AT" ]] || return 0
	if [[ $(awk '{ b += $4 } END { printf "%d", b / 1048576 }' "$FLEET_CACHE_LOG") -ge $((FLEET_HALF / 1048576)) ]]; then
		fleet_origin_stop
		FLEET_STOPPED_AT=$1
		wc -l <"$FLEET_CACHE_LOG" >"$LAB_TMP/stopped-line"
	fi
}

# The half-way storm of N ($1) clients of the index with flags $2...; see the header.
fleet_halfway_storm() {
	local n=$1
	shift
	fleet_sleep_until 11 "$FLEET_LAST_START"
	FLEET_STOPPED_AT=""
	FLEET_HALF=$((n * $(stat -c %s "$FLEET_IMG") / 2))
	FLEET_DURING=fleet_stop_half_way fleet_storm halfway "$FLEET_CACHE_URL/image.caibx" "$n" "$@"
	fleet_figures "chunked, origin stopped half-way"
	FLEET_AFTER_STOP=$(tail -n "+$(($(cat "$LAB_TMP/stopped-line" 2>/dev/null || echo 0) + 1))" "$FLEET_STORM/cache.log" |
		awk '$5 != "HIT" && $5 != "STALE" && $5 != "UPDATING"' | wc -l)
	lab_note "origin stopped at ${FLEET_STOPPED_AT:-never} s; answers after it not from the cache: $FLEET_AFTER_STOP"
}

# One client more, the origin still down and the index due once more; the origin started again.
fleet_stale_client() {
	fleet_sleep_until 11 "$FLEET_LAST_START"
	fleet_storm late "$FLEET_CACHE_URL/image.caibx" 1 --checksum
	fleet_figures "chunked, origin down, index due"
	FLEET_STALE=$(awk '$2 ~ /\.(caibx|sha512)$/ && $5 == "STALE"' "$FLEET_STORM/cache.log" | wc -l)
	fleet_origin_start "$FLEET_WEBROOT"
}

# The bad-copy storm of N ($1) clients of the index with flags $2...; see the header.
fleet_badcopy_storm() {
	local n=$1 file store
	shift
	read -r FLEET_BAD_ID _ < <(chunk_at "$FLEET_WEBROOT/image.caibx" 0)
	FLEET_BAD_PATH="image.castr/$(chunk_path "$FLEET_BAD_ID")"
	file="$FLEET_WEBROOT/$FLEET_BAD_PATH"
	store=$(lab_re_escape "$FLEET_CACHE_URL/image.castr/")
	fleet_cache_stop
	fleet_cache_start
	chunk_alter "$file"
	curl -sS -o /dev/null "$FLEET_CACHE_URL/$FLEET_BAD_PATH" || lab_die "cannot get $FLEET_BAD_PATH through the cache"
	chunk_restore "$file"
	FLEET_BAD_BEFORE="$(fleet_cache_get "$FLEET_BAD_PATH" "$LAB_TMP/cached-copy") $(cmp -s "$LAB_TMP/cached-copy" "$file" && echo same || echo other)"
	fleet_storm badcopy "$FLEET_CACHE_URL/image.caibx" "$n" "$@"
	fleet_figures "chunked, a bad copy in the cache"
	FLEET_BAD_CLIENTS=$(fleet_clients_with "chunk $FLEET_BAD_ID \\(bytes 0-[0-9]+\\): .* from $store; asking $store again with Cache-Control: no-cache")
	FLEET_GOOD_CLIENTS=$(fleet_clients_with \
		"chunk $FLEET_BAD_ID \\(bytes 0-[0-9]+\\): good from $store past the caches \\(Cache-Control: no-cache\\): a cache there held a bad copy")
	FLEET_BAD_NOCACHE=$(fleet_origin_count "/$FLEET_BAD_ID\\.cacnk\$" no-cache)
	FLEET_BAD_AFTER="$(fleet_cache_get "$FLEET_BAD_PATH" "$LAB_TMP/cached-copy") $(cmp -s "$LAB_TMP/cached-copy" "$file" && echo same || echo other)"
	lab_note "bad copy: $FLEET_BAD_CLIENTS of $n clients got it and asked past the cache, $FLEET_GOOD_CLIENTS got it good;" \
		"the origin asked for it $FLEET_BAD_NOCACHE times with no-cache; the cache's copy before: $FLEET_BAD_BEFORE, after: $FLEET_BAD_AFTER"
}

# FLEET_DURING of the busy storm: the origin busy for its first FLEET_BUSY_SECONDS.
# shellcheck disable=SC2317  # called through FLEET_DURING
fleet_busy_until() {
	[[ ${1%.*} -lt $FLEET_BUSY_SECONDS ]] || rm -f "$FLEET_BUSY"
}

# The busy storm of N ($1) clients of the index, 503 for S ($2) seconds, flags $3...; see the header.
fleet_busy_storm() {
	local n=$1 f
	FLEET_BUSY_SECONDS=$2
	shift 2
	fleet_cache_stop
	fleet_cache_start
	for f in image.sha512 image.caibx; do
		curl -sSf -o /dev/null "$FLEET_CACHE_URL/$f" || lab_die "cannot get $f through the cache"
	done
	touch "$FLEET_BUSY"
	FLEET_DURING=fleet_busy_until fleet_storm busy "$FLEET_CACHE_URL/image.caibx" "$n" "$@"
	rm -f "$FLEET_BUSY"
	fleet_figures "chunked, origin 503 with Retry-After: 2 for $FLEET_BUSY_SECONDS s"
	lab_note "busy: the origin answered $(awk '$3 == 503' "$FLEET_STORM/origin.log" | wc -l) requests with 503," \
		"the cache $(awk '$3 == 503' "$FLEET_STORM/cache.log" | wc -l)"
}
