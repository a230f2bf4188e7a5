#!/usr/bin/env bash
# The trust lab itself, on the host, without a VM: the certificates chain and
# date from 2024-01-01, the keyring holds only the good OpenPGP key, every
# fixture is judged by archiso's own commands (sha512sum, openssl cms, gpgv) as
# intended, nginx serves over TLS what curl accepts with the test CA only, and
# build/trust/initramfs.img holds the trust material, no gpgv, and a pxeroot
# that verifies OpenPGP signatures with it.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Print the notBefore of certificate $1 as seconds since the epoch.
cert_start() {
	date -u -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s
}

# Assert what the certificates are: chains, dates, the server's addresses.
check_certs() {
	local limit cert rc text
	limit=$(date -u -d 2024-01-01T00:00:00Z +%s)
	for cert in "$TRUST_CMS_CA" "$TRUST_CMS_CERT" "$TRUST_CMS_WRONG_CERT" "$TRUST_TLS_CA" "$TRUST_TLS_CERT"; do
		rc=0
		[[ "$(cert_start "$cert")" -le "$limit" ]] || rc=1
		lab_assert "$rc" "certificate ${cert#"$LAB_ROOT/"} is valid since 2024-01-01 or earlier"
	done
	rc=0
	openssl verify -purpose any -CAfile "$TRUST_CMS_CA" "$TRUST_CMS_CERT" "$TRUST_CMS_WRONG_CERT" >/dev/null 2>&1 || rc=$?
	lab_assert "$rc" "both CMS signers are issued by the code-signing CA"
	rc=0
	cmp -s "$TRUST_CMS_CERT" "$TRUST_CMS_WRONG_CERT" && rc=1
	lab_assert "$rc" "the wrong CMS signer is another certificate"
	rc=0
	openssl verify -purpose sslserver -CAfile "$TRUST_TLS_CA" "$TRUST_TLS_CERT" >/dev/null 2>&1 || rc=$?
	lab_assert "$rc" "the server certificate is issued by the TLS test CA for a server"
	text=$(openssl x509 -in "$TRUST_TLS_CERT" -noout -ext subjectAltName)
	rc=0
	[[ "$text" == *"IP Address:10.0.2.2"* && "$text" == *"IP Address:127.0.0.1"* ]] || rc=1
	lab_assert "$rc" "the server certificate names IP 10.0.2.2 and 127.0.0.1"
}

# Print gpg --show-keys of the keyring files given, in colon format, with a
# GnuPG home of this scenario's own (never the user's ~/.gnupg).
show_keys() {
	[[ -d "$LAB_TMP/gpg-show" ]] || mkdir -m 0700 "$LAB_TMP/gpg-show"
	gpg --homedir "$LAB_TMP/gpg-show" --batch --no-tty --with-colons --show-keys "$@" 2>/dev/null
}

# Assert what the OpenPGP keyrings hold and when the keys were made.
check_keyrings() {
	local rc fprs created limit
	limit=$(date -u -d 2024-01-01T00:00:00Z +%s)
	fprs=$(show_keys "$TRUST_KEYRING" | awk -F: '$1 == "fpr" { print $10 }' | head -n 1)
	rc=0
	[[ "$fprs" == "$TRUST_GPG_GOOD_FPR" ]] || rc=1
	lab_assert "$rc" "keyring.gpg holds the good key $TRUST_GPG_GOOD_FPR"
	rc=0
	show_keys "$TRUST_KEYRING" | grep -q "$TRUST_GPG_OTHER_FPR" && rc=1
	lab_assert "$rc" "keyring.gpg does not hold the other key $TRUST_GPG_OTHER_FPR"
	created=$(show_keys "$TRUST_KEYRING" "$TRUST_OTHER_KEYRING" |
		awk -F: '$1 == "pub" { print $6 }' | sort -n | tail -n 1)
	rc=0
	[[ -n "$created" && "$created" -le "$limit" ]] || rc=1
	lab_assert "$rc" "both OpenPGP keys were created on 2024-01-01 or earlier"
}

# Make every fixture in its own tree under $LAB_TMP/fx and check the host's
# verdicts; then check that the foreign signatures are genuine ones by the
# other key and the wrong signer (so each fixture is bad for one reason only).
check_fixtures() {
	local name dir rc out
	trust_root_sfs "$LAB_TMP/root.sfs"
	for name in $TRUST_FIXTURES; do
		make_archiso_tree "$LAB_TMP/fx/$name" "$LAB_TMP/root.sfs"
		sign_tree "$LAB_TMP/fx/$name"
		trust_fixture "$(trust_imgdir "$LAB_TMP/fx/$name")" "$name"
	done
	dir=$(trust_imgdir "$LAB_TMP/fx/gpg_unknown_key")
	mkdir -p "$LAB_TMP/gpgv-home"
	chmod 0700 "$LAB_TMP/gpgv-home"
	out=$(gpgv --homedir "$LAB_TMP/gpgv-home" --status-fd 1 --keyring "$TRUST_OTHER_KEYRING" \
		"$dir/airootfs.sfs.sig" "$dir/airootfs.sfs" 2>/dev/null) || true
	rc=0
	grep -q "^\[GNUPG:\] VALIDSIG $TRUST_GPG_OTHER_FPR " <<<"$out" || rc=1
	lab_assert "$rc" "fixture gpg_unknown_key: a good signature by the other key"
	dir=$(trust_imgdir "$LAB_TMP/fx/wrong_cms_signer")
	rc=0
	openssl cms -verify -binary -noattr -nointern -purpose any -inform DER \
		-in "$dir/airootfs.sfs.cms.sig" -content "$dir/airootfs.sfs" \
		-certfile "$TRUST_CMS_WRONG_CERT" -CAfile "$TRUST_CMS_CA" -out /dev/null 2>/dev/null || rc=$?
	lab_assert "$rc" "fixture wrong_cms_signer: a good signature by the wrong signer"
	dir=$(trust_imgdir "$LAB_TMP/fx/tampered")
	rc=0
	cmp -s "$dir/airootfs.sfs" "$LAB_TMP/root.sfs" && rc=1
	[[ "$(stat -c %s "$dir/airootfs.sfs")" -eq "$(stat -c %s "$LAB_TMP/root.sfs")" ]] || rc=1
	lab_assert "$rc" "fixture tampered: same size, other bytes"
}

