#!/usr/bin/env bash
# Benchmark: what does verifying cost when it runs in the download's pass?
# A random 1 GiB "airootfs.sfs" (cached in build/bench/) with its airootfs.sha512,
# airootfs.sfs.cms.sig and airootfs.sfs.sig, served by nginx on 127.0.0.1 and
# downloaded into a tmpfs, three ways:
#   (a) bare:       curl -o of the image alone, no check;
#   (b) sequential: archiso's way: curl the image and its three companions, then
#                   sha512sum -c, openssl cms -verify, gpgv, one after the other;
#   (c) pxeroot:    build/pxeroot fetch URL FILE --checksum --cms-cert ... --gpg-keyring ...
#                   (the same three checks while the bytes arrive).
#
#   tests/bench/trust.sh       BENCH_RUNS=N (default 3) rounds; BENCH_MIB=N (default 1024);
#                              BENCH_RATE=110m caps nginx's rate per connection
#                              (bytes/s, nginx limit_rate) to model a real link
#                              (default: loopback at full speed)
#
# Prints every time, then (best of the rounds)
#   figure: bare curl X s; sequential Y s; pxeroot Z s; pxeroot/bare R1 (target <= 1.1); sequential/pxeroot R2 (target >= 2)
# Exits 1 when a download or a check fails, or build/pxeroot lacks the flags;
# the ratios themselves are reported, not enforced.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_trust.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

BENCH_DIR="$LAB_ROOT/build/bench"
BENCH_URL=""
PXEROOT="$LAB_ROOT/build/pxeroot"

# Fail unless build/pxeroot's fetch takes the verification flags.
bench_need_pxeroot() {
	local usage
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	usage=$("$PXEROOT" fetch --help 2>&1 || true)
	if [[ "$usage" != *--cms-cert* || "$usage" != *--gpg-keyring* || "$usage" != *--checksum* ]]; then
		lab_die "$PXEROOT fetch does not take --checksum/--cms-cert/--gpg-keyring yet (usage: ${usage//$'\n'/ })"
	fi
}

# Make (once) the random image of BENCH_MIB MiB under build/bench/www/arch/x86_64
# and sign it with the trust keys unless its companions are newer than it and
# the keys; set BENCH_IMGDIR.
bench_make_image() {
	local mib=$1 img comp fresh=1
	BENCH_IMGDIR=$(trust_imgdir "$BENCH_DIR/www")
	img="$BENCH_IMGDIR/airootfs.sfs"
	mkdir -p "$BENCH_IMGDIR"
	if [[ ! -f "$img" || "$(stat -c %s "$img")" -ne $((mib * 1048576)) ]]; then
		lab_note "making a random $mib MiB image in $img"
		head -c "$((mib * 1048576))" /dev/urandom >"$img.tmp"
		mv -f "$img.tmp" "$img"
	fi
	for comp in airootfs.sha512 airootfs.sfs.cms.sig airootfs.sfs.sig; do
		[[ -f "$BENCH_IMGDIR/$comp" && "$BENCH_IMGDIR/$comp" -nt "$img" &&
			"$BENCH_IMGDIR/$comp" -nt "$TRUST_DIR/keys.stamp" ]] || fresh=0
	done
	if [[ $fresh -eq 0 ]]; then
		lab_note "signing $img (sha512, CMS, OpenPGP)"
		sign_tree "$BENCH_DIR/www"
	fi
}

# Case (a): download the image alone.
bench_bare() {
	curl -sSf -o "$BENCH_DST" "$BENCH_URL"
}

