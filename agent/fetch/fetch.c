/* fetch.c - libcurl transfers that survive broken connections.
 *
 * The body callback hands every chunk to each sink in turn (file, checks, ...), so every check
 * runs in the same pass as the download and nothing is read again. A fetch is a series of
 * attempts; `got` counts the bytes the sinks have, and each later attempt asks for the rest with
 * "Range: bytes=got-" and "If-Range: <validator of the first response>". A 206 from the same
 * offset continues the stream; a 200 means the file changed (new validator) or the server ignores
 * ranges, and since the sinks cannot take bytes back, the caller starts over (-ESTALE).
 *
 * Between attempts: exponential backoff with jitter (1, 2, 4 ... 30 s, each scaled by a random
 * factor in [0.5, 1.5) so machines booting together spread out; 0.1-0.3 s after an attempt that
 * delivered bytes), the next mirror when the current one failed (one that was sending is asked
 * to resume: a file that moves to another mirror starts over there, since a validator holds
 * only on the server that gave it), a stall timer (no byte for stall_s), a connect timeout and an optional deadline. An
 * attempt that delivered bytes resets the count of failures in a row.
 *
 * The newest HOLD_BACK bytes of an attempt are held back from the sinks until more arrive or the
 * file is complete: when a connection breaks, the last of what it brought is not trusted (QEMU's
 * user-mode network has been seen to hand over garbled bytes just before the end of a connection
 * its peer reset), so the next attempt asks for those again. At most half of what a broken
 * attempt brought is given up, so that one that keeps breaking early still gets on. */
#define _GNU_SOURCE
#include "fetch/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fetch/curl.h"
#include "log.h"
#include "options.h"
#include "meminfo.h"
#include "verify/trust.h"

#define RESUME_WAIT_MS 200u     /* before resuming after an attempt that delivered bytes */
#define HOLD_BACK (256u * 1024)  /* the newest bytes of an attempt, kept from the sinks until more arrive */


/* Why an attempt stopped early (set by the callbacks). */
enum stop { STOP_NONE, STOP_SINK, STOP_SIZE, STOP_STALE, STOP_EXTRA, STOP_STALL, STOP_DEADLINE };

/* One fetch_file call: state kept across its attempts. */
struct xfer {
	struct fetch_req *rq;
	struct fetch_config cfg; /* rq's settings, defaults filled in */
	CURL *curl;
	const char *url;        /* this attempt's URL (rq->url) */
	struct progress prog;
	uint64_t got;           /* bytes the sinks have, over all attempts */
	uint8_t *hold;          /* ring of HOLD_BACK bytes: the newest ones received, not yet in the sinks */
	size_t hold_head, hold_len;
	uint64_t rx;            /* bytes this attempt received */
	uint64_t size;          /* the file's full size; 0 while unknown */
	char validator[256];    /* strong ETag, else Last-Modified, of the first response */
	unsigned vmirror;       /* the mirror that sent the first response: the only one to resume at */
	long status;            /* HTTP status of this attempt, seen at its first body byte */
	enum stop stop;
	int err;                /* the errno behind stop */
	uint64_t last_rx_ms;    /* when this attempt last received a byte (or started) */
	uint64_t deadline_ms;   /* 0: none */
	uint64_t mem_ms;        /* last memory sample */
	unsigned attempt, fails; /* attempts made; attempts in a row without a new byte */
	unsigned mirror;        /* index into rq->m of this attempt */
	uint64_t retry_ms;      /* the wait this attempt's 503 or 429 asked for (Retry-After); 0: none */
	unsigned told_s;        /* the seconds it said */
};

/* The value of response header NAME of the last request into OUT ("" when absent). */
static void header(CURL *c, const char *name, char *out, size_t cap)
{
	struct curl_header *h;
	out[0] = '\0';
	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
		snprintf(out, cap, "%s", h->value);
}

