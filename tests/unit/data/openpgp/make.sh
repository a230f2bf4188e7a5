#!/usr/bin/env bash
# Regenerate the OpenPGP fixtures of tests/unit/openpgp_test.c in this directory (they are
# committed; run this only to change them). gpg makes the keys and signatures in a throwaway
# GnuPG home with its clock at 2024-01-01 00:00:00 UTC (keys) and 01:00:00 (signatures);
# craft.py (python3 and the openssl command, nothing else) makes what gpg will not: bindings
# without a back-signature or with other key flags, a subkey revocation, signatures with an
# unknown critical subpacket or from before their key, an RFC 9580 Ed25519 (algorithm 27) key.
#
#   data.bin                     the signed data
#   rsa.pub  rsa.sig             RSA-2048 primary key; SHA-256 signature
#   rsa-sha1.sig rsa-text.sig    the same key: SHA-1; text mode (type 0x01)
#   rsa-expsig.sig rsa.asc       a signature that expires after 1 day; an ASCII-armored one
#   ed.pub   ed.sig              EdDSA (legacy, Ed25519) primary key; SHA-512
#   p256/p384/p521.pub .sig      ECDSA primary keys; SHA-256, SHA-384, SHA-512
#   sub.pub  sub.sig             RSA-2048 certify-only primary with an Ed25519 signing subkey;
#                                signature by the subkey
#   exp.pub  exp.sig             Ed25519 key that expires after 1 day
#   rev.pub  rev.sig             Ed25519 key with its revocation certificate
#   fingerprints                 NAME FPR [SUBKEY-FPR] per gpg key, as gpg lists them
#   crafted (craft.py): rsa-craft.sig (a good one, for comparison), rsa-crit.sig,
#   rsa-early.sig, rsa-nouid.pub, sub-noback.pub, sub-encflags.pub, sub-badbind.pub,
#   sub-revoked.pub, sub-expired.pub, sub-primary.sig, ed27.pub, ed27.sig
set -euo pipefail

OUT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/openpgp-fixtures.XXXXXX")
export GNUPGHOME="$WORK/gnupg"
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
mkdir -m 0700 "$GNUPGHOME"

# gpg in batch mode, no passphrase, the clock at $GPG_TIME.
GPG_TIME='20240101T000000!'
g() {
	gpg --batch --no-tty --quiet --yes --pinentry-mode loopback --passphrase '' \
		--faked-system-time "$GPG_TIME" "$@"
}

# The fingerprints (primary first, then subkeys) of the key with user ID $1.
fprs() {
	g --with-colons --list-keys "$1" | awk -F: '$1 == "fpr" { print $10 }'
}

# Make key NAME with algorithm $2, usage $3, expiry $4; export it to NAME.pub.
key() {
	local name=$1
	g --quick-gen-key "pxeroot test $name <$name@pxeroot.test>" "$2" "$3" "$4"
	g --export "$(fprs "$name@pxeroot.test" | head -n 1)" >"$OUT/$name.pub"
}

# Sign data.bin as $1 (a fingerprint) into $2 with the remaining gpg options.
sign() {
	local who=$1 out=$2
	shift 2
	GPG_TIME='20240101T010000!' g --local-user "$who!" "$@" --output "$out" --detach-sign "$OUT/data.bin"
}

printf 'pxeroot OpenPGP test data\n\x00\x01\x02\xff binary, not text\r\n' >"$OUT/data.bin"

key rsa rsa2048 sign never
rsa=$(fprs rsa@pxeroot.test | head -n 1)
sign "$rsa" "$OUT/rsa.sig" --digest-algo SHA256
sign "$rsa" "$OUT/rsa-sha1.sig" --digest-algo SHA1
sign "$rsa" "$OUT/rsa-text.sig" --digest-algo SHA256 --textmode
sign "$rsa" "$OUT/rsa-expsig.sig" --digest-algo SHA256 --default-sig-expire 1d
sign "$rsa" "$OUT/rsa.asc" --digest-algo SHA256 --armor

key ed ed25519 sign never
sign "$(fprs ed@pxeroot.test | head -n 1)" "$OUT/ed.sig" --digest-algo SHA512
for c in p256:SHA256 p384:SHA384 p521:SHA512; do
	key "${c%%:*}" "nist${c%%:*}" sign never
	sign "$(fprs "${c%%:*}@pxeroot.test" | head -n 1)" "$OUT/${c%%:*}.sig" --digest-algo "${c#*:}"
done

g --quick-gen-key "pxeroot test sub <sub@pxeroot.test>" rsa2048 cert never
sub=$(fprs sub@pxeroot.test | head -n 1)
g --quick-add-key "$sub" ed25519 sign never
g --export "$sub" >"$OUT/sub.pub"
sign "$(fprs sub@pxeroot.test | sed -n 2p)" "$OUT/sub.sig" --digest-algo SHA512

key exp ed25519 sign 1d
sign "$(fprs exp@pxeroot.test | head -n 1)" "$OUT/exp.sig" --digest-algo SHA512

g --quick-gen-key "pxeroot test rev <rev@pxeroot.test>" ed25519 sign never
rev=$(fprs rev@pxeroot.test | head -n 1)
sign "$rev" "$OUT/rev.sig" --digest-algo SHA512
sed 's/^:-----/-----/' "$GNUPGHOME/openpgp-revocs.d/$rev.rev" | g --import
g --export "$rev" >"$OUT/rev.pub"

# gpg's own fingerprints, primary then subkeys, for the test to compare with its own.
for name in rsa ed p256 p384 p521 sub exp rev; do
	echo "$name $(fprs "$name@pxeroot.test" | tr '\n' ' ' | sed 's/ $//')"
done >"$OUT/fingerprints"

g --export-secret-keys "$rsa" >"$WORK/rsa.sec"
g --export-secret-keys "$sub" >"$WORK/sub.sec"
python3 "$OUT/craft.py" "$WORK" "$OUT"
echo "fixtures written to $OUT"
