# shellcheck shell=bash disable=SC2034
# Helpers for the trust scenarios (sha512 lists, CMS and OpenPGP signatures,
# HTTPS with a test CA); `source` it from a scenario instead of lib.sh.
#
#   trust_setup                        keys, certificates and build/trust/initramfs.img
#                                      (made once, rebuilt when the agent or
#                                      build/initramfs.img is newer); sets TRUST_*, INITRD
#   trust_keys                         the keys and certificates only (host-side
#                                      scenarios); sets TRUST_*
#   sign_tree WEBROOT [BASEDIR] [ARCH] airootfs.sha512, airootfs.sfs.cms.sig and
#                                      airootfs.sfs.sig for the tree's image, good keys;
#                                      checked with the host's sha512sum, openssl, gpgv
#   trust_root_sfs OUT                 the live root image (lib_image.sh's, cached in
#                                      build/trust)
#   trust_tree [BASEDIR]               root image (once), signed tree in $LAB_TMP/www:
#                                      sets WEBROOT, TRUST_IMGDIR
#   trust_serve [BASEDIR]              trust_tree, then nginx: also sets HTTP_PORT
#   nginx_tls_start ROOTDIR            nginx with TLS (test CA's server certificate for
#                                      10.0.2.2 and 127.0.0.1) on 127.0.0.1: sets
#                                      HTTPS_PORT, NGINX_TLS_PID, NGINX_TLS_LOG
#   trust_nginx_start ROOTDIR [http|https] [RATE]  the same, either scheme, optional
#                                      nginx limit_rate: sets TRUST_NGINX_PORT/_PID/_LOG
#   trust_fixture NAME DIR             make the signed image directory DIR bad the way
#                                      NAME says, then assert that the host tools judge
#                                      it as trust_fixture_expect NAME says
#   trust_fixture_expect NAME          print "sha512=S cms=S gpg=S" for fixture NAME
#   trust_host_status DIR CHECK        print the host's verdict on DIR's image for CHECK
#                                      (sha512|cms|gpg): ok, mismatch, bad, nosigner,
#                                      untrusted, nokey, missing or error
#   trust_expect_host DIR CHECK=STATUS... assert those verdicts
#   trust_image_url SRV [BASEDIR] [ARCH] print the image URL under archiso_http_srv SRV
#   trust_image_re SRV [BASEDIR] [ARCH]  the same as an extended regex
#   trust_append SRV [EXTRA...]        kernel command line for the tree under SRV
#   trust_expect_booted LOG            assert the live root's init ran on an overlay
#   trust_expect_refused LOG           assert the failure twin: no init, nothing of the
#                                      image mounted, power off, no panic
#
# Fixture names: good tampered truncated wrong_cms_signer bad_gpg gpg_unknown_key
# no_sig no_cms no_sha512. Every certificate is valid from 2024-01-01 to
# 2049-12-31 and the OpenPGP keys and signatures date from 2024-01-01, so that a
# guest whose clock the agent set to its build time accepts them.
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRUST_DIR="$LAB_ROOT/build/trust"
readonly TRUST_NOT_BEFORE=20240101000000Z
readonly TRUST_NOT_AFTER=20491231235959Z
readonly TRUST_GPG_TIME='20240101T000000!'
readonly TRUST_CMS_CN="pxeroot test codesign"
readonly TRUST_FIXTURES="good tampered truncated wrong_cms_signer bad_gpg gpg_unknown_key no_sig no_cms no_sha512"
TRUST_GNUPGHOME=""
TRUST_GPG_AGENT_PID=""

# Write a minimal `openssl ca` configuration for the CA in directory $1.
trust_ca_config() {
	local dir=$1
	cat <<-EOF
		[ ca ]
		default_ca = ca_default
		[ ca_default ]
		dir = $dir
		database = $dir/index.txt
		new_certs_dir = $dir/newcerts
		serial = $dir/serial
		default_md = sha256
		policy = policy_any
		unique_subject = no
		email_in_dn = no
		copy_extensions = none
		[ policy_any ]
		commonName = supplied
		organizationName = optional
		[ req ]
		distinguished_name = req_dn
		[ req_dn ]
		[ ext_ca ]
		basicConstraints = critical,CA:true
		keyUsage = critical,keyCertSign,cRLSign
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid:always
		[ ext_codesign ]
		basicConstraints = critical,CA:false
		keyUsage = critical,digitalSignature
		extendedKeyUsage = codeSigning
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid,issuer
		[ ext_server ]
		basicConstraints = critical,CA:false
		keyUsage = critical,digitalSignature,keyEncipherment
		extendedKeyUsage = serverAuth
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid,issuer
		subjectAltName = IP:10.0.2.2,IP:127.0.0.1
	EOF
}

