/* options.c - the table of every command-line option and the typed readers over it */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define ARCHISO "archiso"
#define DRACUT "dracut"
#define KERNEL "the kernel"
#define PXELINUX "PXELINUX/iPXE"
#define OURS "pxeroot"

const struct option_def options[OPT_COUNT] = {
	[OPT_ARCHISO_HTTP_SRV] = {"archiso_http_srv", OPT_TEXT, NULL, NULL, 0, ARCHISO,
				  "archiso's HTTP root: the image is URL<archisobasedir>/<arch>/airootfs.sfs (else .erofs); ${pxeserver} is the boot server"},
	[OPT_ARCHISO_HTTP_SPC] = {"archiso_http_spc", OPT_SIZE, "75%", NULL, 0, ARCHISO, "size of the tmpfs the image is downloaded into"},
	[OPT_ARCHISOBASEDIR] = {"archisobasedir", OPT_TEXT, "arch", NULL, 0, ARCHISO, "archiso's base directory"},
	[OPT_ARCH] = {"arch", OPT_TEXT, NULL, "the machine's (uname -m)", 0, ARCHISO, "archiso's architecture directory"},
	[OPT_ROOT] = {"root", OPT_TEXT, NULL, NULL, 0, DRACUT,
		      "live:URL (an image by HTTP), live:CDLABEL=|LABEL=|UUID=|/dev/NAME (a local medium), /dev/nfs (with nfsroot=), nfs:, nfs4:, nfs://, dhcp (an NFS root)"},
	[OPT_NFSROOT] = {"nfsroot", OPT_TEXT, NULL, "path /tftpboot/%s", 0, KERNEL, "with root=/dev/nfs: [<server-ip>:]<path>[,<options>], the NFS export that is the root"},
	[OPT_ARCHISO_NFS_SRV] = {"archiso_nfs_srv", OPT_TEXT, NULL, NULL, 0, ARCHISO, "archiso over NFS: [<server>:]<path>, the share holding archiso's tree"},
	[OPT_ARCHISO_NFS_OPT] = {"archiso_nfs_opt", OPT_TEXT, NULL, NULL, 0, ARCHISO, "the share's mount options (archiso_nfs_srv=)"},
	[OPT_OVERLAY] = {"pxeroot.overlay", OPT_BOOL, NULL, "off", 0, OURS, "an NFS export read-only under a tmpfs overlay"},
	[OPT_LIVE_OVERLAYFS] = {"rd.live.overlay.overlayfs", OPT_BOOL, NULL, "off", 0, DRACUT, "as pxeroot.overlay="},
	[OPT_NFS_TIMEOUT] = {"pxeroot.nfs_timeout", OPT_UINT, "60", NULL, 3600, OURS, "seconds one NFS mount attempt may take"},
	[OPT_MEMDISK] = {"pxeroot.memdisk", OPT_BOOL, NULL, "off", 0, OURS, "the root is the ISO syslinux MEMDISK left in RAM"},
	[OPT_MEMDISK_WORD] = {"memdisk", OPT_WORD, NULL, "off", 0, "syslinux MEMDISK", "as pxeroot.memdisk"},
	[OPT_ARCHISOLABEL] = {"archisolabel", OPT_TEXT, NULL, NULL, 0, ARCHISO, "archiso's medium is the block device with this filesystem label"},
	[OPT_ARCHISODEVICE] = {"archisodevice", OPT_TEXT, NULL, "/dev/disk/by-label/<archisolabel>", 0, ARCHISO,
			       "archiso's medium is this device (/dev/NAME, /dev/disk/by-*/..., LABEL=, UUID=, PARTUUID=, PARTLABEL=)"},
	[OPT_ARCHISOSEARCHUUID] = {"archisosearchuuid", OPT_TEXT, NULL, NULL, 0, ARCHISO, "archiso's medium is the device with this filesystem UUID"},
	[OPT_ARCHISOSEARCHFILENAME] = {"archisosearchfilename", OPT_TEXT, NULL, "/boot/<archisosearchuuid>.uuid", 0, ARCHISO,
				       "archiso's medium is the first device holding this file"},
	[OPT_ROOTDELAY] = {"rootdelay", OPT_UINT, "30", NULL, 3600, KERNEL, "seconds a local medium is waited for"},
	[OPT_COPYTORAM] = {"copytoram", OPT_TEXT, NULL, "NFS y; local media auto; MEMDISK n", 0, ARCHISO,
			   "y, n or auto: archiso's image on a medium copied into RAM (checked as it is copied)"},
	[OPT_COPYTORAM_SIZE] = {"copytoram_size", OPT_SIZE, "75%", NULL, 0, ARCHISO, "size of the tmpfs copytoram= copies into"},
	[OPT_CHECKSUM] = {"checksum", OPT_BOOL, NULL, "off", 0, ARCHISO, "SHA-512 check against the list beside the image (airootfs.sha512)"},
	[OPT_CMS_VERIFY] = {"cms_verify", OPT_BOOL, NULL, "off", 0, ARCHISO, "CMS check of <image>.cms.sig against codesign.crt"},
	[OPT_VERIFY] = {"verify", OPT_BOOL, NULL, "off", 0, ARCHISO, "OpenPGP check of <image>.sig against keyring.gpg"},
	[OPT_CA] = {"pxeroot.ca", OPT_TEXT, NULL, "the initramfs's CA bundle", 0, OURS, "CA bundle (PEM, an absolute path in the initramfs) for HTTPS"},
	[OPT_MIRROR] = {"pxeroot.mirror", OPT_LIST, NULL, NULL, 0, OURS, "another base URL for the image and its companions, repeatable, tried in order"},
	[OPT_CHUNKS] = {"pxeroot.chunks", OPT_BOOL, NULL, "off: the image file itself", 0, OURS,
			"archiso's image as chunks: the casync index <archisobasedir>/<arch>/airootfs.caibx, the store airootfs.castr/ beside it"},
	[OPT_LAZY] = {"pxeroot.lazy", OPT_TEXT, "auto", NULL, 0, OURS,
		      "a chunked image read as it is used (1: the root is a disk served from checked chunks fetched on demand), fetched whole (0), or lazily when it would not fit in RAM (auto)"},
	[OPT_CACHE] = {"pxeroot.cache", OPT_SIZE, "25%", NULL, 0, OURS,
		       "the RAM a lazily read image's chunk cache may take; the background fill stops there, and the whole image cached means the server may go away"},
	[OPT_STORE] = {"pxeroot.store", OPT_LIST, NULL, NULL, 0, OURS, "another casync chunk store (base URL) for a chunked image, repeatable, tried in order"},
	[OPT_PROXY] = {"proxy", OPT_TEXT, NULL, NULL, 0, DRACUT, "every transfer goes through this HTTP proxy"},
	[OPT_CONNECT_TIMEOUT] = {"pxeroot.connect_timeout", OPT_UINT, "15", NULL, 3600, OURS, "seconds for the TCP and TLS setup of one attempt"},
	[OPT_STALL_TIMEOUT] = {"pxeroot.stall_timeout", OPT_UINT, "30", NULL, 3600, OURS, "an attempt that receives no byte for this many seconds ends"},
	[OPT_FETCH_RETRIES] = {"pxeroot.fetch_retries", OPT_UINT, "5", NULL, 1000, OURS, "attempts in a row without a new byte before a file is given up"},
	[OPT_TIMEOUT] = {"pxeroot.timeout", OPT_UINT, "0", NULL, 86400, OURS, "deadline in seconds for all attempts at one file (0: none)"},
	[OPT_JITTER] = {"pxeroot.jitter", OPT_UINT, "0", NULL, 3600, OURS,
			"before the first HTTP request, a random wait below this many seconds (machines powered on together spread out; 0: none)"},
	[OPT_IP] = {"ip", OPT_LIST, NULL, "DHCP on any NIC when the root needs the network", 0, KERNEL,
		    "the network (kernel, dracut or PXELINUX forms), repeatable for several NICs"},
	[OPT_BOOTIF] = {"BOOTIF", OPT_TEXT, NULL, NULL, 0, PXELINUX, "the NIC with this MAC (01-aa-bb-cc-dd-ee-ff) is the one to configure"},
	[OPT_NAMESERVER] = {"nameserver", OPT_LIST, NULL, NULL, 0, DRACUT, "a DNS server, repeatable"},
	[OPT_NEEDNET] = {"rd.neednet", OPT_BOOL, NULL, "off", 0, DRACUT, "bring the network up even when the root does not need it"},
	[OPT_CARRIER_TIMEOUT] = {"pxeroot.carrier_timeout", OPT_UINT, "10", NULL, 3600, OURS, "seconds to wait for carrier on any NIC"},
	[OPT_DHCP_TIMEOUT] = {"pxeroot.dhcp_timeout", OPT_UINT, "60", NULL, 3600, OURS, "seconds to wait for a DHCP lease"},
	[OPT_COPY_RESOLVCONF] = {"copy_resolvconf", OPT_BOOL, "y", NULL, 0, ARCHISO, "copy /etc/resolv.conf into the new root"},
	[OPT_RO] = {"ro", OPT_WORD, NULL, "ro", 0, KERNEL, "the root read-only (the later of ro and rw wins)"},
	[OPT_RW] = {"rw", OPT_WORD, NULL, "ro", 0, KERNEL, "an ext2/3/4 image or an NFS export read-write as /, no overlay"},
	[OPT_COW_SPACESIZE] = {"cow_spacesize", OPT_SIZE, "256M", NULL, 0, ARCHISO, "size of the tmpfs holding the overlay's changes"},
	[OPT_LIVE_OVERLAY_SIZE] = {"rd.live.overlay.size", OPT_TEXT, NULL, "256M", 0, DRACUT, "as cow_spacesize=, a bare number in MiB"},
	[OPT_INIT] = {"init", OPT_TEXT, NULL, "/sbin/init, then /usr/lib/systemd/systemd, then /init", 0, KERNEL, "init to exec in the new root"},
	[OPT_SCRIPT] = {"script", OPT_TEXT, NULL, NULL, 0, ARCHISO, "a script (http://, https://, tftp:// URL or a path in the new root) run once in the booted system"},
	[OPT_SCRIPT_SHA512] = {"pxeroot.script_sha512", OPT_TEXT, NULL, NULL, 0, OURS, "the script's SHA-512 (128 hex digits): another script is not run"},
	[OPT_SCRIPT_REQUIRED] = {"pxeroot.script_required", OPT_BOOL, "n", NULL, 0, OURS, "a script not run is a failure under pxeroot.onerror="},
	[OPT_ONERROR] = {"pxeroot.onerror", OPT_TEXT, "retry", NULL, 0, OURS, "on a failure: retry, shell, reboot, halt or poweroff"},
	[OPT_RETRIES] = {"pxeroot.retries", OPT_UINT, "3", NULL, 100, OURS, "retries per stage for pxeroot.onerror=retry"},
	[OPT_REPORT] = {"pxeroot.report", OPT_TEXT, NULL, "no report", 0, OURS,
			"http:// or https:// URL the boot's report (one JSON document, success or failure) is POSTed to once; ${pxeserver} is the boot server"},
	[OPT_REPORT_TIMEOUT] = {"pxeroot.report_timeout", OPT_UINT, "5", NULL, 600, OURS, "seconds the report's POST may take, connect included"},
	[OPT_DEBUG] = {"pxeroot.debug", OPT_BOOL, NULL, "off", 0, OURS, "more lines: the plan, modules, DHCP messages, mounts"},
};