# Case (b): archiso's sequence: the image and its companions, then each check.
bench_sequential() {
	local dir=$BENCH_MNT base=${BENCH_URL%/*}
	curl -sSf -o "$dir/airootfs.sfs" "$BENCH_URL"
	curl -sSf -o "$dir/airootfs.sha512" "$base/airootfs.sha512"
	curl -sSf -o "$dir/airootfs.sfs.cms.sig" "$base/airootfs.sfs.cms.sig"
	curl -sSf -o "$dir/airootfs.sfs.sig" "$base/airootfs.sfs.sig"
	(cd "$dir" && sha512sum -c --status airootfs.sha512)
	openssl cms -verify -binary -noattr -nointern -purpose any -inform DER \
		-in "$dir/airootfs.sfs.cms.sig" -content "$dir/airootfs.sfs" \
		-certfile "$TRUST_CMS_CERT" -CAfile "$TRUST_CMS_CA" -out /dev/null 2>/dev/null
	gpgv --homedir "$LAB_TMP/gpgv-home" --keyring "$TRUST_KEYRING" \
		"$dir/airootfs.sfs.sig" "$dir/airootfs.sfs" 2>/dev/null
}

# Case (c): pxeroot's one pass with the three checks.
bench_pxeroot() {
	"$PXEROOT" fetch "$BENCH_URL" "$BENCH_DST" --checksum --cms-cert "$TRUST_CMS_CERT" \
		--cms-ca "$TRUST_CMS_CA" --gpg-keyring "$TRUST_KEYRING" >"$LAB_TMP/pxeroot-fetch.log" 2>&1
	grep -q ': sha512 ok' "$LAB_TMP/pxeroot-fetch.log" &&
		grep -q ': cms ok ' "$LAB_TMP/pxeroot-fetch.log" &&
		grep -q ': gpg ok ' "$LAB_TMP/pxeroot-fetch.log"
}

# Run case function $1 on an empty destination; print its wall time in seconds
# (3 decimals). On failure print what pxeroot said and fail.
bench_time() {
	local fn=$1 start
	bench_clear
	start=$EPOCHREALTIME
	if ! "$fn"; then
		echo "# $fn failed" >&2
		[[ "$fn" == bench_pxeroot ]] && sed 's/^/#   /' "$LAB_TMP/pxeroot-fetch.log" >&2
		return 1
	fi
	awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}

# Print the smallest of the arguments.
bench_min() {
	printf '%s\n' "$@" | sort -g | head -n 1
}

# Print $1 / $2 with two decimals.
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# Prepare, run BENCH_RUNS rounds of the three cases, print the figure.
main() {
	local runs=${BENCH_RUNS:-3} mib=${BENCH_MIB:-1024} run t bare=() seq=() pxe=() a b c
	lab_tmpdir
	trap bench_cleanup EXIT
	lab_need curl openssl gpgv sha512sum mountpoint
	[[ $EUID -eq 0 ]] || lab_die "mounting the tmpfs needs root"
	bench_need_pxeroot
	trust_setup
	mkdir -p "$LAB_TMP/gpgv-home"
	chmod 0700 "$LAB_TMP/gpgv-home"
	bench_make_image "$mib"
	bench_mount_tmpfs "$((mib * 6 / 5 + 8))" airootfs.sfs
	trust_nginx_start "$BENCH_DIR/www" http "${BENCH_RATE:-}"
	BENCH_URL="http://127.0.0.1:$TRUST_NGINX_PORT/arch/x86_64/airootfs.sfs"
	# One untimed download so that the image is in the page cache for every case.
	bench_time bench_bare >/dev/null
	for ((run = 1; run <= runs; run++)); do
		t=$(bench_time bench_bare)
		bare+=("$t")
		t=$(bench_time bench_sequential)
		seq+=("$t")
		t=$(bench_time bench_pxeroot)
		pxe+=("$t")
		echo "round $run: bare curl ${bare[-1]} s, sequential ${seq[-1]} s, pxeroot ${pxe[-1]} s"
	done
	bench_clear
	echo "all: bare curl ${bare[*]}; sequential ${seq[*]}; pxeroot ${pxe[*]} (s, $mib MiB, ${BENCH_RATE:-no} rate limit)"
	a=$(bench_min "${bare[@]}")
	b=$(bench_min "${seq[@]}")
	c=$(bench_min "${pxe[@]}")
	echo "figure: bare curl $a s; sequential $b s; pxeroot $c s; pxeroot/bare $(bench_ratio "$c" "$a") (target <= 1.1); sequential/pxeroot $(bench_ratio "$b" "$c") (target >= 2)"
}

main "$@"
