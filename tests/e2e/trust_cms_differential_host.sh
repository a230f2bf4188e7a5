#!/usr/bin/env bash
# CMS verdicts of pxeroot against openssl's, on the host, without a VM: each
# fixture is an image, its DER CMS signature, a codesign.crt and (not always) a
# codesign_CA.crt, made with openssl; the verdict of
#   openssl cms -verify -binary -noattr -nointern -purpose any -inform DER
#       -in SIG -content IMG -certfile codesign.crt -CAfile codesign_CA.crt
# (codesign.crt as the CA file when there is no CA) must be the verdict of
#   pxeroot fetch URL FILE --cms-cert codesign.crt [--cms-ca codesign_CA.crt]
# against nginx on 127.0.0.1. One line per fixture gives both verdicts; each
# fixture also asserts the verdict openssl is meant to give it, so that a
# fixture that does not test what it says fails too.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
# name:verdict openssl gives it
readonly CMS_FIXTURES="
self_signed:ok
self_signed_wrong_ca:refused
ca_signer:ok
ca_signer_without_ca:refused
ec_signer:ok
sha512_digest:ok
certs_embedded:ok
inter_embedded:ok
inter_in_certfile:refused
inter_in_cafile:ok
inter_missing:refused
inter_embedded_other_root:refused
signer_embedded_only:refused
signer_in_cafile_only:refused
wrong_signer:refused
untrusted_ca:refused
tampered:refused
truncated:refused
signed_attrs:ok
signed_attrs_tampered:refused
two_signers:ok
two_signers_one_unknown:refused
expired_signer:refused
not_yet_valid_signer:refused
attached:ok
attached_other_content:refused
garbage:refused
"
PKI=""
IMAGE=""

# Turn certificate $2 (key $2 with .key) issued by the CA in directory $1 into
# the CA directory $3 that `openssl ca` (trust_issue) can issue from.
sub_ca_dir() {
	local parent=$1 name=$2 dir=$3
	mkdir -p "$dir/newcerts"
	: >"$dir/index.txt"
	openssl rand -hex 8 >"$dir/serial"
	trust_ca_config "$dir" >"$dir/ca.cnf"
	cp "$parent/$name.key" "$dir/ca.key"
	cp "$parent/$name.crt" "$dir/ca.crt"
}

# Make the certificates under $PKI: a self-signed signer as archiso's docs make
# it (self/), a root CA with signers good, other (ec), expired, future
# (root/), an intermediate of it with a signer (inter/), and a second root CA
# with its own intermediate and signer (alien/, alien_inter/).
make_pki() {
	local now_cn="pxeroot cms differential"
	mkdir -p "$PKI/self"
	openssl req -newkey rsa:2048 -nodes -keyout "$PKI/self/self.key" -x509 -days 365 \
		-subj "/CN=$now_cn self-signed" -out "$PKI/self/self.crt" 2>/dev/null
	trust_make_ca "$PKI/root" "$now_cn root CA"
	trust_issue "$PKI/root" good "$now_cn signer" ext_codesign rsa
	trust_issue "$PKI/root" other "$now_cn other signer" ext_codesign ec
	trust_issue "$PKI/root" expired "$now_cn expired signer" ext_codesign rsa 20200101000000Z 20210101000000Z
	trust_issue "$PKI/root" future "$now_cn future signer" ext_codesign rsa 20480101000000Z 20490101000000Z
	trust_issue "$PKI/root" inter "$now_cn intermediate CA" ext_ca rsa
	sub_ca_dir "$PKI/root" inter "$PKI/inter"
	trust_issue "$PKI/inter" leaf "$now_cn signer under the intermediate" ext_codesign rsa
	trust_make_ca "$PKI/alien" "$now_cn alien root CA"
	trust_issue "$PKI/alien" inter "$now_cn alien intermediate CA" ext_ca rsa
	sub_ca_dir "$PKI/alien" inter "$PKI/alien_inter"
	trust_issue "$PKI/alien_inter" leaf "$now_cn alien signer" ext_codesign rsa
}

# Sign file $1 into DER signature $2 with certificate/key prefix $3 (the .crt
# and .key beside it), more openssl cms -sign arguments after it.
cms_sign() {
	local in=$1 out=$2 who=$3
	shift 3
	openssl cms -sign -binary -outform DER -in "$in" -out "$out" -signer "$who.crt" -inkey "$who.key" "$@" ||
		lab_die "openssl cms -sign for $out failed"
}