static const struct {
	const char *word;
	bool value;
} bool_words[] = {
	{"y", true}, {"yes", true}, {"1", true}, {"true", true}, {"on", true},
	{"n", false}, {"no", false}, {"0", false}, {"false", false}, {"off", false},
};

/* The option's value as given. */
const char *opt_value(const struct cmdline *cl, enum opt_id id)
{
	return cmdline_get(cl, options[id].name);
}

/* The option's value, else its default. */
const char *opt_get(const struct cmdline *cl, enum opt_id id)
{
	const char *v = opt_value(cl, id);
	return v ? v : options[id].def;
}

/* Every value of a repeatable option. */
size_t opt_get_all(const struct cmdline *cl, enum opt_id id, const char **out, size_t max)
{
	return cmdline_get_all(cl, options[id].name, out, max);
}

/* Where the bare word stands. */
long opt_word_pos(const struct cmdline *cl, enum opt_id id)
{
	return cmdline_flag_pos(cl, options[id].name);
}

/* Word V of option NAME as a boolean into *OUT; -EINVAL when it is none of the words. */
static int bool_word(const char *name, const char *v, bool *out)
{
	if (!*v) {
		*out = true; /* a bare word means on, as archiso's checksum does */
		return 0;
	}
	for (size_t i = 0; i < sizeof(bool_words) / sizeof(bool_words[0]); i++) {
		if (!strcasecmp(v, bool_words[i].word)) {
			*out = bool_words[i].value;
			return 0;
		}
	}
	return log_err(-EINVAL, "cmdline %s=\"%s\": not a yes/no word (y, yes, 1, true, on; n, no, 0, false, off)", name, v);
}

