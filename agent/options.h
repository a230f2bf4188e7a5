/* options.h - every option pxeroot reads from the kernel command line, declared once: its name,
 * its kind, its default, whose syntax it borrows and what it means. The readers below take an
 * OPT_ id, so an option the code reads is an option of this table; `pxeroot options` prints the
 * table, `pxeroot cmdline --explain` names the options a line gives, and the manual's entries are
 * checked against it. Adding an option: an id here, a line in the table of options.c, the code
 * that reads it, its entry in man/pxeroot.cmdline.7 and its row in README.md. */
#ifndef PXEROOT_OPTIONS_H
#define PXEROOT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmdline.h"

enum opt_id {
	OPT_ARCHISO_HTTP_SRV,
	OPT_ARCHISO_HTTP_SPC,
	OPT_ARCHISOBASEDIR,
	OPT_ARCH,
	OPT_ROOT,
	OPT_NFSROOT,
	OPT_ARCHISO_NFS_SRV,
	OPT_ARCHISO_NFS_OPT,
	OPT_OVERLAY,
	OPT_LIVE_OVERLAYFS,
	OPT_NFS_TIMEOUT,
	OPT_MEMDISK,
	OPT_MEMDISK_WORD,
	OPT_ARCHISOLABEL,
	OPT_ARCHISODEVICE,
	OPT_ARCHISOSEARCHUUID,
	OPT_ARCHISOSEARCHFILENAME,
	OPT_ROOTDELAY,
	OPT_COPYTORAM,
	OPT_COPYTORAM_SIZE,
	OPT_CHECKSUM,
	OPT_CMS_VERIFY,
	OPT_VERIFY,
	OPT_CA,
	OPT_MIRROR,
	OPT_CHUNKS,
	OPT_STORE,
	OPT_LAZY,
	OPT_CACHE,
	OPT_PROXY,
	OPT_CONNECT_TIMEOUT,
	OPT_STALL_TIMEOUT,
	OPT_FETCH_RETRIES,
	OPT_TIMEOUT,
	OPT_JITTER,
	OPT_IP,
	OPT_BOOTIF,
	OPT_NAMESERVER,
	OPT_NEEDNET,
	OPT_CARRIER_TIMEOUT,
	OPT_DHCP_TIMEOUT,
	OPT_COPY_RESOLVCONF,
	OPT_RO,
	OPT_RW,
	OPT_COW_SPACESIZE,
	OPT_LIVE_OVERLAY_SIZE,
	OPT_INIT,
	OPT_SCRIPT,
	OPT_SCRIPT_SHA512,
	OPT_SCRIPT_REQUIRED,
	OPT_ONERROR,
	OPT_RETRIES,
	OPT_REPORT,
	OPT_REPORT_TIMEOUT,
	OPT_DEBUG,
	OPT_COUNT
};

enum opt_kind {
	OPT_TEXT, /* NAME=VALUE, the reader checks the value */
	OPT_LIST, /* NAME=VALUE, repeatable: every value in order */
	OPT_BOOL, /* a bare NAME is on; else y, yes, 1, true, on / n, no, 0, false, off */
	OPT_UINT, /* a decimal number from 0 to the option's max */
	OPT_SIZE, /* a tmpfs size: 256M, 2G, 75% */
	OPT_WORD, /* a bare word (ro, rw, memdisk) */
};

struct option_def {
	const char *name;    /* as written before '=' */
	enum opt_kind kind;
	const char *def;     /* the value the reader takes when the option is absent (NULL: none) */
	const char *def_doc; /* when DEF is NULL: what happens without it, for people (NULL: nothing) */
	unsigned max;        /* OPT_UINT: the largest value */
	const char *whose;   /* whose syntax: archiso, dracut, the kernel, PXELINUX/iPXE, syslinux MEMDISK, pxeroot */
	const char *meaning; /* one line */
};

extern const struct option_def options[OPT_COUNT];

/* The value of the last ID=value word ("" for a bare word); NULL when absent. */
const char *opt_value(const struct cmdline *cl, enum opt_id id);
/* The value of the last ID=value word ("" for a bare word), else the table's default (NULL when
 * it has none). */
const char *opt_get(const struct cmdline *cl, enum opt_id id);
/* Up to MAX values of every ID=value word, in order, into OUT; the count. */
size_t opt_get_all(const struct cmdline *cl, enum opt_id id, const char **out, size_t max);
/* Position of the last bare word ID (the later of ro and rw wins); -1 when absent. */
long opt_word_pos(const struct cmdline *cl, enum opt_id id);
/* Boolean option ID into *OUT: a bare word is on, a value one of y, yes, 1, true, on / n, no, 0,
 * false, off (any case); absent, the table's default, else *OUT kept. 0 or -EINVAL (logged,
 * quoted): a trust option read as "off" would boot an image nobody checked. */
int opt_bool(const struct cmdline *cl, enum opt_id id, bool *out);
/* Decimal option ID of at most the table's max into *OUT (absent: the table's default, else
 * kept). 0 or -EINVAL (logged, quoted). */
int opt_uint(const struct cmdline *cl, enum opt_id id, unsigned *out);
/* Size option ID (tmpfs syntax: 256M, 2G, 75%) into *OUT: its value, else the table's default.
 * 0 or -EINVAL (logged, quoted). */
int opt_size(const struct cmdline *cl, enum opt_id id, const char **out);
/* Whether V, the value of option ID, is a tmpfs size; 0 or -EINVAL (logged, quoted). */
int opt_check_size(enum opt_id id, const char *v);
/* The option named KEY (the text before '='), or NULL. */
const struct option_def *opt_find(const char *key);
/* The table's default of the number option ID (0 when it has none). */
unsigned opt_default_uint(enum opt_id id);
/* One "plan: option ..." line per word of CL the table knows (its meaning and whose syntax), one
 * line with the words it does not (the kernel's, init's, another tool's). */
void opt_explain(const struct cmdline *cl);
/* The table on OUT, one option a line: name, kind, default, whose syntax, meaning, tab-separated. */
void opt_print(FILE *out);
/* The default of ID for people: its value, else its description, else "none". */
const char *opt_default_text(enum opt_id id);

#endif