# Generate private key $1 of kind $2 (rsa or ec).
trust_genkey() {
	case "$2" in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
	esac
	chmod 0600 "$1"
}

# Create a CA in directory $1 with subject CN $2: $1/ca.key and the self-signed
# $1/ca.crt (made by `openssl ca -selfsign` so that its dates can be set).
trust_make_ca() {
	local dir=$1 cn=$2
	mkdir -p "$dir/newcerts"
	: >"$dir/index.txt"
	openssl rand -hex 8 >"$dir/serial"
	trust_ca_config "$dir" >"$dir/ca.cnf"
	trust_genkey "$dir/ca.key" rsa
	openssl req -new -key "$dir/ca.key" -subj "/O=pxeroot tests/CN=$cn" \
		-config "$dir/ca.cnf" -out "$dir/ca.csr"
	openssl ca -batch -notext -config "$dir/ca.cnf" -selfsign -keyfile "$dir/ca.key" \
		-in "$dir/ca.csr" -out "$dir/ca.crt" -extensions ext_ca \
		-startdate "$TRUST_NOT_BEFORE" -enddate "$TRUST_NOT_AFTER" 2>/dev/null
}

# Issue with the CA in directory $1 a key $1/$2.key (kind $5) and certificate
# $1/$2.crt with subject CN $3 and the extension section $4 of the CA config.
trust_issue() {
	local dir=$1 name=$2 cn=$3 ext=$4 kind=$5
	trust_genkey "$dir/$name.key" "$kind"
	openssl req -new -key "$dir/$name.key" -subj "/O=pxeroot tests/CN=$cn" \
		-config "$dir/ca.cnf" -out "$dir/$name.csr"
	openssl ca -batch -notext -config "$dir/ca.cnf" -cert "$dir/ca.crt" -keyfile "$dir/ca.key" \
		-in "$dir/$name.csr" -out "$dir/$name.crt" -extensions "$ext" \
		-startdate "$TRUST_NOT_BEFORE" -enddate "$TRUST_NOT_AFTER" 2>/dev/null
}

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

# Generate every key and certificate under TRUST_DIR (the caller holds the lock).
trust_make_keys() {
	local d=$TRUST_DIR
	lab_need openssl gpg gpgv gpg-connect-agent
	rm -rf "$d/cms" "$d/tls" "$d/gpg" "$d/keys.stamp"
	# CMS: a code-signing CA, the signer it issued, and a second signer of the
	# same CA whose certificate is not the one the image trusts.
	trust_make_ca "$d/cms" "pxeroot test codesign CA"
	trust_issue "$d/cms" codesign "$TRUST_CMS_CN" ext_codesign rsa
	trust_issue "$d/cms" wrong "pxeroot test codesign wrong" ext_codesign rsa
	# TLS: a test CA and the server certificate for 10.0.2.2 and 127.0.0.1.
	trust_make_ca "$d/tls" "pxeroot test TLS CA"
	trust_issue "$d/tls" server "pxeroot test server" ext_server ec
	mkdir -p "$d/gpg"
	trust_make_gpg "$d/gpg" || lab_die "gpg key generation failed (see $d/gpg/gpg.log)"
	touch "$d/keys.stamp"
	lab_note "trust: keys and certificates made in $d"
}

