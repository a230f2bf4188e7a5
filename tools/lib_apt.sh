# shellcheck shell=bash
# The host's apt sources, for the tools that build a Debian tree from the same mirror
# (tools/fresh-check.sh, tools/systemd-root.sh); `source` it.
#
#   apt_sources — print the host's apt source files, one path a line
#   apt_mirror SUITE — print the first URI the host's apt sources use for SUITE

# Print the host's apt source files, one path a line.
apt_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -s "$f" ]] && echo "$f"
	done
	return 0
}

# Print the first URI the host's apt sources use for SUITE $1 (deb822 or one-line form).
apt_mirror() {
	local f suite=${1:?apt_mirror SUITE}
	while IFS= read -r f; do
		case "$f" in
		*.sources)
			awk -v suite="$suite" '
				/^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
				$1 == "URIs:" { uri = $2 }
				$1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
				END { if (uri != "" && ok) print uri }' "$f"
			;;
		*)
			sed -n -E "s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+${suite}[[:space:]].*/\2/p" "$f"
			;;
		esac
	done < <(apt_sources) | head -n 1
}
