/* modules.h - kernel modules through libkmod */
#ifndef PXEROOT_MODULES_H
#define PXEROOT_MODULES_H

/* Load module NAME (a name or alias) and its dependencies, in order. 0 when loaded, built in or
 * already there; negative errno (logged) otherwise. */
int mod_load(const char *name);
/* mod_load with OPTIONS for the module itself ("phram=memdisk,0x1000,0x2000"); a module already
 * loaded is left as it is. */
int mod_load_opts(const char *name, const char *options);
/* Load the module for libblkid's filesystem TYPE (iso9660: isofs, ext2/3/4: ext4, vfat with its
 * code pages, else the module of that name); a failure is logged and left to the mount to name. */
void mod_load_fs(const char *type);
/* Load the drivers for every device in /sys that announces a modalias, until nothing new
 * appears (virtio_pci creates virtio devices, which want virtio_net). Returns how many modules
 * were loaded. */
int mod_coldplug(void);
/* mod_coldplug, loading only the modules named in ONLY (NULL-terminated; '-' and '_' alike) and
 * what they depend on: the drivers one source needs first, without probing the rest. */
int mod_coldplug_only(const char *const *only);
/* Drop the libkmod context (before switch_root). */
void mod_exit(void);

#endif
