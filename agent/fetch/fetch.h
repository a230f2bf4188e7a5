/* fetch.h - one file over HTTP(S), feeding every sink as the bytes arrive, resumed across broken
 * connections, retried with backoff, from the first of several mirrors that works */
#ifndef PXEROOT_FETCH_H
#define PXEROOT_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

struct curl_slist;

/* How transfers behave. */
struct fetch_config {
	const char *ca;          /* CA bundle for HTTPS (pxeroot.ca=); NULL: trust_files' ca-bundle */
	const char *proxy;       /* proxy= ([scheme://][user:pass@]host[:port]); NULL: none */
	unsigned connect_s;      /* pxeroot.connect_timeout=: TCP + TLS setup of one attempt */
	unsigned stall_s;        /* pxeroot.stall_timeout=: no byte for this long ends an attempt */
	unsigned deadline_s;     /* pxeroot.timeout=: all attempts at one file (0: no limit) */
	unsigned attempts;       /* pxeroot.fetch_retries=: attempts in a row without a new byte */
	unsigned jitter_s;       /* pxeroot.jitter=: a random wait below this before the first request */
	/* Set by fetch_pin, for a process that leaves the initramfs: */
	struct curl_slist *pin;  /* "host:port:addresses" resolved beforehand (CURLOPT_RESOLVE) */
	const uint8_t *ca_pem;   /* the CA bundle's bytes */
	size_t ca_pem_len;
};

#define MIRRORS_MAX 8

/* Base URLs a file can come from, in order of preference: archiso_http_srv= (or the directory of
 * root=live:) first, then each pxeroot.mirror=. A base that failed (an attempt that brought no
 * byte) is skipped on later attempts until every base has failed. */
struct mirrors {
	const char *base[MIRRORS_MAX];
	bool failed[MIRRORS_MAX];
	unsigned n;
};

/* One file to get. */
struct fetch_req {
	const struct fetch_config *cfg; /* the transfer policy; NULL: the defaults */
	struct mirrors *m;       /* NULL: PATH is the whole URL */
	const char *path;        /* appended to a base of M (no leading '/') */
	struct sink *sinks;
	const char *label;       /* progress line name; NULL: none (small files) */
	/* The largest file taken, in bytes (0: no limit): a larger Content-Length ends the fetch
	 * before any byte reaches a sink, and a body of no announced size is cut off when it runs
	 * past it; either way -EFBIG after the line naming the URL and the limit, not retried. */
	uint64_t max;
	bool head;               /* only ask whether it is there (HEAD): 0 or -ENOENT, no body */
	/* Called once the size is known, before the first byte reaches a sink: 0, or a negative
	 * errno (logged by the callee) that ends the fetch at once. */
	int (*on_size)(void *ctx, const char *url, uint64_t size);
	/* Optional, for an image unpacked while it arrives (image_fetch): asked as the unpacked size
	 * grows, with the bytes served and unpacked so far, CTX as above (inflate.h: budget). */
	int (*on_unpacked)(void *ctx, const char *url, uint64_t served, uint64_t unpacked, uint64_t *next);
	void *ctx;
	const uint64_t *unpacked; /* optional: bytes unpacked so far, shown on the progress line */
	/* Filled in: */
	char url[2048];          /* the URL of the last attempt */
	uint64_t size;           /* bytes delivered */
	uint64_t mem_peak_kb;    /* most memory in use (MemTotal - MemAvailable) seen during it */
};

/* Fetch RQ into its sinks. After a broken connection it continues from the last byte the sinks
 * got with a Range request guarded by If-Range, so nothing reaches a sink twice. 0, or a
 * negative errno after the line that names the URL and the cause: -ENOENT (404/410 everywhere),
 * -ESTALE when bytes already given to the sinks cannot be continued (the file changed on the
 * server, or the server ignores ranges): the caller resets its sinks and calls again. */
int fetch_file(struct fetch_req *rq);
/* Why a file was refused for its size MAX: "larger than the limit of 16 MiB" into WHY (CAP bytes),
 * the limit in MiB or KiB when it is a whole number of them. */
void fetch_limit_why(uint64_t max, char *why, size_t cap);
/* The base RQ will try first, joined with RQ's path, into OUT. */
int fetch_first_url(const struct fetch_req *rq, char *out, size_t cap);
/* C (NULL: none) with its NULL fields and zero numbers at the defaults, the deadline excepted. */
struct fetch_config fetch_defaults(const struct fetch_config *c);
/* One-time libcurl setup; 0 or -EIO. */
int fetch_global_init(void);

#endif
