#!/usr/bin/env bash
# The manual pages on the host: man/pxeroot.8 and man/pxeroot.cmdline.7 render
# with groff, every warning on, without a line on stderr; the agent reads the
# command line only through its table of options (agent/options.c, printed by
# `pxeroot options`); pxeroot.cmdline(7) has a .TP entry whose bold tag is
# each option of the table, and one for "--", saying the table's "whose
# syntax"; each of its entries says whose syntax it borrows and its default;
# pxeroot(8) has a .SS or .TP entry for every subcommand `pxeroot --help`
# lists.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
MAN8="$LAB_ROOT/man/pxeroot.8"
MAN7="$LAB_ROOT/man/pxeroot.cmdline.7"

# Whether groff exited $1 = 0 and wrote nothing to file $2.
quiet_render() {
	[[ $1 -eq 0 && ! -s $2 ]]
}

# Assert that groff renders page $1 (every warning on) and prints nothing on
# stderr; the warnings go to the scenario's log.
check_render() {
	local page=$1 err="$LAB_TMP/groff.err" rc=0
	groff -man -Tutf8 -ww -z "$page" 2>"$err" || rc=$?
	sed "s|^|groff ${page##*/}: |" "$err" >>"$LAB_LAST_LOG"
	expect_ok "groff renders ${page##*/} without a warning" quiet_render "$rc" "$err"
}

# Print the table of options the agent reads: name, kind, default, whose
# syntax, meaning, tab-separated.
agent_options() {
	"$PXEROOT" options
}

# Print the calls in agent/ that read a command-line word by a name of their
# own instead of through the table (options.c and the tokenizer excepted).
reads_outside_table() {
	grep -rnE '\b(cmdline_get|cmdline_has|cmdline_flag_pos|cmdline_get_all)\(' "$LAB_ROOT/agent" --include='*.c' |
		grep -vE '^[^:]*/agent/(cmdline|options)\.c:' || true
}

# Print the tag line of every .TP entry of page $1, "\-" written "-".
tag_lines() {
	awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' "$1" | sed 's/\\-/-/g'
}

# Assert that the tag lines $1 hold option $2 in bold, followed by "=", a
# font change, a space, "[" or the end of the line.
expect_option() {
	local tags=$1 name=$2 re rc=0
	re=$(lab_re_escape "$name")
	grep -qE -- '\\fB'"$re"'(=|\\|[[ ]|$)' <<<"$tags" || rc=1
	[[ $rc -eq 0 ]] || echo "pxeroot.cmdline.7: no .TP entry for $name" >>"$LAB_LAST_LOG"
	lab_assert "$rc" "pxeroot.cmdline(7) documents $name"
}

# Print "TAG<TAB>SYNTAX" for every .TP entry of page $1: its tag line ("\-"
# written "-") and what its "Syntax from:" line names.
entry_syntax() {
	awk '
		function done() { if (entry) print tag "\t" syn }
		/^\.(TP|SS|SH)/ { done(); entry = /^\.TP/; syn = ""; want = entry; next }
		want { tag = $0; want = 0; next }
		/^Syntax from: / { syn = $0; sub(/^Syntax from: /, "", syn); sub(/\.$/, "", syn) }
		END { done() }' "$1" | sed 's/\\-/-/g'
}

# Assert that the first pxeroot.cmdline(7) entry for option $2 (entries $1,
# from entry_syntax) says the table's whose syntax $3.
expect_syntax() {
	local entries=$1 name=$2 whose=$3 re said
	re=$(lab_re_escape "$name")
	said=$(grep -E -- '\\fB'"$re"'(=|\\|[[ ]|	|$)' <<<"$entries" | head -n 1 | cut -f2)
	[[ "$said" == "$whose" ]] || echo "pxeroot.cmdline.7: $name: Syntax from: \"$said\", the table says \"$whose\"" >>"$LAB_LAST_LOG"
	expect_ok "pxeroot.cmdline(7) says $name is $whose's syntax, as the table does" test "$said" == "$whose"
}