/* A boolean option: a closed set of words, any case; anything else refused. */
int opt_bool(const struct cmdline *cl, enum opt_id id, bool *out)
{
	const char *v = opt_get(cl, id);
	return v ? bool_word(options[id].name, v, out) : 0;
}

/* A non-negative decimal option. */
int opt_uint(const struct cmdline *cl, enum opt_id id, unsigned *out)
{
	const char *v = opt_get(cl, id);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || errno || n > options[id].max || !isdigit((unsigned char)*v))
		return log_err(-EINVAL, "cmdline %s=\"%s\": not a number from 0 to %u", options[id].name, v, options[id].max);
	*out = (unsigned)n;
	return 0;
}

/* A tmpfs size: digits then k/m/g (any case) or %. */
int opt_check_size(enum opt_id id, const char *v)
{
	const char *p = v;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == v || (*p && (p[1] || !strchr("kKmMgG%", *p))))
		return log_err(-EINVAL, "cmdline %s=\"%s\": not a size like 256M, 2G or 75%%", options[id].name, v);
	return 0;
}

/* A size option, its default when absent. */
int opt_size(const struct cmdline *cl, enum opt_id id, const char **out)
{
	*out = opt_get(cl, id);
	return *out ? opt_check_size(id, *out) : 0;
}

