# shellcheck shell=bash disable=SC2034
# The signed archiso trees, sourced by lib_trust.sh: a tree signed with the good
# keys as archiso signs it, the host tools' verdict on each of its checks, and
# the fixtures (TRUST_FIXTURES) that make a signed tree bad in one way each.

readonly TRUST_FIXTURES="good tampered truncated wrong_cms_signer bad_gpg gpg_unknown_key no_sig no_cms no_sha512"

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
