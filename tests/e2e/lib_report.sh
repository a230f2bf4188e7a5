# shellcheck shell=bash
# The boot report's receiver and checks (pxeroot.report=, pxeroot fetch --report); `source` it
# after lib.sh (it sources lib_transfer.sh, whose transfer_tool_build compiles the receiver).
#
#   report_sink_start [--hang]      start tests/tools/report_sink.c on 127.0.0.1 (port picked by
#                                   it; the guests reach it as 10.0.2.2), each POST's body into
#                                   a directory of its own, answered 204 (--hang: read, never
#                                   answered); stopped by PID on exit; exports REPORT_PORT,
#                                   REPORT_DIR, REPORT_LOG, REPORT_PID
#   report_count                    print how many documents the last sink received
#   report_doc N                    print the path of its Nth document
#   report_jq DOC FILTER            whether jq's FILTER holds for DOC (jq -e, arguments
#                                   $version: pxeroot's version)
#   expect_report DOC OK DESC       assert DOC is one valid JSON document of pxeroot's version
#                                   whose ok is OK (true|false), with stages that each have a
#                                   name, their ms and ok, and an error line exactly when OK is false
#   report_ms LOG                   print M of the "report: ... after M ms" line of LOG
#
# The sink's log: "report_sink: request N: POST /PATH, B bytes -> DIR/N.json, 204", or
# "..., not answered" with --hang.

# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

REPORT_PORT=""
REPORT_DIR=""
REPORT_LOG=""
REPORT_PID=""

# Start report_sink on 127.0.0.1 with a directory of its own; the arguments go to it (--hang);
# export REPORT_PORT, REPORT_DIR, REPORT_LOG and REPORT_PID.
report_sink_start() {
	lab_need jq
	lab_tmpdir
	mkdir -p "$LAB_TMP/docs"
	REPORT_DIR=$(mktemp -d "$LAB_TMP/docs/XXXXXX")
	transfer_tool_start report_sink --dir "$REPORT_DIR" --max-seconds "${QEMU_TIMEOUT:-600}" "$@"
	export REPORT_PORT=$TOOL_PORT REPORT_DIR REPORT_LOG=$TOOL_DIR/log REPORT_PID=$TOOL_PID
	lab_note "report_sink: pid $TOOL_PID, 127.0.0.1:$REPORT_PORT into $REPORT_DIR $*"
}

# Print how many documents the last sink wrote.
report_count() {
	find "${REPORT_DIR:?report_count: no report_sink started}" -maxdepth 1 -name '*.json' | wc -l
}

# Print the path of document $1 of the last sink.
report_doc() {
	echo "${REPORT_DIR:?report_doc: no report_sink started}/$1.json"
}

# Whether jq's filter $2 is true for document $1 ($version is pxeroot's version).
report_jq() {
	jq -e --arg version "$("$LAB_ROOT/build/pxeroot" version | cut -d' ' -f2)" "$2" "$1" >/dev/null 2>&1
}

# Assert that document $1 is valid JSON from this pxeroot, ok $2 (true or false), with every stage
# named and timed, and an error line exactly when it failed; $3 names the boot.
expect_report() {
	local doc=$1 ok=$2 what=$3
	[[ ! -f "$doc" ]] || lab_note "$what: report: $(<"$doc")"
	expect_ok "$what: the report is one valid JSON document" report_jq "$doc" 'type == "object"'
	# shellcheck disable=SC2016  # $version is jq's
	expect_ok "$what: the report names this pxeroot's version" report_jq "$doc" '.pxeroot == $version'
	expect_ok "$what: the report says ok: $ok" report_jq "$doc" ".ok == $ok"
	expect_ok "$what: every stage of the report has its name, ms and ok" report_jq "$doc" \
		'(.stages | length > 0) and all(.stages[]; (.stage | type == "string") and (.ms | type == "number") and (.ok | type == "boolean"))'
	if [[ $ok == true ]]; then
		expect_ok "$what: the report has no error line" report_jq "$doc" 'has("error") | not'
	else
		expect_ok "$what: the report has the error line" report_jq "$doc" '.error | length > 0'
	fi
}

# Print the milliseconds of the "report: ... after M ms" (or "in M ms") line of log $1.
report_ms() {
	lab_log_text "$1" | sed -n 's/.*pxeroot: report: .*\(after\|in\) \([0-9]*\) ms.*/\2/p' | tail -n1
}
