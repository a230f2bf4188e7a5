/* boot.h - the boot sequence and the PID-1 failure policy */
#ifndef PXEROOT_BOOT_H
#define PXEROOT_BOOT_H

/* PID 1: mount the API filesystems, run every stage, switch_root. Never returns. */
__attribute__((noreturn)) void boot_pid1(void);
/* Run the stages up to a mounted root at NEWROOT (for mkinitcpio/dracut), without switching.
 * 0, or a negative errno after the failure's line (log_last_error), with nothing of the root left:
 * no mount on or under NEWROOT, none of the hook's files, no state of the source. */
int boot_mount(const char *newroot);

#endif
