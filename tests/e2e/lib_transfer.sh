# shellcheck shell=bash
# Helpers for the transfer scenarios (broken and stalled downloads); `source` it
# after lib.sh.
#
#   transfer_tool_build NAME           compile tests/tools/NAME.c into build/tests/NAME (when
#                                      missing or older than the source)
#   cutproxy_start [ARGS...]           start cutproxy on 127.0.0.1, port chosen by it,
#                                      forwarding to nginx's 127.0.0.1:$HTTP_PORT unless ARGS
#                                      hold --upstream; ARGS go to cutproxy (--cuts K, --seed N,
#                                      --min/--max BYTES, --blackhole, --swap NEW:LIVE, ...).
#                                      Stopped by PID on exit like nginx; exports
#                                      CUTPROXY_PORT, CUTPROXY_PID, CUTPROXY_LOG (its stderr)
#   cutproxy_stop                      stop the last cutproxy started, by PID, now
#   cutproxy_cuts                      print how many cuts its log shows
#   transfer_tool_start NAME [ARGS...] start tests/tools/NAME.c on 127.0.0.1, port picked by it,
#                                      ARGS to it; stopped by PID on exit; sets TOOL_DIR (its
#                                      directory: port, log), TOOL_PORT, TOOL_PID
#   httpfault_start FILE [ARGS...]     start httpfault (tests/tools/httpfault.c) on 127.0.0.1
#                                      serving FILE, ARGS to it (--extra BYTES, --evil etag|range,
#                                      --refuse-ranges);
#                                      stopped by PID on exit; exports HTTPFAULT_PORT,
#                                      HTTPFAULT_PID, HTTPFAULT_LOG
#
# cutproxy's log lines: "cutproxy: connection C from ADDR:PORT", "cutproxy: cut
# connection C after X bytes (cut i of K)", "cutproxy: swap NEW -> LIVE",
# "cutproxy: connection C closed (D bytes down, U bytes up)".

CUTPROXY_PORT=""
CUTPROXY_PID=""
CUTPROXY_LOG=""

# Compile tests/tools/$1.c into build/tests/$1 when the binary is missing or
# older than its source (into a temporary name first, so that a concurrent
# scenario never runs half a file).
transfer_tool_build() {
	local src="$LAB_ROOT/tests/tools/$1.c" bin="$LAB_ROOT/build/tests/$1" tmp
	if [[ ! -x "$bin" || "$src" -nt "$bin" ]]; then
		lab_need "${CC:-cc}"
		mkdir -p "${bin%/*}"
		tmp="$bin.tmp.$$"
		if ! "${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$tmp" "$src"; then
			rm -f "$tmp"
			lab_die "cannot compile $src"
		fi
		mv -f "$tmp" "$bin"
	fi
}

# Start cutproxy in the background on 127.0.0.1 (port 0: it picks one and
# writes it to a port file), forwarding to 127.0.0.1:$HTTP_PORT unless the
# arguments name --upstream; wait for the port file; export CUTPROXY_PORT,
# CUTPROXY_PID and CUTPROXY_LOG.
cutproxy_start() {
	local dir pid upstream=(--upstream "127.0.0.1:${HTTP_PORT:-}")
	lab_tmpdir
	transfer_tool_build cutproxy
	if [[ " $* " == *" --upstream "* || " $* " == *" --upstream="* ]]; then
		upstream=()
	elif [[ -z "${HTTP_PORT:-}" ]]; then
		lab_die "cutproxy_start: no --upstream and no HTTP_PORT (nginx_start first)"
	fi
	dir=$(mktemp -d "$LAB_TMP/cutproxy.XXXXXX")
	"$LAB_ROOT/build/tests/cutproxy" --listen 127.0.0.1:0 "${upstream[@]}" --port-file "$dir/port" "$@" \
		</dev/null >/dev/null 2>"$dir/log" &
	pid=$!
	lab_track "$pid"
	if lab_wait_ready "$pid" test -s "$dir/port"; then
		CUTPROXY_PORT=$(<"$dir/port")
		export CUTPROXY_PORT CUTPROXY_PID=$pid CUTPROXY_LOG=$dir/log
		lab_note "cutproxy: pid $pid, 127.0.0.1:$CUTPROXY_PORT -> ${upstream[1]:-(given)}: $*"
		return 0
	fi
	sed 's/^/#   /' "$dir/log" 2>/dev/null || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	lab_untrack "$pid"
	lab_die "cutproxy did not start"
}

# Stop the last cutproxy started (CUTPROXY_PID) by PID and forget it; its log
# stays.
cutproxy_stop() {
	local pid=${CUTPROXY_PID:-}
	[[ -n "$pid" ]] || return 0
	lab_stop_pid "$pid"
	lab_untrack "$pid"
	CUTPROXY_PID=""
}

# Print how many cuts the last cutproxy's log shows.
cutproxy_cuts() {
	local n
	n=$(grep -c '^cutproxy: cut connection ' "${CUTPROXY_LOG:?cutproxy_cuts: no cutproxy started}" 2>/dev/null) || true
	echo "${n:-0}"
}

# Start the one-file server tests/tools/$1.c on 127.0.0.1 (port picked by it) in
# a new directory $LAB_TMP/$1.XXXXXX, the rest of the arguments to it; its
# stderr in that directory's log; wait for its port file; set TOOL_DIR,
# TOOL_PORT and TOOL_PID. Stopped by PID on exit.
transfer_tool_start() {
	local name=${1:?transfer_tool_start NAME [ARGS...]}
	shift
	lab_tmpdir
	transfer_tool_build "$name"
	TOOL_DIR=$(mktemp -d "$LAB_TMP/$name.XXXXXX")
	"$LAB_ROOT/build/tests/$name" --listen 127.0.0.1:0 --port-file "$TOOL_DIR/port" "$@" </dev/null >/dev/null 2>"$TOOL_DIR/log" &
	TOOL_PID=$!
	lab_track "$TOOL_PID"
	lab_wait_ready "$TOOL_PID" test -s "$TOOL_DIR/port" || {
		sed 's/^/#   /' "$TOOL_DIR/log"
		lab_die "$name did not start"
	}
	TOOL_PORT=$(<"$TOOL_DIR/port")
}

# Start httpfault on 127.0.0.1 (port picked by it) serving file $1, the rest of
# the arguments to it; wait for its port file; export HTTPFAULT_PORT,
# HTTPFAULT_PID and HTTPFAULT_LOG. Stopped by PID on exit.
httpfault_start() {
	local file=${1:?httpfault_start FILE [ARGS...]}
	shift
	transfer_tool_start httpfault --file "$file" "$@"
	export HTTPFAULT_PORT=$TOOL_PORT HTTPFAULT_PID=$TOOL_PID HTTPFAULT_LOG=$TOOL_DIR/log
	lab_note "httpfault: pid $TOOL_PID, 127.0.0.1:$HTTPFAULT_PORT serving $file: $*"
}
