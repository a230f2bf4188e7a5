/* report.c - the boot report: what the boot did, as one small JSON document (report_build, pure),
 * and its POST to the operator's URL with libcurl under the transfers' TLS, CA and proxy policy,
 * bounded in time as a whole (report_post). */
#define _GNU_SOURCE
#include "report.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fetch/chunks.h"
#include "fetch/curl.h"
#include "log.h"
#include "net/net.h"
#include "url.h"

/* The stage ended: a new entry, or the last one again when it is the same stage. */
void report_stage(struct report *r, const char *name, uint64_t ms, unsigned attempts, bool ok)
{
	struct report_stage *s = r->nstages ? &r->stage[r->nstages - 1] : NULL;
	if (!s || strcmp(s->name, name)) {
		if (r->nstages == REPORT_STAGES)
			return;
		s = &r->stage[r->nstages++];
	}
	*s = (struct report_stage){.name = name, .ms = ms, .attempts = attempts, .ok = ok};
}

/* ADDR as dotted text into OUT (CAP bytes), or "" when it is 0.0.0.0. */
static void addr_text(struct in_addr addr, char *out, size_t cap)
{
	if (!addr.s_addr || !inet_ntop(AF_INET, &addr, out, (socklen_t)cap))
		out[0] = '\0';
}

/* The first interface's lease, as text. */
void report_lease(struct report *r, const struct net_result *net)
{
	if (!net || !net->n)
		return;
	const struct net_iface *i = &net->ifs[0];
	const struct dhcp_lease *l = &i->lease;
	struct report_lease *o = &r->lease;
	char a[INET_ADDRSTRLEN];
	int prefix = netmask_prefix(l->netmask);
	*o = (struct report_lease){.lease_s = i->method == IPC_DHCP ? l->lease_s : 0};
	snprintf(o->iface, sizeof(o->iface), "%s", i->nic.name);
	nic_mac_text(i->nic.mac, o->mac);
	snprintf(o->method, sizeof(o->method), "%s", i->method == IPC_DHCP ? "dhcp" : "static");
	addr_text(l->addr, a, sizeof(a));
	if (a[0] && prefix >= 0)
		snprintf(o->address, sizeof(o->address), "%s/%d", a, prefix);
	else if (a[0])
		snprintf(o->address, sizeof(o->address), "%s", a);
	addr_text(l->router, o->gateway, sizeof(o->gateway));
	addr_text(l->server_id, o->server, sizeof(o->server));
	addr_text(l->next_server, o->next_server, sizeof(o->next_server));
	r->has_lease = true;
}

/* A whole image's URL and bytes. */
void report_fetched(struct report_root *f, const char *url, uint64_t bytes)
{
	if (!f)
		return;
	snprintf(f->url, sizeof(f->url), "%s", url);
	f->bytes = bytes;
}

/* A chunked image's figures: bytes and chunks checked, each store and its chunks. */
void report_chunks(struct report_root *f, const struct chunks_req *cr)
{
	if (!f)
		return;
	f->bytes = cr->bytes;
	f->chunks = cr->chunks;
	f->nstores = cr->stores->n;
	for (unsigned i = 0; i < cr->stores->n; i++) {
		snprintf(f->store[i], sizeof(f->store[i]), "%s", cr->stores->base[i]);
		f->per_store[i] = cr->per_store[i];
	}
}

/* ---- the document ------------------------------------------------------------------------- */

/* A bounded writer: FULL once something did not fit (BUF then holds what did). */
struct jw {
	char *buf;
	size_t cap, len;
	bool full;
};

