#!/bin/sh
# script= example: the skeleton of an unattended install from a netbooted live system. Boot with
#   script=https://SERVER/unattended-install.sh cms_verify=y   (and .cms.sig beside it)
# or pin it with pxeroot.script_sha512=. pxeroot runs it once, after the network is online, with
# PXEROOT_IFACE, PXEROOT_ADDRESS, PXEROOT_GATEWAY, PXEROOT_SERVER and pxeserver in its
# environment; its output and exit status go to /run/pxeroot/script.log and the console.
# Fill in the steps; every one stops the install on its first error.
set -eu

CONFIGURED=no                 # set to yes once the steps below are filled in
TARGET_DISK=/dev/vda          # the disk to install to: everything on it is erased
SERVER=${pxeserver:-}         # where the install material comes from (the boot server)

say() { echo "install: $*"; }

[ "$CONFIGURED" = yes ] || { say "this is the skeleton: fill in the steps, set CONFIGURED=yes; nothing done"; exit 2; }
[ -b "$TARGET_DISK" ] || { say "no disk $TARGET_DISK; nothing done"; exit 1; }
say "installing to $TARGET_DISK from ${SERVER:-no server} (this machine: ${PXEROOT_ADDRESS:-?})"

# 1. partition:   sfdisk "$TARGET_DISK" <layout
# 2. filesystems: mkfs.ext4 -F "${TARGET_DISK}1"
# 3. system:      mount "${TARGET_DISK}1" /mnt && debootstrap / pacstrap / unpack an image into /mnt
# 4. boot loader: grub-install --root-directory=/mnt "$TARGET_DISK"
# 5. report:      curl -fsS -d "host=$(hostname) status=done" "http://$SERVER/report"

say "done; powering off"
systemctl poweroff 2>/dev/null || poweroff
