# shellcheck shell=bash disable=SC2034
# Assertions and the scenario's verdict, sourced by lib.sh: "ok - DESC" and
# "not ok - DESC" lines (TAP style) on what a log shows (read through
# lab_log_text) and on how QEMU ended, counted, then scenario_end's exit status.

LAB_FAILED=0
LAB_ASSERTS=0
LAB_LAST_LOG=""
# Optional kernel timestamp in front of a line that went through /dev/kmsg.
LAB_LINE_START='^(\[ *[0-9]+\.[0-9]+\] )?'

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

# Assert that command $2... exits 0; $1 describes it. The command runs as given (no shell
# string): expect_ok "image is a squashfs" test -s "$img".
expect_ok() {
	local desc=$1 rc=0
	shift
	"$@" || rc=1
	lab_assert "$rc" "$desc"
}

# Whether $1 is not empty and equals $2 (for expect_ok).
same_nonempty() {
	[[ -n $1 && $1 == "$2" ]]
}

# Whether number $1 (a sign allowed) is given and at most $2 (for expect_ok).
at_most() {
	[[ -n $1 && ${1#+} -le $2 ]]
}

# Whether number $1 is at least $2 and at most $3 (for expect_ok).
between() {
	[[ -n $1 && $1 -ge $2 && $1 -le $3 ]]
}

# Whether number $1 is at least $2, itself above 0 (for expect_ok).
at_least() {
	[[ $2 -gt 0 && $1 -ge $2 ]]
}

# Whether the live root of LOG ($1) has exactly $2 loop devices mounted (its PXEROOT-E2E:
# mount lines; for expect_ok).
loops_mounted() {
	[[ $(lab_log_text "$1" | grep -c 'PXEROOT-E2E: mount: /dev/loop') -eq $2 ]]
}

# Whether some line of LOG ($1) matches the extended regex $2 (LOG becomes LAB_LAST_LOG):
# 0 yes, 1 no, 2 when LOG is missing or empty (nothing to judge) or the regex is bad.
log_has() {
	LAB_LAST_LOG=$1
	[[ -s "$1" ]] || return 2
	grep -qE -- "$2" <<<"$(lab_log_text "$1")"
}

# Print why log_has could not judge LOG ($1) and regex $2 (status 2), as a description's tail.
log_unjudged() {
	if [[ -s "$1" ]]; then
		echo " (bad regex /$2/)"
	else
		echo " (log $1 missing or empty)"
	fi
}

# Assert that some line of LOG ($1) matches the extended regex $2.
expect_line() {
	local rc=0 desc=${3:-line /$2/}
	log_has "$1" "$2" || rc=$?
	[[ $rc -ne 2 ]] || desc+=$(log_unjudged "$1" "$2")
	lab_assert "$rc" "$desc"
}

# Assert that no line of LOG ($1) matches the extended regex $2; a missing or empty LOG
# fails (it shows nothing, not the absence of a line).
expect_no_line() {
	local rc=0 desc=${3:-no line /$2/}
	log_has "$1" "$2" || rc=$?
	case $rc in
	0) rc=1 ;;
	1) rc=0 ;;
	*) desc+=$(log_unjudged "$1" "$2") ;;
	esac
	lab_assert "$rc" "$desc"
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