# Serve the good tree over TLS and check that curl trusts it with the test CA
# only.
check_tls() {
	local url rc
	nginx_tls_start "$LAB_TMP/fx/good"
	url="https://127.0.0.1:$HTTPS_PORT/arch/x86_64/airootfs.sfs"
	rc=0
	curl -sSf --cacert "$TRUST_TLS_CA" -o "$LAB_TMP/tls-copy.sfs" "$url" || rc=$?
	[[ $rc -eq 0 ]] && { cmp -s "$LAB_TMP/tls-copy.sfs" "$LAB_TMP/root.sfs" || rc=1; }
	lab_assert "$rc" "curl --cacert test-ca gets the image over TLS unchanged"
	rc=0
	curl -sS -o /dev/null --cacert /etc/ssl/certs/ca-certificates.crt "$url" 2>/dev/null || rc=$?
	expect_ok "curl with the system CA bundle refuses the server (exit 60, got $rc)" test "$rc" -eq 60
	rc=0
	curl -sS -o /dev/null --cacert "$TRUST_CMS_CA" "$url" 2>/dev/null || rc=$?
	expect_ok "curl with the code-signing CA refuses the server (exit 60, got $rc)" test "$rc" -eq 60
}

# Unpack build/trust/initramfs.img and check the trust material in it and that
# there is no gpgv; then run the image's own /init (pxeroot) in a chroot as
# `pxeroot fetch` with the image's keyring on the good and bad_gpg trees served
# over HTTP: it accepts the one and refuses the other.
check_initramfs() {
	local root=$LAB_TMP/initramfs pair rc out base
	mkdir -p "$root"
	lab_unpack_initrd "$TRUST_INITRD" "$root"
	for pair in "$TRUST_CMS_CERT:/etc/pxeroot/codesign.crt" "$TRUST_CMS_CA:/etc/pxeroot/codesign_CA.crt" \
		"$TRUST_KEYRING:/etc/pxeroot/keyring.gpg" "$TRUST_TLS_CA:/etc/pxeroot/test-ca.crt"; do
		rc=0
		cmp -s "${pair%%:*}" "$root${pair#*:}" || rc=1
		lab_assert "$rc" "initramfs holds ${pair#*:}"
	done
	rc=0
	[[ -e "$root/usr/bin/gpgv" || -e "$root/bin/gpgv" ]] && rc=1
	lab_assert "$rc" "initramfs holds no gpgv (pxeroot checks OpenPGP itself)"
	trust_nginx_start "$LAB_TMP/fx" http
	base="http://127.0.0.1:$TRUST_NGINX_PORT"
	mkdir -p "$root/tmp"
	rc=0
	out=$(chroot "$root" /init fetch "$base/good/arch/x86_64/airootfs.sfs" /tmp/good.sfs \
		--gpg-keyring /etc/pxeroot/keyring.gpg 2>&1) || rc=$?
	[[ "$out" == *"gpg ok (key $TRUST_GPG_GOOD_FPR)"* ]] || rc=1
	lab_assert "$rc" "pxeroot in the initramfs accepts the good tree with /etc/pxeroot/keyring.gpg"
	[[ $rc -eq 0 ]] || printf '#   %s\n' "${out//$'\n'/$'\n'#   }"
	rc=0
	out=$(chroot "$root" /init fetch "$base/bad_gpg/arch/x86_64/airootfs.sfs" /tmp/bad.sfs \
		--gpg-keyring /etc/pxeroot/keyring.gpg 2>&1) && rc=1
	[[ "$out" == *"gpg bad signature"* && ! -e "$root/tmp/bad.sfs" ]] || rc=1
	lab_assert "$rc" "pxeroot in the initramfs refuses the bad_gpg tree"
	[[ $rc -eq 0 ]] || printf '#   %s\n' "${out//$'\n'/$'\n'#   }"
}

# Run every check.
main() {
	lab_tmpdir
	trust_setup
	lab_need curl cmp cpio chroot
	check_certs
	check_keyrings
	check_fixtures
	check_tls
	check_initramfs
	scenario_end ""
}

main "$@"
