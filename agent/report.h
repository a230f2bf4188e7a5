/* report.h - the boot report (pxeroot.report=URL): once per boot, on success right before
 * switch_root and on failure when the boot gives up (before pxeroot.onerror='s action), one small
 * JSON document POSTed to URL, the whole request bounded by pxeroot.report_timeout=:
 *
 *   {"pxeroot":"<version>","ok":true,"uptime_ms":N,
 *    "stages":[{"stage":"network","ms":N,"ok":true},...],
 *    "lease":{"iface":"eth0","mac":"…","method":"dhcp","address":"10.0.2.15/24","gateway":"…",
 *             "server":"…","next_server":"…","lease_s":N},
 *    "root":{"url":"…","bytes":N,"chunks":N,"stores":[{"url":"…","chunks":N}]},
 *    "error":"<the last error line>"}
 *
 * A field that does not apply is left out (no lease without a network, no "chunks" for a whole
 * image, no "error" on success; "attempts" in a stage only when it ran more than once). Strings
 * are JSON-escaped: '"' and '\' with a backslash, every control byte (below 0x20, and 0x7f) as
 * \u00XX, valid UTF-8 kept as it is, and a byte of 0x80 or above that is not part of valid UTF-8
 * as \u00XX of that byte (so the document is always valid JSON and the byte's value stays
 * readable). A string longer than its room (REPORT_STR_MAX, REPORT_ERR_MAX escaped bytes) is cut,
 * never inside an escape or a UTF-8 sequence, and ends in "...". The document is at most
 * REPORT_MAX bytes whatever the values; a typical one is under 1 KiB. */
#ifndef PXEROOT_REPORT_H
#define PXEROOT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/fetch.h"
#include "net/link.h"

struct chunks_req;
struct net_result;

#define REPORT_MAX 8192      /* the largest document */
#define REPORT_STR_MAX 512   /* escaped bytes of a URL or a name, at most */
#define REPORT_ERR_MAX 1280  /* escaped bytes of the error line, at most */
#define REPORT_STAGES 12
#define REPORT_TIMEOUT_S 5   /* pxeroot.report_timeout='s default */

/* pxeroot.report=, pxeroot.report_timeout= as the plan holds them. */
struct report_plan {
	const char *url;     /* http:// or https://, ${pxeserver} not yet replaced; NULL: no report */
	unsigned timeout_s;  /* the whole POST, connect included */
};

/* One stage as it ended. */
struct report_stage {
	const char *name;    /* the stage's name (static text) */
	uint64_t ms;         /* from its first attempt to its end */
	unsigned attempts;
	bool ok;
};

/* What the source fetched for the root (a source fills it through its source_ctx). */
struct report_root {
	char url[2048];      /* the image (or index) URL of the last attempt; "": none */
	uint64_t bytes;      /* bytes received for it (a chunked image: for its checked chunks) */
	uint64_t chunks;     /* a chunked image's chunks fetched and checked; 0: not chunked */
	unsigned nstores;
	char store[MIRRORS_MAX][2048];
	uint64_t per_store[MIRRORS_MAX];
};

/* The lease of the interface the boot used (a static ip= too), as text. */
struct report_lease {
	char iface[16], mac[NIC_MAC_TEXT], method[8], address[32], gateway[16], server[16], next_server[16];
	uint32_t lease_s;    /* 0: none (static) */
};

/* Everything a document says. */
struct report {
	bool ok;
	uint64_t uptime_ms;  /* 0: left out (a host's fetch) */
	struct report_stage stage[REPORT_STAGES];
	unsigned nstages;
	bool has_lease;
	struct report_lease lease;
	struct report_root root;
	const char *error;   /* the line that ended the run; NULL or "": none */
};

/* Record that stage NAME ended (OK or not) after MS milliseconds and ATTEMPTS attempts: a new
 * entry, or the last one again when it is the same stage (a stage tried again after a rescue
 * shell). Stages past REPORT_STAGES are dropped. */
void report_stage(struct report *r, const char *name, uint64_t ms, unsigned attempts, bool ok);
/* The lease of NET's first interface into R (nothing when NET is NULL or has none). */
void report_lease(struct report *r, const struct net_result *net);
/* The URL and the bytes of a whole image fetched into F (NULL: nobody asks). */
void report_fetched(struct report_root *f, const char *url, uint64_t bytes);
/* The figures of a chunked image's fetch CR (its stores and what each gave) into F (NULL: nobody
 * asks); the index's URL stays F's. */
void report_chunks(struct report_root *f, const struct chunks_req *cr);
/* The document R into BUF (CAP bytes, REPORT_MAX is always enough), NUL-terminated. Its length,
 * or -E2BIG when CAP is too small. Pure: no I/O, no line. */
int report_build(const struct report *r, char *buf, size_t cap);
/* POST the document R to P's URL (${pxeserver} replaced by PXESERVER; NULL or "": unknown) under
 * the transfer policy CFG (its CA bundle and proxy; NULL: the defaults), the whole request within
 * P's timeout, no redirect followed, no retry. NET_DOWN: the network never came up (said in the
 * line when it fails). One line either way: "report: sent to URL (N bytes, HTTP 204, in M ms)"
 * and 0 for a 2xx answer, else "report: not sent to URL: CAUSE" and a negative errno. The line is
 * not an error line: log_last_error still gives the line that ended the boot. */
int report_post(const struct report_plan *p, const struct fetch_config *cfg, const char *pxeserver, bool net_down,
		const struct report *r);

#endif
