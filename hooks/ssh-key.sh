#!/bin/sh
# script= example: let an operator in over SSH. Adds the public key below to root's
# authorized_keys and starts sshd (the live root must contain openssh-server). Boot with
#   script=http://SERVER/ssh-key.sh verify=y     (and ssh-key.sh.sig beside it)
# pxeroot runs it once after the network is online; its output is in /run/pxeroot/script.log.
set -eu

KEY='ssh-ed25519 AAAA...replace-with-your-key operator@example'

umask 077
mkdir -p /root/.ssh
grep -qxF "$KEY" /root/.ssh/authorized_keys 2>/dev/null || printf '%s\n' "$KEY" >>/root/.ssh/authorized_keys
echo "ssh-key: key added for root; this machine is ${PXEROOT_ADDRESS:-without an address} on ${PXEROOT_IFACE:-no interface}"

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl start ssh.service 2>/dev/null || systemctl start sshd.service
else
	mkdir -p /run/sshd
	ssh-keygen -A
	/usr/sbin/sshd
fi
echo "ssh-key: sshd started"