/* The validator If-Range can carry: a strong ETag, else Last-Modified ("" when neither). */
static void validator(CURL *c, char *out, size_t cap)
{
	header(c, "ETag", out, cap);
	if (!strncmp(out, "W/", 2) || !out[0])
		header(c, "Last-Modified", out, cap);
}

/* Why a file was refused for its size. */
void fetch_limit_why(uint64_t max, char *why, size_t cap)
{
	uint64_t n = max;
	const char *unit = "bytes";
	if (max && max % (1u << 20) == 0)
		n = max >> 20, unit = "MiB";
	else if (max && max % 1024 == 0)
		n = max >> 10, unit = "KiB";
	snprintf(why, cap, "larger than the limit of %" PRIu64 " %s", n, unit);
}

/* The file passes rq->max: ANNOUNCED bytes by its Content-Length, or (0) it kept coming without
 * one. One line; the attempt ends and the fetch with it (STOP_SIZE). Returns -EFBIG. */
static int too_big(struct xfer *x, uint64_t announced)
{
	char why[64];
	fetch_limit_why(x->rq->max, why, sizeof(why));
	if (announced)
		log_err(-EFBIG, "fetch %s: %s (%" PRIu64 " bytes announced)", x->url, why, announced);
	else
		log_err(-EFBIG, "fetch %s: %s (no size announced; cut off there)", x->url, why);
	x->stop = STOP_SIZE;
	x->err = -EFBIG;
	return -EFBIG;
}

/* First body byte of an attempt that asked for nothing in particular: learn size and validator,
 * refuse a size over rq->max, let the caller refuse the size. */
