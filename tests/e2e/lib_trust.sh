# shellcheck shell=bash disable=SC2034
# The trust lab (sha512 lists, CMS and OpenPGP signatures, HTTPS with a test
# CA); `source` it from a scenario instead of lib.sh, which it sources. It is
# the index of the trust helpers: it sources the files below, one concern each.
# Every certificate is valid from 2024-01-01 to 2049-12-31 and the OpenPGP keys
# and signatures date from 2024-01-01, so that a guest whose clock the agent set
# to its build time accepts them.
#
# lib_trust_pki.sh: X.509 keys, CAs and certificates; CMS signatures
#   trust_ca_config DIR — print a minimal `openssl ca` config for the CA in DIR
#   trust_genkey FILE rsa|ec — generate a private key
#   trust_make_ca DIR CN — a CA with a self-signed certificate of the test dates
#   trust_issue DIR NAME CN EXT KIND [START END] — a key and certificate issued by the CA in DIR
#   trust_sign_cms FILE CERT KEY SIG — archiso's detached CMS signature of FILE
#
# lib_trust_gpg.sh: OpenPGP keys and signatures, the gpg-agent
#   trust_gpg_agent_pid HOME — print the PID of the gpg-agent of GnuPG home HOME
#   trust_gpg_agent_stop HOME — stop that gpg-agent by PID
#   trust_gpg_in HOME ARGS... — gpg on HOME: batch, no passphrase, clock at 2024-01-01
#   trust_gpg_fpr HOME UID — print the fingerprint of the key with user ID UID
#   trust_make_gpg DIR — GnuPG home, good and other keys, their keyrings and fingerprints
#   trust_gpg ARGS... — gpg on this scenario's copy of the trust GnuPG home
#   trust_sign_gpg FILE FPR SIG — detached OpenPGP signature of FILE by key FPR
#
# lib_trust_build.sh: the cache under build/trust (keys, trust initramfs, root image)
#   trust_make_keys — every key and certificate under build/trust
#   trust_moddir — print the lab kernel's module directory (MODDIR, else build/kernel's)
#   trust_initramfs_stale — succeed when build/trust/initramfs.img must be rebuilt
#   trust_build_initramfs — build/trust/initramfs.img: the image plus the trust material
#   trust_setup — keys, certificates and the trust initramfs: sets TRUST_*, INITRD
#   trust_keys — the keys and certificates only (host-side scenarios): sets TRUST_*
#   trust_prepare keys|initramfs — make them under the lock; sets TRUST_*
#   trust_root_sfs OUT — the live root image of lib_image.sh, cached in build/trust
#
# lib_trust_fixtures.sh: signed trees and the fixtures (TRUST_FIXTURES) that spoil them
#   trust_imgdir WEBROOT [BASEDIR] [ARCH] — print the tree's image directory
#   sign_tree WEBROOT [BASEDIR] [ARCH] — .sha512, .cms.sig and .sig of the tree's image
#   trust_host_status DIR sha512|cms|gpg — print the host tools' verdict on DIR's image
#   trust_fixture_expect NAME — print "sha512=S cms=S gpg=S" for fixture NAME
#   trust_flip_middle_byte FILE — invert the byte in the middle of FILE
#   trust_fixture NAME DIR — make the signed image directory DIR bad as NAME says, check it
#   trust_tree [BASEDIR] — the signed tree in $LAB_TMP/www: sets WEBROOT, TRUST_IMGDIR
#
# lib_trust_serve.sh: nginx for the trees, plain or TLS
#   trust_serve [BASEDIR] — trust_tree, then nginx: also sets HTTP_PORT
#   trust_nginx_start ROOTDIR [http|https] [RATE] — nginx beside the plain one: TRUST_NGINX_*
#   nginx_tls_start ROOTDIR — nginx with TLS: sets HTTPS_PORT, NGINX_TLS_PID, NGINX_TLS_LOG
#   trust_image_url SRV [BASEDIR] [ARCH] — print the image URL under archiso_http_srv SRV
#   trust_image_re SRV [BASEDIR] [ARCH] — the same as an extended regex
#
# lib_trust_boot.sh: booting the trust image
#   trust_append SRV [EXTRA...] — print the kernel command line for the tree under SRV
#   trust_phase_trees FIXTURE... — a signed tree per fixture, arch/ a link to the first, nginx
#   trust_phase_serve FIXTURE — make arch/ that fixture's tree (one rename)
#   trust_phase_next K — serve the fixture after retry K (qemu_on_retry's callback)
#   trust_boot_phases WORDS FIXTURE... — one boot, one attempt per fixture: LOG, URL_RE, SRV
#   trust_attempt_log K — write attempt K of LOG's root stage to a file; print its name
#
# lib_trust_assert.sh: the trust scenarios' assertions
#   trust_expect_host DIR CHECK=STATUS... — assert the host tools' verdicts
#   trust_expect_booted LOG — assert the live root's init ran on an overlay
#   trust_expect_refused LOG — assert the failure twin: no init, nothing mounted, power off
#   trust_mounted_nothing LOG — whether an attempt's log shows no mount of the image
#   trust_expect_attempt_refused LOG LABEL — assert a refused attempt: retried, nothing mounted
#   trust_expect_mounted_once LOG — assert the live root's mounts: one squashfs, no point twice
#   trust_expect_good_attempt LOG — assert the good tree booted on both signatures (and the above)
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRUST_DIR="$LAB_ROOT/build/trust"

# shellcheck source=tests/e2e/lib_trust_pki.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust_pki.sh"
# shellcheck source=tests/e2e/lib_trust_gpg.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust_gpg.sh"
# shellcheck source=tests/e2e/lib_trust_build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust_build.sh"
# shellcheck source=tests/e2e/lib_trust_fixtures.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust_fixtures.sh"
# shellcheck source=tests/e2e/lib_trust_serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust_serve.sh"
# shellcheck source=tests/e2e/lib_trust_boot.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust_boot.sh"
# shellcheck source=tests/e2e/lib_trust_assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust_assert.sh"
