# shellcheck shell=bash disable=SC2034
# The trust lab's cache under build/trust (TRUST_DIR), sourced by lib_trust.sh:
# the keys and certificates, the trust initramfs (build/initramfs.img's files
# plus the trust material under /etc/pxeroot) and the live root image, each made
# under the lock beside scenarios running at the same time; the TRUST_* paths.
# Reads MODDIR (the lab kernel's module directory, else build/kernel's).

# The subject CN of the CMS signer the trust initramfs trusts.
readonly TRUST_CMS_CN="pxeroot test codesign"

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