# Print the kernel module directory the lab kernel uses (MODDIR, else the first
# one under build/kernel/lib/modules).
trust_moddir() {
	local d
	if [[ -n "${MODDIR:-}" ]]; then
		echo "$MODDIR"
		return 0
	fi
	for d in "$LAB_ROOT"/build/kernel/lib/modules/*; do
		[[ -d "$d" ]] && echo "$d" && return 0
	done
	lab_die "no kernel modules under build/kernel/lib/modules (make kernel)"
}

# Succeed when build/trust/initramfs.img must be (re)built.
trust_initramfs_stale() {
	local img=$TRUST_DIR/initramfs.img dep
	[[ -f "$img" ]] || return 0
	for dep in "$LAB_ROOT/build/pxeroot" "$LAB_ROOT/build/initramfs.img" \
		"$TRUST_DIR/keys.stamp" "$LAB_ROOT/tools/mkinitramfs.sh"; do
		[[ "$dep" -nt "$img" ]] && return 0
	done
	return 1
}

# Build build/trust/initramfs.img: the standard image plus the trust material
# under /etc/pxeroot; no gpgv, pxeroot checks OpenPGP itself (the caller holds
# the lock).
trust_build_initramfs() {
	local d=$TRUST_DIR moddir
	moddir=$(trust_moddir)
	[[ -x "$LAB_ROOT/build/pxeroot" ]] || lab_die "build/pxeroot missing (make)"
	if ! "$LAB_ROOT/tools/mkinitramfs.sh" --binary "$LAB_ROOT/build/pxeroot" --moddir "$moddir" \
		--out "$d/initramfs.img" \
		--extra "$d/cms/codesign.crt:/etc/pxeroot/codesign.crt" \
		--extra "$d/cms/ca.crt:/etc/pxeroot/codesign_CA.crt" \
		--extra "$d/gpg/keyring.gpg:/etc/pxeroot/keyring.gpg" \
		--extra "$d/tls/ca.crt:/etc/pxeroot/test-ca.crt" >"$d/initramfs.log" 2>&1; then
		sed 's/^/#   /' "$d/initramfs.log"
		lab_die "building $d/initramfs.img failed"
	fi
	lab_note "trust: $(tail -n 1 "$d/initramfs.log")"
}

# Make sure the keys, certificates and the trust initramfs exist (under a lock,
# shared by scenarios running at the same time); export the TRUST_* paths and
# INITRD (the trust initramfs).
trust_setup() {
	trust_prepare initramfs
	export INITRD="$TRUST_INITRD"
}

# Make sure the keys and certificates exist, without the initramfs (for the
# scenarios that run pxeroot on the host); export the TRUST_* paths.
trust_keys() {
	trust_prepare keys
}

# Make the keys and certificates, and with $1 = initramfs the trust initramfs,
# under the lock; export the TRUST_* paths.
trust_prepare() {
	local fd
	lab_tmpdir
	lab_need flock
	mkdir -p "$TRUST_DIR"
	exec {fd}>"$TRUST_DIR/.lock"
	flock "$fd"
	[[ -f "$TRUST_DIR/keys.stamp" ]] || trust_make_keys
	if [[ "$1" == initramfs ]] && trust_initramfs_stale; then
		trust_build_initramfs
	fi
	exec {fd}>&-
	export TRUST_CMS_CERT="$TRUST_DIR/cms/codesign.crt" TRUST_CMS_KEY="$TRUST_DIR/cms/codesign.key"
	export TRUST_CMS_CA="$TRUST_DIR/cms/ca.crt"
	export TRUST_CMS_WRONG_CERT="$TRUST_DIR/cms/wrong.crt" TRUST_CMS_WRONG_KEY="$TRUST_DIR/cms/wrong.key"
	export TRUST_KEYRING="$TRUST_DIR/gpg/keyring.gpg" TRUST_OTHER_KEYRING="$TRUST_DIR/gpg/other-keyring.gpg"
	TRUST_GPG_GOOD_FPR=$(cat "$TRUST_DIR/gpg/good.fpr")
	TRUST_GPG_OTHER_FPR=$(cat "$TRUST_DIR/gpg/other.fpr")
	export TRUST_GPG_GOOD_FPR TRUST_GPG_OTHER_FPR
	export TRUST_TLS_CA="$TRUST_DIR/tls/ca.crt" TRUST_TLS_CERT="$TRUST_DIR/tls/server.crt"
	export TRUST_TLS_KEY="$TRUST_DIR/tls/server.key"
	export TRUST_INITRD="$TRUST_DIR/initramfs.img"
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

# Write archiso's CMS signature $4 (DER, detached, no certificates, no signed
# attributes) of file $1 with certificate $2 and key $3.
trust_sign_cms() {
	openssl cms -sign -binary -nocerts -noattr -outform DER -in "$1" -signer "$2" \
		-inkey "$3" -out "$4" || lab_die "openssl cms -sign $1 failed"
}

# Print the image directory of the tree at WEBROOT $1 (BASEDIR $2, ARCH $3).
trust_imgdir() {
	echo "$1/${2:-arch}/${3:-x86_64}"
}

# Sign the airootfs.sfs of the archiso tree at WEBROOT $1 (BASEDIR $2, default
# arch; ARCH $3, default x86_64) as archiso does: airootfs.sha512,
# airootfs.sfs.cms.sig, airootfs.sfs.sig, all with the good keys; fail unless
# the host's sha512sum, openssl cms and gpgv accept them.
sign_tree() {
	local dir check status
	dir=$(trust_imgdir "${1:?sign_tree WEBROOT [BASEDIR] [ARCH]}" "${2:-}" "${3:-}")
	[[ -f "$dir/airootfs.sfs" ]] || lab_die "sign_tree: $dir/airootfs.sfs missing"
	(cd "$dir" && sha512sum airootfs.sfs >airootfs.sha512)
	trust_sign_cms "$dir/airootfs.sfs" "$TRUST_CMS_CERT" "$TRUST_CMS_KEY" "$dir/airootfs.sfs.cms.sig"
	trust_sign_gpg "$dir/airootfs.sfs" "$TRUST_GPG_GOOD_FPR" "$dir/airootfs.sfs.sig"
	for check in sha512 cms gpg; do
		status=$(trust_host_status "$dir" "$check")
		[[ "$status" == ok ]] || lab_die "sign_tree: the host's $check check of $dir says $status"
	done
}

# Print the host's verdict on the image in directory $1 for check $2, as archiso's
# own commands give it: sha512 (sha512sum -c): ok, mismatch, missing, error;
# cms (openssl cms -verify): ok, bad, nosigner, untrusted, missing;
# gpg (gpgv): ok, bad, nokey, missing, error.
trust_host_status() {
	local dir=$1 check=$2 err out
	case "$check" in
	sha512)
		[[ -f "$dir/airootfs.sha512" ]] || { echo missing; return 0; }
		grep -q ' [ *]airootfs\.sfs$' "$dir/airootfs.sha512" || { echo error; return 0; }
		if (cd "$dir" && sha512sum -c --status airootfs.sha512 2>/dev/null); then
			echo ok
		else
			echo mismatch
		fi
		;;
	cms)
		[[ -f "$dir/airootfs.sfs.cms.sig" ]] || { echo missing; return 0; }
		if err=$(openssl cms -verify -binary -noattr -nointern -purpose any -inform DER \
			-in "$dir/airootfs.sfs.cms.sig" -content "$dir/airootfs.sfs" \
			-certfile "$TRUST_CMS_CERT" -CAfile "$TRUST_CMS_CA" -out /dev/null 2>&1); then
			echo ok
		elif [[ "$err" == *"signer certificate not found"* ]]; then
			echo nosigner
		elif [[ "$err" == *"certificate verify error"* ]]; then
			echo untrusted
		else
			echo bad
		fi
		;;
	gpg)
		[[ -f "$dir/airootfs.sfs.sig" ]] || { echo missing; return 0; }
		mkdir -p "$LAB_TMP/gpgv-home"
		chmod 0700 "$LAB_TMP/gpgv-home"
		out=$(gpgv --homedir "$LAB_TMP/gpgv-home" --status-fd 1 --keyring "$TRUST_KEYRING" \
			"$dir/airootfs.sfs.sig" "$dir/airootfs.sfs" 2>/dev/null) || true
		if grep -q '^\[GNUPG:\] VALIDSIG ' <<<"$out"; then
			echo ok
		elif grep -q '^\[GNUPG:\] BADSIG ' <<<"$out"; then
			echo bad
		elif grep -q '^\[GNUPG:\] NO_PUBKEY ' <<<"$out"; then
			echo nokey
		else
			echo error
		fi
		;;
	*) lab_die "trust_host_status: unknown check $check" ;;
	esac
}

# Assert the host's verdicts on the image in directory $1: the other arguments
# are CHECK=STATUS words (sha512=ok cms=nosigner ...); $TRUST_FIXTURE_LABEL
# prefixes the descriptions.
trust_expect_host() {
	local dir=$1 want check status got
	shift
	for want in "$@"; do
		check=${want%%=*}
		status=${want#*=}
		got=$(trust_host_status "$dir" "$check")
		if [[ "$got" == "$status" ]]; then
			lab_assert 0 "${TRUST_FIXTURE_LABEL:-fixture}: host $check check says $status"
		else
			lab_assert 1 "${TRUST_FIXTURE_LABEL:-fixture}: host $check check says $status (it says $got)"
		fi
	done
}

# Print the host verdicts fixture $1 must get, as CHECK=STATUS words.
trust_fixture_expect() {
	case "$1" in
	good) echo "sha512=ok cms=ok gpg=ok" ;;
	tampered | truncated) echo "sha512=mismatch cms=bad gpg=bad" ;;
	wrong_cms_signer) echo "sha512=ok cms=nosigner gpg=ok" ;;
	bad_gpg) echo "sha512=ok cms=ok gpg=bad" ;;
	gpg_unknown_key) echo "sha512=ok cms=ok gpg=nokey" ;;
	no_sig) echo "sha512=ok cms=ok gpg=missing" ;;
	no_cms) echo "sha512=ok cms=missing gpg=ok" ;;
	no_sha512) echo "sha512=missing cms=ok gpg=ok" ;;
	*) lab_die "unknown fixture $1 (known: $TRUST_FIXTURES)" ;;
	esac
}

# Invert the byte in the middle of file $1 in place (the size is kept).
trust_flip_middle_byte() {
	local file=$1 size off byte
	size=$(stat -c %s "$file")
	off=$((size / 2))
	byte=$(od -An -tu1 -j "$off" -N1 "$file" | tr -d ' ')
	# shellcheck disable=SC2059  # the format is the octal escape of the new byte
	printf "\\$(printf '%03o' $((byte ^ 0xff)))" |
		dd of="$file" bs=1 seek="$off" count=1 conv=notrunc status=none
	[[ "$(stat -c %s "$file")" -eq "$size" ]] || lab_die "flipping a byte changed the size of $file"
}

# Turn the signed image directory $1 into fixture $2 (see the header), then
# assert the host tools' verdicts on it (trust_fixture_expect).
trust_fixture() {
	local dir=$1 name=$2 other size expect=()
	read -r -a expect <<<"$(trust_fixture_expect "$name")"
	case "$name" in
	good) ;;
	tampered) trust_flip_middle_byte "$dir/airootfs.sfs" ;;
	truncated)
		size=$(stat -c %s "$dir/airootfs.sfs")
		truncate -s $((size / 2)) "$dir/airootfs.sfs"
		;;
	wrong_cms_signer)
		trust_sign_cms "$dir/airootfs.sfs" "$TRUST_CMS_WRONG_CERT" "$TRUST_CMS_WRONG_KEY" \
			"$dir/airootfs.sfs.cms.sig"
		;;
	bad_gpg)
		other="$LAB_TMP/other-data.$RANDOM"
		echo "pxeroot: data that is not the image" >"$other"
		trust_sign_gpg "$other" "$TRUST_GPG_GOOD_FPR" "$dir/airootfs.sfs.sig"
		;;
	gpg_unknown_key) trust_sign_gpg "$dir/airootfs.sfs" "$TRUST_GPG_OTHER_FPR" "$dir/airootfs.sfs.sig" ;;
	no_sig) rm -f "$dir/airootfs.sfs.sig" ;;
	no_cms) rm -f "$dir/airootfs.sfs.cms.sig" ;;
	no_sha512) rm -f "$dir/airootfs.sha512" ;;
	esac
	TRUST_FIXTURE_LABEL="fixture $name" trust_expect_host "$dir" "${expect[@]}"
}

# Copy the lab's live root image to $1: lib_image.sh's make_root_sfs, cached as
# build/trust/root.sfs (under the lock) and made again when lib_image.sh or
# busybox is newer than the cached image.
trust_root_sfs() {
	local out=$1 cache=$TRUST_DIR/root.sfs fd busybox
	mkdir -p "$TRUST_DIR"
	exec {fd}>"$TRUST_DIR/.lock"
	flock "$fd"
	busybox=$(command -v busybox || echo /nonexistent)
	if [[ ! -f "$cache" || "$LAB_ROOT/tests/e2e/lib_image.sh" -nt "$cache" || "$busybox" -nt "$cache" ]]; then
		make_root_sfs "$cache.tmp"
		mv -f "$cache.tmp" "$cache"
	fi
	exec {fd}>&-
	cp "$cache" "$out"
}

# Add a signed archiso tree with BASEDIR $1 (default arch) to $LAB_TMP/www,
# with the root image of trust_root_sfs; set WEBROOT and TRUST_IMGDIR.
trust_tree() {
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	[[ -f "$LAB_TMP/root.sfs" ]] || trust_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_tree "$WEBROOT" "$LAB_TMP/root.sfs" "${1:-arch}"
	sign_tree "$WEBROOT" "${1:-arch}"
	TRUST_IMGDIR=$(trust_imgdir "$WEBROOT" "${1:-arch}")
}

# Build a signed archiso tree (BASEDIR $1, default arch) as trust_tree does and
# serve $LAB_TMP/www with nginx; set WEBROOT, TRUST_IMGDIR and HTTP_PORT.
trust_serve() {
	trust_tree "${1:-arch}"
	nginx_start "$WEBROOT"
}

# Start nginx serving directory $1 on a free port of 127.0.0.1 with scheme $2
# (http, or https with the test CA's server certificate) and nginx limit_rate $3
# (optional); export TRUST_NGINX_PORT, TRUST_NGINX_PID and TRUST_NGINX_LOG (its
# access log). HTTP_PORT and the other exports of nginx_start are left as they
# were, so a scenario can run this beside a plain server.
trust_nginx_start() {
	local root=${1:?trust_nginx_start ROOTDIR [http|https] [RATE]} scheme=${2:-http} rate=${3:-} tls=""
	local keep_port=${HTTP_PORT:-} keep_addr=${HTTP_ADDR:-} keep_pid=${NGINX_PID:-} keep_log=${NGINX_LOG:-}
	if [[ "$scheme" == https ]]; then
		[[ -f "${TRUST_TLS_CERT:-}" ]] || lab_die "trust_nginx_start: no server certificate (call trust_setup)"
		tls=" ssl; ssl_certificate $TRUST_TLS_CERT; ssl_certificate_key $TRUST_TLS_KEY"
	fi
	NGINX_ADDR=127.0.0.1 NGINX_NETNS="" NGINX_LISTEN_EXTRA=$tls NGINX_RATE=$rate nginx_start "$root"
	export TRUST_NGINX_PORT=$HTTP_PORT TRUST_NGINX_PID=$NGINX_PID TRUST_NGINX_LOG=$NGINX_LOG
	export HTTP_PORT=$keep_port HTTP_ADDR=$keep_addr NGINX_PID=$keep_pid NGINX_LOG=$keep_log
}

# Start nginx serving directory $1 over TLS on a free port of 127.0.0.1 (the
# guest reaches it as https://10.0.2.2:PORT/); export HTTPS_PORT,
# NGINX_TLS_PID and NGINX_TLS_LOG (its access log). Needs trust_setup.
nginx_tls_start() {
	trust_nginx_start "${1:?nginx_tls_start ROOTDIR}" https
	export HTTPS_PORT=$TRUST_NGINX_PORT NGINX_TLS_PID=$TRUST_NGINX_PID NGINX_TLS_LOG=$TRUST_NGINX_LOG
}

# Print the image URL for archiso_http_srv $1 (ending in /), BASEDIR $2, ARCH $3.
trust_image_url() {
	echo "${1:?trust_image_url SRV}${2:-arch}/${3:-x86_64}/airootfs.sfs"
}

# Print trust_image_url's URL as an extended regex matching just that URL.
trust_image_re() {
	lab_re_escape "$(trust_image_url "$@")"
}

# Serve a signed archiso tree over HTTP, turn it into fixture $1 ("good" keeps
# it as it is) and boot it with the extra words $2... and pxeroot.debug; set
# LOG (the serial log) and URL_RE (the image URL as a regex).
trust_boot_fixture() {
	local fixture=${1:?trust_boot_fixture FIXTURE [WORDS...]} srv
	shift
	lab_tmpdir
	trust_setup
	LOG="$LAB_TMP/serial.log"
	trust_serve arch
	[[ "$fixture" == good ]] || trust_fixture "$TRUST_IMGDIR" "$fixture"
	srv="http://10.0.2.2:$HTTP_PORT/"
	URL_RE=$(trust_image_re "$srv")
	qemu_boot "$LOG" "$(trust_append "$srv" "$@" pxeroot.debug)"
}

# Print the kernel command line that boots the archiso tree under
# archiso_http_srv $1 (DHCP, basedir arch, power off on a failure), plus $2...
# (later words win, archisobasedir= included).
trust_append() {
	local srv=${1:?trust_append SRV [EXTRA...]} extra=""
	shift
	[[ $# -gt 0 ]] && extra=" $*"
	echo "ip=dhcp archiso_http_srv=$srv archisobasedir=arch pxeroot.onerror=poweroff$extra"
}

# Assert that the live root's init ran on an overlay over a read-only squashfs
# and that the kernel did not panic (serial log $1).
trust_expect_booted() {
	local log=$1
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ \S+ squashfs ro' "squashfs mounted read-only from a loop device"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
}

# Assert the failure twin on serial log $1 (booted with pxeroot.debug and
# pxeroot.onerror=poweroff): the live root's init never ran, the mount table
# dump names nothing of the image, the agent powered off, no kernel panic.
trust_expect_refused() {
	local log=$1
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log"
}
