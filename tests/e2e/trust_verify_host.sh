#!/usr/bin/env bash
# `pxeroot verify IMAGE --checksum --cms-cert ... --cms-ca ... --gpg-keyring ...`
# on the host against every trust fixture, each a directory holding the image
# and its companion files: exit 0 and the three ok lines only for the good
# one; every bad one exits 1 with its cause named, as the boot names it.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
VERIFY_RC=0
VERIFY_LOG=""

# Run pxeroot verify on fixture $1's image with the flags $2...; set VERIFY_RC
# and VERIFY_LOG (its output).
run_verify() {
	local name=$1
	shift
	VERIFY_LOG="$LAB_TMP/verify-$name.log"
	VERIFY_RC=0
	"$PXEROOT" verify "$(trust_imgdir "$WEBROOT" "$name")/airootfs.sfs" "$@" >"$VERIFY_LOG" 2>&1 </dev/null || VERIFY_RC=$?
	LAB_LAST_LOG=$VERIFY_LOG
}

# Assert the last run (fixture $1) exited $2, a line matching $3 ($4 describes it).
expect_verify() {
	local name=$1 want=$2 re=$3 desc=$4 rc=0
	[[ "$VERIFY_RC" -eq "$want" ]] || rc=1
	lab_assert "$rc" "$name: pxeroot verify exits $want (it exited $VERIFY_RC)"
	[[ $rc -eq 0 ]] || sed 's/^/#   /' "$VERIFY_LOG"
	expect_line "$VERIFY_LOG" "$re" "$name: $desc"
}

# Every fixture with every check.
check_fixtures() {
	local name re
	local flags=(--checksum --cms-cert "$TRUST_CMS_CERT" --cms-ca "$TRUST_CMS_CA" --gpg-keyring "$TRUST_KEYRING")
	for name in $TRUST_FIXTURES; do
		re="pxeroot: verify $(lab_re_escape "$(trust_imgdir "$WEBROOT" "$name")/airootfs.sfs")"
		run_verify "$name" "${flags[@]}"
		case "$name" in
		good)
			expect_verify "$name" 0 "$re: sha512 ok" "sha512 ok"
			expect_line "$VERIFY_LOG" "$re: cms ok \\(signer .*$TRUST_CMS_CN" "$name: cms ok"
			expect_line "$VERIFY_LOG" "$re: gpg ok \\(key $TRUST_GPG_GOOD_FPR\\)" "$name: gpg ok"
			;;
		tampered | truncated)
			expect_verify "$name" 1 "$re: (sha512|cms|gpg)[: ].*image refused" "refused"
			expect_no_line "$VERIFY_LOG" 'pxeroot: verify .*: (sha512|cms|gpg) ok' "$name: no check passed"
			;;
		wrong_cms_signer) expect_verify "$name" 1 "$re: cms[: ].*image refused" "cms refused" ;;
		bad_gpg) expect_verify "$name" 1 "$re: gpg bad signature .*image refused" "gpg bad signature" ;;
		gpg_unknown_key)
			expect_verify "$name" 1 "$re: gpg key [^ ]*${TRUST_GPG_OTHER_FPR: -16} is not in $(lab_re_escape "$TRUST_KEYRING"): image refused" \
				"gpg names the key that is not in the keyring"
			;;
		no_sig) expect_verify "$name" 1 "$re: gpg check requested \\(verify=y\\) but .*airootfs\\.sfs\\.sig cannot be read" "the signature cannot be read" ;;
		no_cms) expect_verify "$name" 1 "$re: cms check requested \\(cms_verify=y\\) but .*airootfs\\.sfs\\.cms\\.sig cannot be read" "the CMS signature cannot be read" ;;
		no_sha512) expect_verify "$name" 1 "$re: sha512 check requested \\(checksum=y\\) but .*airootfs\\.sha512 cannot be read" "the sha512 list cannot be read" ;;
		*) lab_assert 1 "$name: a fixture this test does not know" ;;
		esac
	done
}

# No check asked for: refused with a usage line, exit 2.
check_no_flags() {
	run_verify good
	expect_verify no-flags 2 "pxeroot: verify: no check asked for" "says that no check was asked for"
}

# Build the fixtures (no server: verify reads the files), check each.
main() {
	local name
	lab_tmpdir
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	trust_setup
	for name in $TRUST_FIXTURES; do
		trust_tree "$name"
		trust_fixture "$TRUST_IMGDIR" "$name"
	done
	check_fixtures
	check_no_flags
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