# The agent reads options only through its table; every option of the table,
# and "--", has its entry in pxeroot.cmdline(7), with the table's syntax.
check_options() {
	local tags entries outside name whose rows=()
	tags=$(tag_lines "$MAN7")
	entries=$(entry_syntax "$MAN7")
	outside=$(reads_outside_table)
	[[ -z "$outside" ]] || printf 'read outside the table: %s\n' "$outside" >>"$LAB_LAST_LOG"
	expect_ok "agent/ reads the command line only through its table of options" test -z "$outside"
	mapfile -t rows < <(agent_options)
	expect_ok "pxeroot options prints the table (${#rows[@]} options)" test "${#rows[@]}" -gt 40
	for row in "${rows[@]}"; do
		IFS=$'\t' read -r name _ _ whose _ <<<"$row"
		expect_option "$tags" "$name"
		expect_syntax "$entries" "$name" "$whose"
	done
	expect_option "$tags" --
}

# Print the tag of every .TP entry of page $1 that lacks a "Syntax from:" or a
# "Default:" line.
entries_incomplete() {
	awk '
		function done() { if (entry && !(syn && def)) print tag }
		/^\.(TP|SS|SH)/ { done(); entry = /^\.TP/; syn = def = 0; want = entry; next }
		want { tag = $0; want = 0; next }
		/^Syntax from: / { syn = 1 }
		/^Default: / { def = 1 }
		END { done() }' "$1"
}

# Each entry of pxeroot.cmdline(7) names whose syntax it borrows, from the
# closed list, and its default.
check_entries() {
	local missing odd
	missing=$(entries_incomplete "$MAN7")
	[[ -z "$missing" ]] || printf 'pxeroot.cmdline.7: no Syntax from: or Default: line: %s\n' "$missing" >>"$LAB_LAST_LOG"
	expect_ok "every pxeroot.cmdline(7) entry says whose syntax it borrows and its default" test -z "$missing"
	odd=$(grep '^Syntax from: ' "$MAN7" | grep -vxE 'Syntax from: (archiso|dracut|the kernel|PXELINUX/iPXE|syslinux MEMDISK|pxeroot)\.' || true)
	[[ -z "$odd" ]] || printf 'pxeroot.cmdline.7: %s\n' "$odd" >>"$LAB_LAST_LOG"
	expect_ok "every Syntax from: line names archiso, dracut, the kernel, PXELINUX/iPXE, syslinux MEMDISK or pxeroot" test -z "$odd"
}

# Print the subcommands `pxeroot --help` lists: the first word of each
# alternative of its usage (on stderr).
help_subcommands() {
	{ "$PXEROOT" --help 2>&1 >/dev/null || true; } | sed 's/^usage: pxeroot//' | tr '|' '\n' |
		awk '$1 ~ /^[a-z][a-z-]*$/ { print $1 }' | sort -u
}

# Print the headings of page $1's .SS entries and the tags of its .TP
# entries, without font changes and quotes, "\-" written "-".
entry_lines() {
	awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1; next } /^\.SS / { sub(/^\.SS /, ""); print }' "$1" |
		sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/"//g'
}

# Every subcommand of the usage has its entry in pxeroot(8).
check_subcommands() {
	local entries cmd re rc cmds=()
	entries=$(entry_lines "$MAN8")
	mapfile -t cmds < <(help_subcommands)
	expect_ok "pxeroot --help lists subcommands (${#cmds[@]} found)" test "${#cmds[@]}" -gt 0
	for cmd in "${cmds[@]}"; do
		re=$(lab_re_escape "$cmd")
		rc=0
		grep -qE -- "^(pxeroot )?$re( |\$)" <<<"$entries" || rc=1
		[[ $rc -eq 0 ]] || echo "pxeroot.8: no .SS or .TP entry for $cmd" >>"$LAB_LAST_LOG"
		lab_assert "$rc" "pxeroot(8) documents the subcommand $cmd"
	done
}

main() {
	lab_tmpdir
	lab_need groff
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	LAB_LAST_LOG=$LAB_TMP/man.log
	: >"$LAB_LAST_LOG"
	check_render "$MAN8"
	check_render "$MAN7"
	check_options
	check_entries
	check_subcommands
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
