#!/bin/sh
# dracut mount hook of pxeroot: `pxeroot mount $NEWROOT` brings the network
# up, downloads and verifies the image and mounts it under an overlay on
# $NEWROOT; dracut then switches root into it.
#
# Sourced by dracut's mount loop (with its library loaded) until $NEWROOT is
# mounted; it acts only when the cmdline hook claimed the root. On a failure
# it enters dracut's emergency path with pxeroot's reason (what `pxeroot mount`
# prints on stdout when it fails): a shell unless rd.shell=0 (leaving the shell
# tries again), else what rd.emergency= says (default halt). A failed
# `pxeroot mount` leaves nothing mounted; should $NEWROOT still be a mount
# point, it is detached first, so that dracut's loop, which switches into any
# usable $NEWROOT, cannot boot a root that was given up.

# shellcheck source=/dev/null  # dracut's library, in the image
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

# shellcheck disable=SC2154  # root is dracut's, set by the cmdline hook
if [ "$root" = pxeroot ] && ! ismounted "$NEWROOT"; then
    # let udev finish with the NICs (driver binding, renaming) first
    udevadm settle > /dev/null 2>&1
    if ! _pxeroot_reason=$(/usr/bin/pxeroot mount "$NEWROOT"); then
        if ismounted "$NEWROOT"; then
            umount -l "$NEWROOT"
        fi
        emergency_shell "pxeroot could not mount the root on $NEWROOT: ${_pxeroot_reason:-pxeroot: exited without a reason}"
    fi
fi
