#!/bin/bash
# dracut module "pxeroot": the root file system is fetched over the network,
# verified and mounted by the pxeroot binary; dracut switches root into it.
#
# Use: copy this directory to /usr/lib/dracut/modules.d/90pxeroot and build with
#
#   dracut --add pxeroot --omit "dmsquash-live livenet" [--no-hostonly] IMAGE KVER
#
# (or add_dracutmodules+=" pxeroot " in a dracut.conf.d file). Boot with
# root=live:http(s)://SERVER/PATH/airootfs.sfs or archiso_http_srv=URL, plus any
# of pxeroot's options (checksum=y, cms_verify=y, verify=y, ip=, BOOTIF=,
# pxeroot.*); rd.shell and rd.emergency= decide what happens when it fails.
#
# pxeroot brings the network up itself: this module pulls in none of dracut's
# network modules and never needs rd.neednet. dracut's livenet and
# dmsquash-live modules also understand root=live:; they are only in an image
# that asks for them, and if one is, pxeroot's cmdline hook runs first and
# takes root=live:http(s):// away from them (see pxeroot-cmdline.sh).
#
# Build-time environment:
#   PXEROOT_BIN      the pxeroot binary to install as /usr/bin/pxeroot
#                    (default /usr/bin/pxeroot)
#   PXEROOT_CONFDIR  a directory holding the trust material (default: the one
#                    `pxeroot files` names for it)
# The files `pxeroot files` names go into the image at their paths, each when
# present: the host's CA bundle, the trust material from PXEROOT_CONFDIR
# (pxeroot checks OpenPGP signatures itself: no gpgv).

# Check: only included when asked for (--add pxeroot), and only when the
# binary is there.
check() {
    require_binaries "${PXEROOT_BIN:-/usr/bin/pxeroot}" || return 1
    return 255
}

# Depends: nothing; pxeroot does its own network, download and mounts.
depends() {
    return 0
}

# Kernel modules: the NIC drivers `pxeroot modules --net` names (instmods
# honours --hostonly) and what `pxeroot modules` names (loop, overlay, the file
# systems of a live image, the sources' own), which the host need not have loaded.
installkernel() {
    # shellcheck disable=SC2046  # one module name per line
    instmods $("${PXEROOT_BIN:-/usr/bin/pxeroot}" modules --net)
    # shellcheck disable=SC2046
    hostonly='' instmods $("${PXEROOT_BIN:-/usr/bin/pxeroot}" modules)
}

# Install the binary, the CA bundle, the trust material and the two hooks.
install() {
    local _files _key _path _src

    inst_binary "${PXEROOT_BIN:-/usr/bin/pxeroot}" /usr/bin/pxeroot || return 1
    if ! _files=$("${PXEROOT_BIN:-/usr/bin/pxeroot}" files); then
        derror "pxeroot: '${PXEROOT_BIN:-/usr/bin/pxeroot} files' failed"
        return 1
    fi
    while read -r _key _path; do # the host's CA bundle, the trust material from PXEROOT_CONFDIR
        _src=$_path
        [[ $_key == ca-bundle ]] || _src=${PXEROOT_CONFDIR:-${_path%/*}}/${_path##*/}
        if [[ -f $_src ]]; then
            inst_simple "$_src" "$_path"
        fi
    done <<<"$_files"
    if dracut_module_included livenet || dracut_module_included dmsquash-live; then
        dwarn "pxeroot: livenet/dmsquash-live are in the image too; pxeroot takes root=live:http(s)://"
    fi
    # shellcheck disable=SC2154  # moddir is set by dracut
    inst_hook cmdline 20 "$moddir/pxeroot-cmdline.sh"
    inst_hook mount 20 "$moddir/pxeroot-mount.sh"
}
