#!/usr/bin/env bash
# The manual pages on the host: man/pxeroot.8 and man/pxeroot.cmdline.7 render
# with groff, every warning on, without a line on stderr; pxeroot.cmdline(7)
# has a .TP entry whose bold tag is each option the agent reads (the first
# argument of every cmdline_get, cmdline_has, cmdline_flag_pos,
# cmdline_get_all, plan_get_bool, plan_get_uint and plan_check_size call in
# agent/), and one for "--"; each of its entries says whose syntax it borrows
# and its default; pxeroot(8) has a .SS or .TP entry for every subcommand
# `pxeroot --help` lists.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
MAN8="$LAB_ROOT/man/pxeroot.8"
MAN7="$LAB_ROOT/man/pxeroot.cmdline.7"

# Assert that groff renders page $1 (every warning on) and prints nothing on
# stderr; the warnings go to the scenario's log.
check_render() {
	local page=$1 err="$LAB_TMP/groff.err" rc=0
	groff -man -Tutf8 -ww -z "$page" 2>"$err" || rc=$?
	sed "s|^|groff ${page##*/}: |" "$err" >>"$LAB_LAST_LOG"
	lab_assert "$([[ $rc -eq 0 && ! -s "$err" ]] && echo 0 || echo 1)" "groff renders ${page##*/} without a warning"
}

# Print the option names the agent reads, once each.
agent_options() {
	grep -rhoE '(cmdline_get|cmdline_has|cmdline_flag_pos|plan_get_bool|plan_get_uint|plan_check_size|cmdline_get_all)\([a-z_]+, "[^"]+"' "$LAB_ROOT/agent" |
		sed -E 's/.*"([^"]+)"/\1/' | sort -u
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

# Every option of the agent, and "--", has its entry in pxeroot.cmdline(7).
check_options() {
	local tags name names=()
	tags=$(tag_lines "$MAN7")
	mapfile -t names < <(agent_options)
	lab_assert "$([[ ${#names[@]} -gt 0 ]] && echo 0 || echo 1)" "agent/ reads options (${#names[@]} found)"
	for name in "${names[@]}" --; do
		expect_option "$tags" "$name"
	done
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
	lab_assert "$([[ -z "$missing" ]] && echo 0 || echo 1)" "every pxeroot.cmdline(7) entry says whose syntax it borrows and its default"
	odd=$(grep '^Syntax from: ' "$MAN7" | grep -vxE 'Syntax from: (archiso|dracut|the kernel|PXELINUX/iPXE|syslinux MEMDISK|pxeroot)\.' || true)
	[[ -z "$odd" ]] || printf 'pxeroot.cmdline.7: %s\n' "$odd" >>"$LAB_LAST_LOG"
	lab_assert "$([[ -z "$odd" ]] && echo 0 || echo 1)" "every Syntax from: line names archiso, dracut, the kernel, PXELINUX/iPXE, syslinux MEMDISK or pxeroot"
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
	lab_assert "$([[ ${#cmds[@]} -gt 0 ]] && echo 0 || echo 1)" "pxeroot --help lists subcommands (${#cmds[@]} found)"
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
