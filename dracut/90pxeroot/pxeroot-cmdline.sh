#!/bin/sh
# dracut cmdline hook of pxeroot: claim the root when `pxeroot claim` says the
# command line asks for a root pxeroot handles (exit 0), or has one of its
# options malformed (exit 2: pxeroot's mount hook then reports it).
#
# Sourced by dracut with its library loaded. rootok=1 tells dracut that the
# root is handled; root becomes "pxeroot" so that the mount hook knows, and
# so that livenet or dmsquash-live, if the image has them (their hooks run
# after this one), do not recognise the root, start dracut's network or wait
# for /dev/root. Nothing here waits for a device: the mount hook brings the
# root. pxeroot itself reads the options from /proc/cmdline.

# shellcheck source=/dev/null  # dracut's library, in the image
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

[ -z "$root" ] && root=$(getarg root=)
if /usr/bin/pxeroot claim || [ $? -eq 2 ]; then
    root=pxeroot
    # shellcheck disable=SC2034  # read by dracut's init after the hooks
    rootok=1
    info "pxeroot: the root is fetched and mounted by pxeroot"
fi