/* Append the N bytes of S. */
static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->full || w->len + n >= w->cap) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Append the text S. */
static void jw_text(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

/* Append FMT's text (numbers and fixed words only: strings go through jw_str). */
static void jw_fmt(struct jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jw_fmt(struct jw *w, const char *fmt, ...)
{
	char t[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	jw_put(w, t, n < 0 ? 0 : (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1);
}

/* The length of the valid UTF-8 sequence of two to four bytes at P (no overlong form, no
 * surrogate, nothing past U+10FFFF), or 0. Stops at the NUL that ends the string. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/* The character at P as JSON writes it, into OUT (6 bytes at most); its input bytes into *IN.
 * Returns the escaped length. */
static size_t esc_piece(const unsigned char *p, char out[6], size_t *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = *p >= 0x80 ? utf8_seq(p) : 0;
	*in = n ? n : 1;
	if (n) {
		memcpy(out, p, n);
		return n;
	}
	if (*p == '"' || *p == '\\') {
		out[0] = '\\', out[1] = (char)*p;
		return 2;
	}
	if (*p >= 0x20 && *p < 0x7f) {
		out[0] = (char)*p;
		return 1;
	}
	memcpy(out, "\\u00", 4);
	out[4] = hex[*p >> 4], out[5] = hex[*p & 15];
	return 6;
}

/* S's escaped length. */
static size_t esc_len(const unsigned char *s)
{
	char piece[6];
	size_t in, n = 0;
	for (; *s; s += in)
		n += esc_piece(s, piece, &in);
	return n;
}

/* S as a JSON string: at most ROOM escaped bytes between the quotes; when more would be needed,
 * what fits in ROOM - 3 and "...". */
static void jw_str(struct jw *w, const char *s, size_t room)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t in, used = 0, limit = esc_len(p) <= room ? room : room - 3;
	char piece[6];
	jw_text(w, "\"");
	for (size_t k; *p; p += in, used += k) {
		k = esc_piece(p, piece, &in);
		if (used + k > limit)
			break;
		jw_put(w, piece, k);
	}
	if (*p)
		jw_text(w, "...");
	jw_text(w, "\"");
}

/* ,"KEY":"VALUE" when VALUE is not empty. */
static void jw_kstr(struct jw *w, const char *key, const char *value, size_t room)
{
	if (!value || !*value)
		return;
	jw_fmt(w, ",\"%s\":", key);
	jw_str(w, value, room);
}

/* "stages":[...]. */
static void put_stages(struct jw *w, const struct report *r)
{
	jw_text(w, ",\"stages\":[");
	for (unsigned i = 0; i < r->nstages; i++) {
		const struct report_stage *s = &r->stage[i];
		jw_text(w, i ? ",{\"stage\":" : "{\"stage\":");
		jw_str(w, s->name, REPORT_STR_MAX);
		jw_fmt(w, ",\"ms\":%" PRIu64 ",\"ok\":%s", s->ms, s->ok ? "true" : "false");
		if (s->attempts > 1)
			jw_fmt(w, ",\"attempts\":%u", s->attempts);
		jw_text(w, "}");
	}
	jw_text(w, "]");
}

/* "lease":{...}. */
static void put_lease(struct jw *w, const struct report_lease *l)
{
	jw_text(w, ",\"lease\":{\"iface\":");
	jw_str(w, l->iface, REPORT_STR_MAX);
	jw_kstr(w, "mac", l->mac, REPORT_STR_MAX);
	jw_kstr(w, "method", l->method, REPORT_STR_MAX);
	jw_kstr(w, "address", l->address, REPORT_STR_MAX);
	jw_kstr(w, "gateway", l->gateway, REPORT_STR_MAX);
	jw_kstr(w, "server", l->server, REPORT_STR_MAX);
	jw_kstr(w, "next_server", l->next_server, REPORT_STR_MAX);
	if (l->lease_s)
		jw_fmt(w, ",\"lease_s\":%" PRIu32, l->lease_s);
	jw_text(w, "}");
}

/* "root":{...}, when the source said what it fetched. */
static void put_root(struct jw *w, const struct report_root *f)
{
	if (!f->url[0])
		return;
	jw_text(w, ",\"root\":{\"url\":");
	jw_str(w, f->url, REPORT_STR_MAX);
	jw_fmt(w, ",\"bytes\":%" PRIu64, f->bytes);
	if (f->chunks || f->nstores)
		jw_fmt(w, ",\"chunks\":%" PRIu64, f->chunks);
	for (unsigned i = 0; i < f->nstores && i < MIRRORS_MAX; i++) {
		jw_text(w, i ? ",{\"url\":" : ",\"stores\":[{\"url\":");
		jw_str(w, f->store[i], REPORT_STR_MAX);
		jw_fmt(w, ",\"chunks\":%" PRIu64 "}", f->per_store[i]);
	}
	jw_text(w, f->nstores ? "]}" : "}");
}

/* The whole document. */
int report_build(const struct report *r, char *buf, size_t cap)
{
	struct jw w = {.buf = buf, .cap = cap};
	if (cap)
		buf[0] = '\0';
	jw_text(&w, "{\"pxeroot\":");
	jw_str(&w, PXEROOT_VERSION, REPORT_STR_MAX);
	jw_fmt(&w, ",\"ok\":%s", r->ok ? "true" : "false");
	if (r->uptime_ms)
		jw_fmt(&w, ",\"uptime_ms\":%" PRIu64, r->uptime_ms);
	put_stages(&w, r);
	if (r->has_lease)
		put_lease(&w, &r->lease);
	put_root(&w, &r->root);
	jw_kstr(&w, "error", r->error, REPORT_ERR_MAX);
	jw_text(&w, "}");
	return w.full ? -E2BIG : (int)w.len;
}

/* ---- the POST ----------------------------------------------------------------------------- */

/* The line for a report that did not go: URL, CAUSE, and why when the network never came up;
 * returns ERR. */
static int not_sent(const char *url, int err, const char *cause, bool net_down)
{
	log_info("report: not sent to %s: %s%s", url, cause, net_down ? " (the network never came up)" : "");
	return err;
}

/* libcurl's write callback: the answer's body is not kept. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p, (void)ctx;
	return size * n;
}

/* The cause of a POST that ended with RC (libcurl's text in ERRBUF) or the HTTP STATUS, after MS,
 * into OUT. */
static void post_cause(CURLcode rc, const char *errbuf, long status, unsigned timeout_s, uint64_t ms, char *out, size_t cap)
{
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(out, cap, "no answer within %u s (pxeroot.report_timeout=), after %" PRIu64 " ms", timeout_s, ms);
	else if (rc != CURLE_OK)
		snprintf(out, cap, "%s, after %" PRIu64 " ms", errbuf[0] ? errbuf : curl_easy_strerror(rc), ms);
	else
		snprintf(out, cap, "HTTP %ld, after %" PRIu64 " ms", status, ms);
}

/* DOC (LEN bytes) POSTed to URL under CFG within TIMEOUT_S; one line. */
static int post(const char *url, const struct fetch_config *cfg, unsigned timeout_s, const char *doc, size_t len, bool net_down)
{
	struct fetch_config c = fetch_defaults(cfg);
	char errbuf[CURL_ERROR_SIZE] = "", cause[CURL_ERROR_SIZE + 96];
	CURL *e = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	struct curl_slist *h2 = h ? curl_slist_append(h, "Expect:") : NULL; /* the body at once, no 100-continue */
	if (!e || !h2) {
		curl_slist_free_all(h);
		curl_easy_cleanup(e);
		return not_sent(url, -ENOMEM, "out of memory", net_down);
	}
	fetch_curl_setup(e, &c, url, errbuf);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h2);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, doc);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_s * 1000L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	uint64_t t0 = now_ms();
	CURLcode rc = curl_easy_perform(e);
	uint64_t ms = now_ms() - t0;
	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h2);
	curl_easy_cleanup(e);
	if (rc == CURLE_OK && status >= 200 && status < 300) {
		log_info("report: sent to %s (%zu bytes, HTTP %ld, in %" PRIu64 " ms)", url, len, status, ms);
		return 0;
	}
	post_cause(rc, errbuf, status, timeout_s, ms, cause, sizeof(cause));
	return not_sent(url, rc != CURLE_OK ? fetch_curl_errno(rc) : fetch_http_errno(status), cause, net_down);
}

/* The document R to P's URL. */
int report_post(const struct report_plan *p, const struct fetch_config *cfg, const char *pxeserver, bool net_down,
		const struct report *r)
{
	char url[2048], doc[REPORT_MAX];
	if (!p->url)
		return 0;
	int e = url_expand_pxeserver(p->url, pxeserver, url, sizeof(url));
	if (e < 0)
		return not_sent(p->url, e, e == -ENXIO ? "it uses ${pxeserver} and no boot server is known" : "URL too long", net_down);
	int len = report_build(r, doc, sizeof(doc));
	if (len < 0)
		return not_sent(url, len, "the document is larger than its bound", net_down);
	return post(url, cfg, p->timeout_s, doc, (size_t)len, net_down);
}