static int first_response(struct xfer *x)
{
	curl_off_t len = -1;
	curl_easy_getinfo(x->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	x->size = len > 0 ? (uint64_t)len : 0;
	validator(x->curl, x->validator, sizeof(x->validator));
	x->vmirror = x->mirror;
	if (x->rq->max && x->size > x->rq->max)
		return too_big(x, x->size);
	if (x->size && x->rq->on_size) {
		int r = x->rq->on_size(x->rq->ctx, x->url, x->size);
		if (r < 0) {
			x->stop = STOP_SIZE;
			x->err = r;
			return r;
		}
	}
	return 0;
}

/* First body byte of a resumed attempt: a 206 must continue exactly where the sinks stopped;
 * anything else means starting over. */
static int resumed_response(struct xfer *x)
{
	char cr[128], v[256], c1[LOG_CLEAN_MAX], c2[LOG_CLEAN_MAX];
	unsigned long long from, to, total;
	if (x->status == 206) {
		header(x->curl, "Content-Range", cr, sizeof(cr));
		if (sscanf(cr, "bytes %llu-%llu/%llu", &from, &to, &total) == 3 && from == x->got &&
		    (!x->size || total == x->size)) {
			x->size = total;
			log_info("fetch %s: resumed at byte %" PRIu64 " (attempt %u)", x->url, x->got, x->attempt);
			return 0;
		}
		log_info("fetch %s: the server answered the range request with \"%s\"; starting over", x->url,
			 log_clean(cr, c1, sizeof(c1)));
	} else {
		validator(x->curl, v, sizeof(v));
		if (strcmp(v, x->validator)) /* an ETag carries its own quotes, a date has none */
			log_info("fetch %s: changed on the server (%s, was %s); starting over", x->url,
				 log_clean(v, c1, sizeof(c1)), log_clean(x->validator, c2, sizeof(c2)));
		else
			log_info("fetch %s: the server does not resume (HTTP %ld to a range request); starting over", x->url, x->status);
	}
	x->stop = STOP_STALE;
	x->err = -ESTALE;
	return -ESTALE;
}

/* Hand the N oldest held bytes to the sinks. */
static int hold_emit(struct xfer *x, size_t n)
{
	while (n) {
		size_t part = n < HOLD_BACK - x->hold_head ? n : HOLD_BACK - x->hold_head;
		int r = sink_feed(x->rq->sinks, x->hold + x->hold_head, part);
		if (r < 0)
			return r;
		x->got += part;
		x->hold_head = (x->hold_head + part) % HOLD_BACK;
		x->hold_len -= part;
		n -= part;
	}
	if (!x->hold_len)
		x->hold_head = 0;
	return 0;
}

/* N received bytes at P join the held ones; what passes HOLD_BACK goes on to the sinks. */
static int hold_take(struct xfer *x, const uint8_t *p, size_t n)
{
	int r;
	if (x->hold_len + n > HOLD_BACK) {
		size_t over = x->hold_len + n - HOLD_BACK, old = over < x->hold_len ? over : x->hold_len;
		if ((r = hold_emit(x, old)) < 0)
			return r;
		if (over > old) { /* a chunk bigger than the ring: its front goes straight on */
			if ((r = sink_feed(x->rq->sinks, p, over - old)) < 0)
				return r;
			x->got += over - old;
			p += over - old;
			n -= over - old;
		}
	}
	for (size_t tail; n; n -= tail) {
		size_t at = (x->hold_head + x->hold_len) % HOLD_BACK;
		tail = n < HOLD_BACK - at ? n : HOLD_BACK - at;
		memcpy(x->hold + at, p, tail);
		x->hold_len += tail;
		p += tail;
	}
	return 0;
}

/* At the end of an attempt: all held bytes go on when it completed the file (OK); after a break,
 * the newest min(HOLD_BACK, half of what it brought) are dropped, to be asked for again. */
static int hold_settle(struct xfer *x, bool ok)
{
	size_t drop = ok ? 0 : x->rx / 2 < x->hold_len ? (size_t)(x->rx / 2) : x->hold_len;
	if (x->stop == STOP_SINK || x->stop == STOP_SIZE)
		drop = x->hold_len; /* a sink already refused, or the file is: nothing more goes to the sinks */
	int r = hold_emit(x, x->hold_len - drop);
	x->hold_len = x->hold_head = 0;
	return r;
}

/* libcurl body callback: check the response at its first byte, then feed every sink. A short
 * count makes libcurl end the attempt (CURLE_WRITE_ERROR); x->stop says why. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	if (!x->status) {
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
		if (x->status < 200 || x->status > 299)
			return 0;
		if ((x->got ? resumed_response(x) : first_response(x)) < 0)
			return 0;
	}
	if (x->size && n > x->size - x->got - x->hold_len) {
		x->stop = STOP_EXTRA;
		x->err = -EPROTO;
		return 0;
	}
	if (x->rq->max && n > x->rq->max - x->got - x->hold_len) {
		too_big(x, 0);
		return 0;
	}
	int r = hold_take(x, (const uint8_t *)p, n);
	if (r < 0) {
		x->stop = STOP_SINK;
		x->err = r;
		return 0;
	}
	x->rx += n;
	x->last_rx_ms = now_ms();
	return n;
}

/* Note the most memory in use, once a second unless FORCE. */
static void sample_memory(struct xfer *x, uint64_t now, bool force)
{
	if (!force && now - x->mem_ms < 1000)
		return;
	x->mem_ms = now;
	uint64_t used = mem_used_kb();
	if (used > x->rq->mem_peak_kb)
		x->rq->mem_peak_kb = used;
}

/* libcurl progress callback (at least once a second): stall timer, deadline, progress line. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = userdata;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	uint64_t now = now_ms();
	sample_memory(x, now, false);
	if (now - x->last_rx_ms >= x->cfg.stall_s * 1000ull) {
		x->stop = STOP_STALL;
		x->err = -ETIMEDOUT;
		return 1;
	}
	if (x->deadline_ms && now >= x->deadline_ms) {
		x->stop = STOP_DEADLINE;
		x->err = -ETIMEDOUT;
		return 1;
	}
	if (x->rq->label && x->got + x->hold_len)
		progress_update(&x->prog, x->got + x->hold_len, x->size);
	return 0;
}

/* After an attempt at an https URL that ended with RES: when it was a redirect to another scheme,
 * which libcurl refused to follow (REDIR_PROTOCOLS https only; the effective URL is then the
 * target), the target into WHY and -EPERM; else 0. */
static int downgrade(struct xfer *x, CURLcode res, char *why, size_t cap)
{
	char *to = NULL, clean[LOG_CLEAN_MAX];
	if (!fetch_is_https(x->url) || res != CURLE_UNSUPPORTED_PROTOCOL)
		return 0;
	curl_easy_getinfo(x->curl, CURLINFO_EFFECTIVE_URL, &to);
	if (!to || fetch_is_https(to))
		return 0;
	snprintf(why, cap, "redirected to %s, refused (a transfer that starts on https follows https redirects only)",
		 log_clean(to, clean, sizeof(clean)));
	return -EPERM;
}

/* Set the options of one attempt. */
static void setup(struct xfer *x, char *errbuf, char *range, size_t rcap, struct curl_slist **hdrs)
{
	CURL *c = x->curl;
	fetch_curl_setup(c, &x->cfg, x->url, errbuf);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_NOBODY, x->rq->head ? 1L : 0L);
	if (x->got) {
		snprintf(range, rcap, "%" PRIu64 "-", x->got);
		curl_easy_setopt(c, CURLOPT_RANGE, range);
		if (x->validator[0]) {
			char h[300];
			snprintf(h, sizeof(h), "If-Range: %s", x->validator);
			*hdrs = curl_slist_append(NULL, h);
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
		}
	}
}

