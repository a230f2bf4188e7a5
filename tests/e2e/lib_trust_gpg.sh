# shellcheck shell=bash disable=SC2034
# OpenPGP for the trust lab, sourced by lib_trust.sh: gpg on a GnuPG home with
# the clock at TRUST_GPG_TIME, its gpg-agent stopped by PID, the good and other
# keys and their keyrings, and each scenario's own copy of the trust GnuPG home
# for signing.

readonly TRUST_GPG_TIME='20240101T000000!'
TRUST_GNUPGHOME=""
TRUST_GPG_AGENT_PID=""

# Print the PID of the gpg-agent serving GnuPG home $1, or nothing.
trust_gpg_agent_pid() {
	gpg-connect-agent --homedir "$1" --no-autostart 'getinfo pid' /bye 2>/dev/null |
		awk '$1 == "D" { print $2; exit }'
}

# Stop the gpg-agent of GnuPG home $1 (started by our own gpg calls) by its PID.
trust_gpg_agent_stop() {
	local pid
	pid=$(trust_gpg_agent_pid "$1")
	[[ -z "$pid" ]] || lab_stop_pid "$pid"
}

# Run gpg on GnuPG home $1 with the rest as arguments: batch mode, no
# passphrase, the clock at 2024-01-01 (key and signature dates).
trust_gpg_in() {
	local home=$1
	shift
	gpg --homedir "$home" --batch --no-tty --quiet --yes --pinentry-mode loopback \
		--passphrase '' --faked-system-time "$TRUST_GPG_TIME" "$@"
}

# Print the fingerprint of the key with user ID $2 in GnuPG home $1.
trust_gpg_fpr() {
	trust_gpg_in "$1" --with-colons --list-keys "$2" 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }'
}

# Create the OpenPGP material in $1: GnuPG home $1/gnupg with a good key and an
# "other" key, $1/keyring.gpg holding the good public key only (binary),
# $1/other-keyring.gpg the other one, their fingerprints in good.fpr, other.fpr.
trust_make_gpg() {
	local dir=$1 home=$1/gnupg who fpr
	mkdir -p "$home"
	chmod 0700 "$home"
	for who in good other; do
		trust_gpg_in "$home" --quick-gen-key "pxeroot test $who signer <$who@pxeroot.test>" \
			default default never 2>>"$dir/gpg.log"
		fpr=$(trust_gpg_fpr "$home" "$who@pxeroot.test")
		[[ "$fpr" =~ ^[0-9A-F]{40}$ ]] || return 1
		echo "$fpr" >"$dir/$who.fpr"
	done
	trust_gpg_in "$home" --export "$(cat "$dir/good.fpr")" >"$dir/keyring.gpg" 2>>"$dir/gpg.log"
	trust_gpg_in "$home" --export "$(cat "$dir/other.fpr")" >"$dir/other-keyring.gpg" 2>>"$dir/gpg.log"
	trust_gpg_agent_stop "$home"
}

# Run gpg with this scenario's own copy of the trust GnuPG home (so that
# scenarios never share a gpg-agent); the agent it starts is stopped on exit.
trust_gpg() {
	local src=$TRUST_DIR/gpg/gnupg rc=0
	if [[ -z "$TRUST_GNUPGHOME" ]]; then
		TRUST_GNUPGHOME="$LAB_TMP/gnupg"
		mkdir -m 0700 "$TRUST_GNUPGHOME"
		(cd "$src" && find . -type d ! -name . -exec mkdir -p "$TRUST_GNUPGHOME/{}" \; &&
			find . -type f -exec cp -p {} "$TRUST_GNUPGHOME/{}" \;)
	fi
	trust_gpg_in "$TRUST_GNUPGHOME" "$@" 2>>"$LAB_TMP/gpg.log" || rc=$?
	if [[ -z "$TRUST_GPG_AGENT_PID" ]]; then
		TRUST_GPG_AGENT_PID=$(trust_gpg_agent_pid "$TRUST_GNUPGHOME")
		[[ -n "$TRUST_GPG_AGENT_PID" ]] && lab_track "$TRUST_GPG_AGENT_PID"
	fi
	return "$rc"
}

# Write detached OpenPGP signature $3 of file $1 made with the key of fingerprint $2.
trust_sign_gpg() {
	trust_gpg --local-user "$2!" --detach-sign --output "$3" "$1" ||
		lab_die "gpg --detach-sign $1 failed (see $LAB_TMP/gpg.log)"
}