/* The table's entry for KEY. */
const struct option_def *opt_find(const char *key)
{
	for (size_t i = 0; i < OPT_COUNT; i++)
		if (!strcmp(options[i].name, key))
			return &options[i];
	return NULL;
}

/* The number the table says. */
unsigned opt_default_uint(enum opt_id id)
{
	return options[id].def ? (unsigned)strtoul(options[id].def, NULL, 10) : 0;
}

/* The default, said for people. */
const char *opt_default_text(enum opt_id id)
{
	const struct option_def *o = &options[id];
	return o->def ? o->def : o->def_doc ? o->def_doc : "none";
}

/* The table's words for the options CL gives, and the words it leaves to others. */
void opt_explain(const struct cmdline *cl)
{
	char others[1024];
	size_t n = 0;
	others[0] = '\0';
	for (size_t i = 0; i < cl->nwords; i++) {
		const struct cmdline_word *w = &cl->words[i];
		const struct option_def *o = opt_find(w->key);
		if (o)
			log_info("plan: option %s%s%s: %s (%s syntax)", w->key, w->value ? "=" : "", w->value ? w->value : "", o->meaning,
				 o->whose);
		else if (n < sizeof(others))
			n += (size_t)snprintf(others + n, sizeof(others) - n, " %s%s", w->key, w->value ? "=" : "");
	}
	if (others[0])
		log_info("plan: not pxeroot's (left to the kernel and init):%s", others);
}

/* The table, for people and for the manual's check. */
void opt_print(FILE *out)
{
	static const char *const kinds[] = {[OPT_TEXT] = "text", [OPT_LIST] = "list", [OPT_BOOL] = "yes/no", [OPT_UINT] = "number",
					    [OPT_SIZE] = "size", [OPT_WORD] = "word"};
	for (size_t i = 0; i < OPT_COUNT; i++)
		fprintf(out, "%s\t%s\t%s\t%s\t%s\n", options[i].name, kinds[options[i].kind], opt_default_text((enum opt_id)i),
			options[i].whose, options[i].meaning);
}
