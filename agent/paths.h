/* paths.h - where pxeroot keeps its state: every path under RUN_DIR is named here */
#ifndef PXEROOT_PATHS_H
#define PXEROOT_PATHS_H

#define RUN_DIR "/run/pxeroot"
#define LOG_FILE RUN_DIR "/log"
#define TIMELINE_FILE RUN_DIR "/timeline" /* "EVENT UPTIME" at each stage boundary (log_mark) */
#define IMG_DIR RUN_DIR "/img"      /* tmpfs holding a root image brought into RAM */
#define LOWER_DIR RUN_DIR "/lower"  /* the root filesystem, mounted read-only */
#define ISO_DIR RUN_DIR "/iso"      /* an ISO image, mounted read-only; its airootfs is the lower */
#define MEDIA_DIR RUN_DIR "/media"  /* a medium holding archiso's layout (a CD, a stick, the ISO MEMDISK left in RAM), read-only */
#define SEARCH_DIR RUN_DIR "/search" /* a device mounted for a moment: does it hold archisosearchfilename=? */
#define NFS_DIR RUN_DIR "/nfs"      /* an NFS export: the root itself, or the overlay's lower */
#define COW_DIR RUN_DIR "/cow"      /* tmpfs for the overlay's upper and work dirs */
#define HOOK_SCRIPT RUN_DIR "/script"      /* a fetched script= (its .sig, .cms.sig beside it) */
#define HOOK_RUNNER RUN_DIR "/script-run"  /* runs the script once: output and exit status to HOOK_LOG */
#define HOOK_ENV RUN_DIR "/script.env"     /* the script's environment, for systemd's EnvironmentFile= */
#define HOOK_LOG RUN_DIR "/script.log"     /* the script's output and exit status */
#define NETWORKD_DIR "/run/systemd/network" /* networkd's runtime .network files (/run moves into the new root) */
#define SERVE_DIR RUN_DIR "/serve"  /* the root of the lazy root's server (empty; /run moves into the new root) */
#define NEWROOT "/newroot"          /* the new root of a PID-1 boot */

#endif