# Fill fixture directory $2 for fixture $1: img, img.cms.sig, codesign.crt and,
# when the fixture has a CA, codesign_CA.crt.
make_fixture() {
	local name=$1 d=$2 sig=$2/img.cms.sig
	local archiso=(-nocerts -noattr)
	mkdir -p "$d"
	cp "$IMAGE" "$d/img"
	case "$name" in
	self_signed | self_signed_wrong_ca)
		cms_sign "$d/img" "$sig" "$PKI/self/self" "${archiso[@]}"
		cp "$PKI/self/self.crt" "$d/codesign.crt"
		[[ "$name" == self_signed ]] || cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	ca_signer | ca_signer_without_ca | tampered | truncated)
		cms_sign "$d/img" "$sig" "$PKI/root/good" "${archiso[@]}"
		cp "$PKI/root/good.crt" "$d/codesign.crt"
		[[ "$name" == ca_signer_without_ca ]] || cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		[[ "$name" != tampered ]] || trust_flip_middle_byte "$d/img"
		[[ "$name" != truncated ]] || truncate -s $(($(stat -c %s "$d/img") - 1)) "$d/img"
		;;
	ec_signer)
		cms_sign "$d/img" "$sig" "$PKI/root/other" "${archiso[@]}"
		cp "$PKI/root/other.crt" "$d/codesign.crt"
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	sha512_digest)
		cms_sign "$d/img" "$sig" "$PKI/root/good" "${archiso[@]}" -md sha512
		cp "$PKI/root/good.crt" "$d/codesign.crt"
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	certs_embedded)
		cms_sign "$d/img" "$sig" "$PKI/root/good" -noattr
		cp "$PKI/root/good.crt" "$d/codesign.crt"
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	inter_*) make_inter_fixture "$name" "$d" ;;
	signer_embedded_only)
		cms_sign "$d/img" "$sig" "$PKI/root/good" -noattr
		cp "$PKI/root/other.crt" "$d/codesign.crt"
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	signer_in_cafile_only)
		cms_sign "$d/img" "$sig" "$PKI/root/good" "${archiso[@]}"
		cp "$PKI/root/other.crt" "$d/codesign.crt"
		cat "$PKI/root/ca.crt" "$PKI/root/good.crt" >"$d/codesign_CA.crt"
		;;
	*) make_other_fixture "$name" "$d" ;;
	esac
}

# The fixtures of make_fixture ($1, directory $2) whose signer is under an
# intermediate CA: carried in the signature, only in codesign.crt, only in the
# CA file, nowhere; or carried but under a root the CA file does not hold.
make_inter_fixture() {
	local name=$1 d=$2 sig=$2/img.cms.sig
	case "$name" in
	inter_embedded)
		cms_sign "$d/img" "$sig" "$PKI/inter/leaf" -noattr -certfile "$PKI/inter/ca.crt"
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	inter_in_certfile)
		cms_sign "$d/img" "$sig" "$PKI/inter/leaf" -nocerts -noattr
		cat "$PKI/inter/leaf.crt" "$PKI/inter/ca.crt" >"$d/codesign.crt"
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	inter_in_cafile)
		cms_sign "$d/img" "$sig" "$PKI/inter/leaf" -nocerts -noattr
		cat "$PKI/root/ca.crt" "$PKI/inter/ca.crt" >"$d/codesign_CA.crt"
		;;
	inter_missing)
		cms_sign "$d/img" "$sig" "$PKI/inter/leaf" -nocerts -noattr
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	inter_embedded_other_root)
		cms_sign "$d/img" "$sig" "$PKI/alien_inter/leaf" -noattr -certfile "$PKI/alien_inter/ca.crt"
		cp "$PKI/alien_inter/leaf.crt" "$d/codesign.crt"
		cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
		;;
	esac
	[[ -f "$d/codesign.crt" ]] || cp "$PKI/inter/leaf.crt" "$d/codesign.crt"
}