/* The URL of mirror I for RQ into OUT. */
static int mirror_url(const struct fetch_req *rq, unsigned i, char *out, size_t cap)
{
	int n = rq->m ? snprintf(out, cap, "%s%s", rq->m->base[i], rq->path) : snprintf(out, cap, "%s", rq->path);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* The first mirror not marked failed; when all are, clear the marks and start from the top. */
static unsigned pick_mirror(struct mirrors *m)
{
	if (!m)
		return 0;
	for (unsigned i = 0; i < m->n; i++)
		if (!m->failed[i])
			return i;
	memset(m->failed, 0, sizeof(m->failed));
	return 0;
}

/* URL the next fetch of RQ starts with. */
int fetch_first_url(const struct fetch_req *rq, char *out, size_t cap)
{
	return mirror_url(rq, rq->m ? pick_mirror(rq->m) : 0, out, cap);
}

/* One attempt at x->url; 0 when the file is complete, else a negative errno with the cause in
 * WHY. */
static int attempt(struct xfer *x, char *why, size_t cap)
{
	char errbuf[CURL_ERROR_SIZE] = "", range[32];
	struct curl_slist *hdrs = NULL;
	x->curl = curl_easy_init();
	if (!x->curl) {
		snprintf(why, cap, "cannot create a transfer");
		return -ENOMEM;
	}
	x->status = 0;
	x->retry_ms = 0;
	x->rx = 0;
	x->stop = STOP_NONE;
	x->last_rx_ms = now_ms();
	setup(x, errbuf, range, sizeof(range), &hdrs);
	CURLcode res = curl_easy_perform(x->curl);
	if (!x->status)
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
	int r = 0;
	if (x->stop != STOP_NONE) {
		r = x->err;
		if (x->stop == STOP_STALL)
			snprintf(why, cap, "no data for %u s (pxeroot.stall_timeout=)", x->cfg.stall_s);
		else if (x->stop == STOP_DEADLINE)
			snprintf(why, cap, "not done after %u s (pxeroot.timeout=)", x->cfg.deadline_s);
		else if (x->stop == STOP_EXTRA)
			snprintf(why, cap, "more data than the %" PRIu64 " bytes announced", x->size);
		else
			snprintf(why, cap, "%s", strerror(-r));
	} else if (x->status == 416 && x->got) {
		log_info("fetch %s: the server has no byte %" PRIu64 " any more (HTTP 416); starting over", x->url, x->got);
		x->stop = STOP_STALE;
		r = -ESTALE;
	} else if ((r = downgrade(x, res, why, cap)) < 0) {
		/* WHY names the target; the line adds the URL asked for */
	} else if (x->status >= 300) {
		r = fetch_http_errno(x->status);
		snprintf(why, cap, "HTTP %ld", x->status);
		x->retry_ms = fetch_retry_after(x->curl, &x->told_s);
	} else if (res != CURLE_OK) {
		r = fetch_curl_errno(res);
		log_clean(errbuf[0] ? errbuf : curl_easy_strerror(res), why, cap);
	} else if (x->size && x->got + x->hold_len != x->size) {
		r = -ECONNRESET;
		snprintf(why, cap, "ended after %" PRIu64 " of %" PRIu64 " bytes", x->got + x->hold_len, x->size);
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(x->curl);
	return r;
}

/* After failed attempt at mirror x->mirror: mark it, choose where and when to try next, log one
 * line. Returns 0 to go on, or R when it is time to give up. */
static int next_attempt(struct xfer *x, int r, const char *why, uint64_t before)
{
	struct mirrors *m = x->rq->m;
	if (x->stop == STOP_STALE || x->stop == STOP_SIZE)
		return r; /* the line is out already */
	if (x->stop == STOP_SINK || x->stop == STOP_DEADLINE)
		return log_err(r, "fetch %s: %s", x->url, why);
	bool more = fetch_retryable(r), sending = x->got > before;
	x->fails = sending ? 1 : x->fails + 1;
	if (m && !sending)
		m->failed[x->mirror] = true; /* one that was sending had a broken connection: it resumes */
	unsigned next = sending ? x->mirror : pick_mirror(m);
	bool wrapped = !m || next <= x->mirror;
	if (!more && wrapped)
		return log_err(r, "fetch %s: %s", x->url, why);
	if (x->fails >= x->cfg.attempts || (x->deadline_ms && now_ms() >= x->deadline_ms))
		return log_err(r, "fetch %s: %s; giving up after %u attempts", x->url, why, x->attempt);
	char size[48] = "";
	if (x->got)
		snprintf(size, sizeof(size), ", %" PRIu64 " bytes so far", x->got);
	if (!wrapped) {
		x->mirror = next;
		log_info("fetch %s: %s (attempt %u%s); next mirror: %s", x->url, why, x->attempt, size, m->base[next]);
		return 0;
	}
	x->mirror = next;
	/* after bytes, the server was sending: a broken connection, not an overload */
	uint64_t wait = x->got > before ? fetch_jitter(RESUME_WAIT_MS) : fetch_backoff(x->fails);
	char told[80] = "";
	if (x->retry_ms) { /* the server said how long: at least that, within the deadline */
		uint64_t now = now_ms();
		wait = x->retry_ms > wait ? x->retry_ms : wait;
		if (x->deadline_ms && now + wait > x->deadline_ms)
			wait = x->deadline_ms > now ? x->deadline_ms - now : 0;
		snprintf(told, sizeof(told), "; the server asks to wait %u s (Retry-After)", x->told_s);
	}
	log_info("fetch %s: %s (attempt %u%s)%s; retrying in %" PRIu64 ".%01" PRIu64 " s", x->url, why, x->attempt, size, told,
		 wait / 1000, wait % 1000 / 100);
	sleep_ms(wait);
	return 0;
}

/* Label the progress line with the attempt and the mirror when they are worth showing. */
static void progress_note(struct xfer *x)
{
	struct mirrors *m = x->rq->m;
	x->prog.note[0] = '\0';
	if (x->attempt > 1 && m && m->n > 1)
		snprintf(x->prog.note, sizeof(x->prog.note), " [attempt %u, mirror %u/%u]", x->attempt, x->mirror + 1, m->n);
	else if (x->attempt > 1)
		snprintf(x->prog.note, sizeof(x->prog.note), " [attempt %u]", x->attempt);
	else if (m && x->mirror > 0)
		snprintf(x->prog.note, sizeof(x->prog.note), " [mirror %u/%u]", x->mirror + 1, m->n);
}

/* The bytes so far came from mirror x->vmirror and the next attempt is at another: its copy may
 * differ, and the first one's validator means nothing there, so the file starts over (-ESTALE). */
static int other_mirror(struct xfer *x)
{
	log_info("fetch %s: the first %" PRIu64 " bytes came from %s; starting over here (a resume is only asked of the mirror that began the file)",
		 x->url, x->got, x->rq->m->base[x->vmirror]);
	return -ESTALE;
}

/* C with its unset fields (NULL, 0) at the defaults; the deadline stays as it is (0: none). */
struct fetch_config fetch_defaults(const struct fetch_config *c)
{
	struct fetch_config d = c ? *c : (struct fetch_config){0};
	d.ca = d.ca ? d.ca : trust_files[TRUST_FILE_CA_BUNDLE].path;
	d.connect_s = d.connect_s ? d.connect_s : opt_default_uint(OPT_CONNECT_TIMEOUT);
	d.stall_s = d.stall_s ? d.stall_s : opt_default_uint(OPT_STALL_TIMEOUT);
	d.attempts = d.attempts ? d.attempts : opt_default_uint(OPT_FETCH_RETRIES);
	return d;
}

/* Before the first request of this process, a random wait below CFG's jitter (machines powered on
 * together spread their first requests), with a line. */
static void start_jitter(const struct fetch_config *cfg)
{
	static bool done;
	if (done || !cfg->jitter_s)
		return;
	done = true;
	uint64_t ms = fetch_jitter(cfg->jitter_s * 1000ull) - cfg->jitter_s * 500ull;
	log_info("fetch: waiting %" PRIu64 ".%01" PRIu64 " s before the first request (jitter up to %u s)", ms / 1000, ms % 1000 / 100,
		 cfg->jitter_s);
	sleep_ms(ms);
}

/* The attempts. */
int fetch_file(struct fetch_req *rq)
{
	struct xfer x = {.rq = rq, .url = rq->url, .cfg = fetch_defaults(rq->cfg)};
	char why[CURL_ERROR_SIZE + 64];
	start_jitter(&x.cfg);
	uint64_t start = now_ms();
	x.deadline_ms = x.cfg.deadline_s ? start + x.cfg.deadline_s * 1000ull : 0;
	x.mirror = pick_mirror(rq->m);
	rq->size = 0;
	rq->mem_peak_kb = mem_used_kb();
	if (rq->label)
		progress_start(&x.prog, rq->label, 0);
	x.prog.unpacked = rq->unpacked;
	int r;
	if (!(x.hold = malloc(HOLD_BACK)))
		return log_err(-ENOMEM, "fetch %s: out of memory", rq->url);
	for (;;) {
		if ((r = mirror_url(rq, x.mirror, rq->url, sizeof(rq->url))) < 0) {
			r = log_err(r, "fetch %s%s: URL too long", rq->m ? rq->m->base[x.mirror] : "", rq->path);
			break;
		}
		if (x.got && !x.validator[0]) {
			log_info("fetch %s: no ETag or Last-Modified to resume safely with; starting over", rq->url);
			r = -ESTALE;
			break;
		}
		if (x.got && x.mirror != x.vmirror) {
			r = other_mirror(&x);
			break;
		}
		x.attempt++;
		progress_note(&x);
		uint64_t before = x.got;
		r = attempt(&x, why, sizeof(why));
		int h = hold_settle(&x, r == 0);
		if (h < 0) { /* a sink refused what was held: as when it refuses at once */
			r = log_err(h, "fetch %s: %s", rq->url, strerror(-h));
			break;
		}
		if (r == 0 || (r = next_attempt(&x, r, why, before)) < 0)
			break;
	}
	free(x.hold);
	if (rq->label)
		progress_end(&x.prog, r == 0);
	rq->size = x.got;
	sample_memory(&x, now_ms(), true);
	if (r == 0 && x.attempt > 1)
		log_info("fetch %s: complete after %u attempts", rq->url, x.attempt);
	return r;
}

/* Initialise libcurl once. */
int fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}
