# shellcheck shell=bash
# The QEMU end-to-end lab; `source` this file from a scenario. It is the index of
# the lab's helpers: it sources the six files below, one concern each, and lists
# every function of every lab file. lib_trust.sh, lib_transfer.sh, lib_report.sh, lib_chunks.sh,
# lib_dracut.sh, lib_nfs.sh, lib_memdisk.sh, lib_media.sh, lib_itools.sh and lib_mkinitcpio.sh are sourced by the scenarios that need them
# (lib_trust.sh sources this file itself, and lists the functions of its own
# lib_trust_*.sh files). Each file's header says what it
# holds and which environment variables it reads (LAB_KEEP=1,
# QEMU_CONSOLE=tty, QEMU_TIMEOUT, ...).
#
# lib_lab.sh: temp dir, tracked processes, cleanup, needed commands, free ports
#   lab_note MSG... — print a diagnostic line, "# MSG"
#   lab_die MSG... — print "not ok - setup: MSG" and exit 1
#   lab_stop_pid PID — stop PID (TERM, up to 2 s, then KILL) and reap it
#   lab_wait_ready PID CMD... — wait up to 10 s until CMD succeeds; 1 when PID ends first
#   lab_cleanup — exit trap: stop tracked PIDs, delete the netns, remove $LAB_TMP unless LAB_KEEP=1
#   lab_tmpdir — create $LAB_TMP once (removed on exit, with every tracked process)
#   lab_track PID — stop PID on exit
#   lab_untrack PID — forget PID once it has been reaped
#   lab_need CMD... — fail the setup unless every CMD exists
#   lab_unpack_initrd IMG DIR — unpack an initramfs (gzip, xz or zstd) into DIR
#   lab_pack_initrd DIR IMG — write DIR as an initramfs (sorted, root-owned, zstd)
#   lab_netns_prefix [NETNS] — print "ip netns exec NETNS", one word a line (nothing: host)
#   lab_elapsed START — print the seconds since EPOCHREALTIME value START, one decimal
#   port_answers PORT [ADDR] [NETNS] — succeed when ADDR:PORT accepts TCP connections
#   lab_listens PID PORT [ADDR] [NETNS] — succeed when PID listens on PORT and ADDR:PORT answers
#   free_port [NETNS] — print a free TCP port (on the host, or inside NETNS), never the NFS lab's
#   free_udp_port — print a free UDP port on 127.0.0.1 not in LAB_UDP_PORTS
#
# lib_image.sh: the live root, its images, the web trees that serve them
#   write_root_init FILE — write the live root's /sbin/init (PXEROOT-E2E: lines, power off)
#   make_root_tree DIR — the busybox live root as a directory (ROOT_PAD_MIB=N pads it)
#   root_sfs_build OUT.sfs — that tree as squashfs
#   make_root_sfs OUT.sfs — busybox live root as squashfs, cached in build/e2e (ROOT_PAD_MIB=N: made anew, padded)
#   make_archiso_tree WEBROOT SFS [BASEDIR] [ARCH] — SFS and its .sha512 as archiso lays them out
#   archiso_layout DIR [BASEDIR] — the root image ($LAB_TMP/root.sfs) and archiso's tree of it in DIR
#   serve_archiso [BASEDIR] — root image, archiso tree, nginx on it: sets WEBROOT, HTTP_PORT
#   archiso_http_append [EXTRA...] — print the usual kernel command line for serve_archiso
#   make_root_ext4 OUT [SIZE_MB] [KIND] — that tree as an ext4 image, or KIND ext2|ext3
#   make_root_ext2_gz OUT — a 16 MiB ext2 image OUT and OUT.gz beside it (the diskless ramdisk)
#   make_root_erofs OUT — that tree as an erofs image (lz4hc)
#   make_iso OUT DIR — DIR as an ISO 9660 image (Rock Ridge, Joliet)
#   make_archiso_iso OUT IMG [BASEDIR] [ARCH] [NAME] — an ISO holding IMG in archiso layout
#   serve_image FILE [NAME] — FILE and its .sha512 list, nginx on them: sets WEBROOT, HTTP_PORT
#   live_http_append NAME [EXTRA...] — print the kernel command line for root=live: on NAME
#
# lib_http.sh: nginx for the guests, pxeroot fetch on the host
#   nginx_config ROOT PORT DIR [ADDR] [LISTEN] [RATE] [HTTP] [SERVER] — print nginx's config
#   nginx_http_common DIR — print the http block's temp paths (in DIR) and default type
#   nginx_start ROOTDIR — serve ROOTDIR on $NGINX_ADDR:$HTTP_PORT (in $NGINX_NETNS if set)
#   nginx_launch WRITER [ARGS...] — nginx on the config "WRITER PORT DIR ARGS..." prints: sets NGINX_PID, NGINX_DIR
#   run_fetch URL NAME [FLAGS...] — pxeroot fetch URL into $LAB_TMP/out/NAME; sets FETCH_RC
#
# lib_net.sh: the guest's NICs, a network namespace with dnsmasq (root)
#   lab_mac N — print 52:54:00:12:34:NN (N = 1 for eth0 by convention)
#   qemu_next_netdev — set LAB_NETDEV_ID to the next netdev id (n0, n1, ...)
#   qemu_add_nic NETDEV_OPTS [MAC] — append a NIC on those netdev options to QEMU_NET_ARGS
#   qemu_nic_user [MAC] — add a QEMU user-networking NIC (DHCP 10.0.2.x, host 10.0.2.2)
#   qemu_nic_dead [MAC] — add a NIC with carrier on which nothing ever answers
#   qemu_nic_tap [MAC] [TAP] — add a NIC on tap device TAP (default $TAP) of $QEMU_NETNS
#   netns_add — a netns of the scenario (deleted on exit), lo up: sets LAB_NETNS_NEW
#   netns_create [ADDR/PREFIX] — netns (deleted on exit), tap0 up: sets NETNS, TAP, NETNS_ADDR
#   dnsmasq_start [ARGS...] — dnsmasq in $NETNS on $TAP only, no upstream: sets DNSMASQ_*
#   dnsmasq_ready DIR PID — succeed once that dnsmasq wrote its pid file and listens
#   netns_http_get URL — print URL's body, fetched from inside $NETNS (busybox wget)
#   netns_dns_query NAME — print the IPv4 answers of $NETNS_ADDR's DNS for NAME
#
# lib_qemu.sh: booting the lab kernel in QEMU, reading its serial log
#   lab_is_pvh_elf FILE — whether FILE is an ELF kernel with the PVH entry note
#   lab_kernel_unpack BZIMAGE OUT — the kernel ELF inside BZIMAGE (xz, zstd or gzip payload)
#   lab_kernel_elf — build/e2e/vmlinux from build/kernel/vmlinuz, under a lock: sets LAB_KERNEL
#   qemu_serial_args LOG — print QEMU's serial options (file, or terminal + file)
#   qemu_watch PID LOG — wait until QEMU exits, panics, stops or times out: sets QEMU_RESULT
#   qemu_boot LOG APPEND [QEMU ARGS] — boot kernel + initramfs, serial to LOG, wait
#   lab_log_text LOG — print LOG without CRs, kernel messages moved out of agent lines
#   qemu_on_retry LOG CMD... — during the next boot, run "CMD... K" when the agent says it retries (attempt K)
#   qemu_on_line LOG RE CMD... — during the next boot, run "CMD... K" at the Kth line matching RE
#   qemu_on_retry_stop — stop that watcher (either)
#   qemu_attempt_log LOG K OUT — the lines of attempt K of LOG (between the retry lines) into OUT
#
# lib_assert.sh: assertions and the scenario's verdict
#   lab_assert RC DESC — record one result: "ok - DESC" when RC is 0, else "not ok - DESC"
#   expect_ok DESC CMD... — assert that CMD (run as given, no shell string) exits 0
#   log_has LOG REGEX — whether a line matches: 0, 1, or 2 for a missing or empty LOG
#   log_unjudged LOG REGEX — print why log_has returned 2, as a description's tail
#   expect_line LOG REGEX [DESC] — assert a line matches (grep -E, CRs removed)
#   expect_no_line LOG REGEX [DESC] — assert no line matches (a missing or empty LOG fails)
#   expect_nothing_mounted LOG [PREFIX] — assert a refused boot: nothing of the image mounted
#   expect_qemu RESULT [DESC] — assert how the last qemu_boot ended (exited|panic|stop|timeout)
#   lab_re_escape STRING — print STRING with the ERE metacharacters escaped
#   scenario_end [LOG] — print the log tail on failure; exit 0 or 1
#
# lib_trust.sh (sourced instead of lib.sh): sha512 lists, CMS, OpenPGP, HTTPS with a test CA;
# its header is the index of lib_trust_pki.sh, lib_trust_gpg.sh, lib_trust_build.sh,
# lib_trust_fixtures.sh, lib_trust_serve.sh, lib_trust_boot.sh and lib_trust_assert.sh
#
# lib_transfer.sh (after lib.sh): test servers for broken and stalled downloads
#   transfer_tool_build NAME — compile tests/tools/NAME.c into build/tests/NAME when stale
#   cutproxy_start [ARGS...] — cutproxy on 127.0.0.1 in front of nginx: sets CUTPROXY_*
#   cutproxy_stop — stop the last cutproxy started, by PID, now
#   cutproxy_cuts — print how many cuts its log shows
#   transfer_tool_start NAME [ARGS...] — tests/tools/NAME.c on 127.0.0.1, port picked: sets TOOL_DIR, TOOL_PORT, TOOL_PID
#   httpfault_start FILE [ARGS...] — httpfault on 127.0.0.1 serving FILE: sets HTTPFAULT_*
#
# lib_report.sh (after lib.sh): the boot report's receiver and its checks
#   report_sink_start [--hang] — report_sink on 127.0.0.1, documents into a directory: sets REPORT_*
#   report_count — print how many documents the last sink received
#   report_doc N — print the path of its Nth document
#   report_jq DOC FILTER — whether jq -e FILTER holds for DOC ($version: pxeroot's)
#   expect_report DOC OK DESC — assert one valid document of this version, ok OK, stages timed, error iff failed
#   report_ms LOG — print M of LOG's "report: ... after M ms" (or "in M ms") line
#
# lib_nfs.sh (after lib.sh or lib_trust.sh; root): nfs-ganesha and rpcbind on 127.0.0.1, or NFS_ADDR in NFS_NETNS
#   nfs_config DIR PROTOS ACCESS STATEDIR — print ganesha's config (PROTOS "3, 4", ACCESS RW|RO)
#   nfs_port_owner PORT [NETNS] — print who listens on TCP PORT of the host or NETNS (ss users:(...))
#   nfs_rpcbind_start — rpcbind -f -w, tracked, unless ours runs; a foreign one fails the setup
#   nfs_log_tail STATEDIR — print ganesha's errors and log tail as "#   " lines
#   nfs_ready PROTOS — succeed once NFS (and for v3 mountd) answers on NFS_ADDR (in NFS_NETNS)
#   nfs_start DIR [v3|v4] [ro] — export DIR (v4 as /export, v3 as DIR): sets NFS_EXPORT_DIR, NFS_*
#   nfs_stop — stop ganesha, then rpcbind, by PID (the host-wide NFS lock is held until exit)
#   make_nfs_root DIR — the live root tree in DIR; its init first tries to write /written-by-guest
#   nfs_serve_root [v3|v4] [ro] — make_nfs_root in $LAB_TMP/nfsroot (TREE), exported by nfs_start
#   nfs_boot NAME APPEND — boot with power off at once, pxeroot.debug, then APPEND: sets LOG
#   nfs_expect_kept LOG NAME ADDR_RE — the NIC kept for the root on the network (conf, networkd, address)
#   nfs_expect_refused LOG WHY_RE [NAME] — the failure twin: cause named, no init, nothing mounted
#
# lib_memdisk.sh (after lib.sh): syslinux MEMDISK booting an isolinux ISO
#   memdisk_iso ISO INITRD APPEND [TREE] — isolinux ISO with the lab kernel, INITRD, APPEND, TREE's files
#   memdisk_boot LOG ISO — boot ISO under /usr/lib/syslinux/memdisk ("iso raw"), serial console to LOG
#   memdisk_ipxe_boot LOG ISO — the same, chain-loaded by the NIC's iPXE: script by TFTP, memdisk and ISO by HTTP
#
# lib_media.sh (after lib.sh): archiso's layout on local media
#   media_iso OUT TREE LABEL [DATE] — ISO of TREE labelled LABEL, UUID from DATE, boot/<UUID>.uuid as archiso's
#   media_disk OUT TREE LABEL — disk image: MBR, one ext4 partition labelled LABEL holding TREE
#   media_boot LOG APPEND [QEMU ARGS...] — boot without a NIC, power off on error (unless APPEND names a policy), the media attached
#
# lib_itools.sh (after lib.sh): Debian's real mkinitramfs with the project's initramfs-tools files
#   itools_image — build or reuse build/initramfs-tools/pxeroot.img (private configuration): sets INITRD
#
# lib_mkinitcpio.sh (after lib.sh): a mkinitcpio-style image (stand-in of its init, the real hook)
#   mkinitcpio_image — $LAB_TMP/mkinitcpio.img from build/initramfs.img: sets INITRD
#
# lib_dracut.sh (after lib.sh or lib_trust.sh): a dracut initramfs with the pxeroot module
#   dracut_need — tools/deps.sh lab (dracut-core is in it)
#   dracut_kver — print the lab kernel's version
#   dracut_stale IMG CONFDIR — succeed when IMG must be rebuilt
#   dracut_build IMG FLAVOR CONFDIR — build IMG (systemd or shell flavor)
#   dracut_image NAME FLAVOR [CONFDIR] — build or reuse build/dracut/NAME.img: sets INITRD
#   dracut_root_sfs OUT — the live root plus /etc/os-release
#   dracut_serve_archiso [BASEDIR] — serve_archiso with that root: sets WEBROOT, HTTP_PORT
#   dracut_live_url [BASEDIR] [ARCH] — print the image URL for root=live:
#   dracut_append EXTRA... — print rd.shell=0 rd.emergency=poweroff EXTRA
#   dracut_figure LOG — print the guest uptime at which the live init ran
set -euo pipefail

# shellcheck source=tests/e2e/lib_lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_lab.sh"
# shellcheck source=tests/e2e/lib_image.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_image.sh"
# shellcheck source=tests/e2e/lib_http.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_http.sh"
# shellcheck source=tests/e2e/lib_net.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_net.sh"
# shellcheck source=tests/e2e/lib_qemu.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_qemu.sh"
# shellcheck source=tests/e2e/lib_assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_assert.sh"
