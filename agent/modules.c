/* modules.c - libkmod: load modules with their dependencies from the initramfs's modules.dep,
 * and a coldplug pass that loads drivers for the devices present (what udev would do). */
#define _GNU_SOURCE
#include "modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static struct kmod_ctx *ctx;

/* The libkmod context for the running kernel, created once. */
static struct kmod_ctx *kctx(void)
{
	if (!ctx) {
		ctx = kmod_new(NULL, NULL);
		if (ctx)
			kmod_load_resources(ctx);
	}
	return ctx;
}

/* Whether module NAME (libkmod's, with underscores) is in ONLY (NULL: every module is); a name
 * there may be spelled with dashes. */
static bool allowed(const char *name, const char *const *only)
{
	for (const char *const *o = only; o && *o; o++) {
		const char *a = *o, *b = name;
		while (*a && (*a == *b || (*a == '-' && *b == '_')))
			a++, b++;
		if (!*a && !*b)
			return true;
	}
	return !only;
}

/* Insert every module LOOKUP resolves to that ONLY allows (NULL: all), with OPTIONS (NULL: none)
 * for it. Returns the number inserted, or negative errno. QUIET: a name nothing resolves to is
 * not an error (coldplug of devices we have no driver for). */
static int load_lookup(const char *lookup, int quiet, const char *options, const char *const *only)
{
	struct kmod_ctx *k = kctx();
	struct kmod_list *list = NULL, *it;
	if (!k)
		return log_err(-ENOMEM, "modules: libkmod could not start");
	int r = kmod_module_new_from_lookup(k, lookup, &list);
	if (r < 0 || !list) {
		if (quiet)
			return 0;
		return log_err(r < 0 ? r : -ENOENT, "modules %s: not found in /lib/modules (not in the initramfs?)", lookup);
	}
	int n = 0;
	kmod_list_foreach(it, list)
	{
		struct kmod_module *m = kmod_module_get_module(it);
		int st = kmod_module_get_initstate(m);
		if (st == KMOD_MODULE_BUILTIN || st == KMOD_MODULE_LIVE || st == KMOD_MODULE_COMING ||
		    !allowed(kmod_module_get_name(m), only)) {
			kmod_module_unref(m);
			continue;
		}
		int e = kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_LOADED, options, NULL, NULL, NULL);
		if (e < 0 && e != -EEXIST && !quiet)
			r = log_errno(e, "modules %s: insert %s", lookup, kmod_module_get_name(m));
		else if (e >= 0) {
			n++;
			log_debug("modules: loaded %s", kmod_module_get_name(m));
		}
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	return r < 0 ? r : n;
}

/* Load one module by name or alias. */
int mod_load(const char *name)
{
	int r = load_lookup(name, 0, NULL, NULL);
	return r < 0 ? r : 0;
}

/* Load one module with module options. */
int mod_load_opts(const char *name, const char *options)
{
	int r = load_lookup(name, 0, options, NULL);
	return r < 0 ? r : 0;
}

/* The module of libblkid's filesystem TYPE (vfat also wants the code pages it mounts with). */
void mod_load_fs(const char *type)
{
	if (!strcmp(type, "iso9660")) {
		mod_load("isofs");
	} else if (!strncmp(type, "ext", 3)) {
		mod_load("ext4");
	} else if (!strcmp(type, "vfat")) {
		mod_load("vfat");
		mod_load("nls_cp437");
		mod_load("nls_ascii");
	} else {
		mod_load(type); /* udf, exfat, btrfs, xfs …: the module has the filesystem's name */
	}
}

/* Read the modalias file at PATH and load what it names and ONLY allows; returns modules loaded. */
static int load_modalias(const char *path, const char *const *only)
{
	char alias[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, alias, sizeof(alias) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	alias[n] = '\0';
	alias[strcspn(alias, "\n")] = '\0';
	int r = load_lookup(alias, 1, NULL, only);
	return r > 0 ? r : 0;
}

/* One pass over the devices of every bus, loading what ONLY allows; returns modules loaded. */
static int coldplug_pass(const char *const *only)
{
	int loaded = 0;
	DIR *buses = opendir("/sys/bus");
	if (!buses)
		return 0;
	struct dirent *b;
	while ((b = readdir(buses))) {
		if (b->d_name[0] == '.')
			continue;
		char dpath[300];
		snprintf(dpath, sizeof(dpath), "/sys/bus/%s/devices", b->d_name);
		DIR *devs = opendir(dpath);
		if (!devs)
			continue;
		struct dirent *d;
		while ((d = readdir(devs))) {
			char mpath[600];
			if (d->d_name[0] == '.')
				continue;
			snprintf(mpath, sizeof(mpath), "%s/%s/modalias", dpath, d->d_name);
			loaded += load_modalias(mpath, only);
		}
		closedir(devs);
	}
	closedir(buses);
	return loaded;
}

/* Coldplug until a pass loads nothing new (at most 4 passes). */
int mod_coldplug_only(const char *const *only)
{
	int total = 0;
	for (int pass = 0; pass < 4; pass++) {
		int n = coldplug_pass(only);
		total += n;
		if (n == 0)
			break;
	}
	return total;
}

/* Every driver for the devices present. */
int mod_coldplug(void)
{
	return mod_coldplug_only(NULL);
}

/* Release the libkmod context. */
void mod_exit(void)
{
	if (ctx)
		kmod_unref(ctx);
	ctx = NULL;
}