# The remaining fixtures of make_fixture ($1, directory $2): other signers,
# signed attributes, two signers, dates, attached content, garbage.
make_other_fixture() {
	local name=$1 d=$2 sig=$2/img.cms.sig
	cp "$PKI/root/ca.crt" "$d/codesign_CA.crt"
	cp "$PKI/root/good.crt" "$d/codesign.crt"
	case "$name" in
	wrong_signer) cms_sign "$d/img" "$sig" "$PKI/root/other" -nocerts -noattr ;;
	untrusted_ca)
		cms_sign "$d/img" "$sig" "$PKI/alien_inter/leaf" -nocerts -noattr
		cp "$PKI/alien_inter/leaf.crt" "$d/codesign.crt"
		;;
	signed_attrs | signed_attrs_tampered)
		cms_sign "$d/img" "$sig" "$PKI/root/good" -nocerts
		[[ "$name" == signed_attrs ]] || trust_flip_middle_byte "$d/img"
		;;
	two_signers | two_signers_one_unknown)
		cms_sign "$d/img" "$sig" "$PKI/root/good" -nocerts -noattr \
			-signer "$PKI/root/other.crt" -inkey "$PKI/root/other.key"
		[[ "$name" == two_signers_one_unknown ]] || cat "$PKI/root/other.crt" >>"$d/codesign.crt"
		;;
	expired_signer | not_yet_valid_signer)
		local who=expired
		[[ "$name" == expired_signer ]] || who=future
		cms_sign "$d/img" "$sig" "$PKI/root/$who" -nocerts -noattr
		cp "$PKI/root/$who.crt" "$d/codesign.crt"
		;;
	attached | attached_other_content)
		# the signature carries the image: a small one, companions are 64 KiB at most
		head -c 4096 "$IMAGE" >"$d/img"
		cms_sign "$d/img" "$sig" "$PKI/root/good" -nocerts -noattr -nodetach
		[[ "$name" == attached ]] || trust_flip_middle_byte "$d/img"
		;;
	garbage) head -c 600 /dev/urandom >"$sig" ;;
	*) lab_die "unknown fixture $name" ;;
	esac
}

# Print openssl's verdict (ok or refused) on fixture directory $1.
openssl_verdict() {
	local d=$1 ca=$1/codesign_CA.crt
	[[ -f "$ca" ]] || ca=$d/codesign.crt
	if openssl cms -verify -binary -noattr -nointern -purpose any -inform DER -in "$d/img.cms.sig" \
		-content "$d/img" -certfile "$d/codesign.crt" -CAfile "$ca" -out /dev/null >"$d/openssl.log" 2>&1; then
		echo ok
	else
		echo refused
	fi
}

# Print pxeroot's verdict on fixture $1 served under $2: ok (exit 0 and a cms
# ok line), refused (exit 1 and a cms refusal line) or error (anything else).
pxeroot_verdict() {
	local name=$1 base=$2 d=$LAB_TMP/fx/$1 rc=0 flags=()
	flags=(--cms-cert "$d/codesign.crt")
	[[ ! -f "$d/codesign_CA.crt" ]] || flags+=(--cms-ca "$d/codesign_CA.crt")
	"$PXEROOT" fetch "$base/$name/img" "$LAB_TMP/out/$name" "${flags[@]}" \
		>"$d/pxeroot.log" 2>&1 </dev/null || rc=$?
	LAB_LAST_LOG=$d/pxeroot.log
	if [[ $rc -eq 0 ]] && grep -q ": cms ok (" "$d/pxeroot.log"; then
		echo ok
	elif [[ $rc -eq 1 ]] && grep -qE ": cms[: ].*image refused$" "$d/pxeroot.log" &&
		[[ ! -e "$LAB_TMP/out/$name" ]]; then
		echo refused
	else
		echo "error(exit $rc)"
	fi
}

# Judge every fixture with both and assert that the verdicts agree.
check_fixtures() {
	local entry name want got_ssl got_px base="http://127.0.0.1:$HTTP_PORT"
	mkdir -p "$LAB_TMP/out"
	for entry in $CMS_FIXTURES; do
		name=${entry%%:*}
		want=${entry#*:}
		got_ssl=$(openssl_verdict "$LAB_TMP/fx/$name")
		got_px=$(pxeroot_verdict "$name" "$base")
		expect_ok "fixture $name: openssl says $want as intended (it says $got_ssl)" test "$got_ssl" = "$want"
		expect_ok "$(printf '%-26s openssl %-8s pxeroot %s' "$name" "$got_ssl" "$got_px")" test "$got_px" = "$got_ssl"
		[[ "$got_px" == "$got_ssl" ]] || sed 's/^/#   /' "$LAB_TMP/fx/$name/pxeroot.log"
	done
}

# Make the certificates and fixtures, serve them, compare every verdict.
main() {
	local entry
	lab_tmpdir
	lab_need openssl
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	PKI=$LAB_TMP/pki
	IMAGE=$LAB_TMP/image
	make_pki
	head -c 262144 /dev/urandom >"$IMAGE"
	for entry in $CMS_FIXTURES; do
		make_fixture "${entry%%:*}" "$LAB_TMP/fx/${entry%%:*}"
	done
	nginx_start "$LAB_TMP/fx"
	check_fixtures
	scenario_end ""
}

main "$@"
