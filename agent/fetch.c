/* fetch.c - libcurl transfers. The write callback hands every chunk to each sink in turn (file,
 * hashers, ...), so every check runs in the same pass as the download and the image is never read
 * again. */
#define _GNU_SOURCE
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define DEFAULT_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static const char *ca_bundle = DEFAULT_CA_BUNDLE; /* pxeroot.ca= */

/* What the callbacks need. */
struct xfer {
	CURL *curl;
	const char *url;
	struct sink *sinks;
	struct progress prog;
	const char *label;
	uint64_t got;
	long status;        /* HTTP status seen at the first body byte */
	int sink_err;       /* first sink error */
};

/* Write all of P to the file. */
static int file_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct file_sink *fs = (struct file_sink *)s;
	while (n) {
		ssize_t w = write(fs->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return log_err(-errno, "write %s: %s", fs->path, strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Append to the buffer, refusing to overflow. */
static int mem_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct mem_sink *ms = (struct mem_sink *)s;
	if (n > ms->cap - ms->len)
		return -EFBIG;
	memcpy(ms->buf + ms->len, p, n);
	ms->len += n;
	return 0;
}

/* Update the digest. */
static int hash_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct hash_sink *hs = (struct hash_sink *)s;
	return EVP_DigestUpdate(hs->ctx, p, n) == 1 ? 0 : -EIO;
}

/* A file sink on FD (PATH for messages). */
void file_sink_init(struct file_sink *fs, int fd, const char *path)
{
	*fs = (struct file_sink){.s = {.write = file_write}, .fd = fd, .path = path};
}

/* A memory sink of CAP bytes; one byte is kept for a terminating NUL. */
void mem_sink_init(struct mem_sink *ms, char *buf, size_t cap)
{
	*ms = (struct mem_sink){.s = {.write = mem_write}, .buf = buf, .cap = cap - 1};
}

/* A digest sink for MD. */
int hash_sink_init(struct hash_sink *hs, const EVP_MD *md)
{
	*hs = (struct hash_sink){.s = {.write = hash_write}, .ctx = EVP_MD_CTX_new()};
	if (!hs->ctx || EVP_DigestInit_ex(hs->ctx, md, NULL) != 1)
		return -ENOMEM;
	return 0;
}

/* The digest value. */
unsigned hash_sink_final(struct hash_sink *hs, uint8_t *out)
{
	unsigned len = 0;
	EVP_DigestFinal_ex(hs->ctx, out, &len);
	return len;
}

/* Free the digest context. */
void hash_sink_free(struct hash_sink *hs)
{
	EVP_MD_CTX_free(hs->ctx);
	hs->ctx = NULL;
}

/* libcurl body callback: refuse non-2xx bodies, then feed every sink. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	if (!x->status) {
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
		if (x->status < 200 || x->status > 299)
			return 0; /* short count: libcurl aborts with CURLE_WRITE_ERROR */
	}
	for (struct sink *s = x->sinks; s; s = s->next) {
		int r = s->write(s, (const uint8_t *)p, n);
		if (r < 0) {
			x->sink_err = r;
			return 0; /* short count: libcurl aborts with CURLE_WRITE_ERROR */
		}
	}
	x->got += n;
	return n;
}

/* libcurl progress callback: redraw the progress line. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = userdata;
	(void)ultotal;
	(void)ulnow;
	if (x->label && dlnow > 0)
		progress_update(&x->prog, (uint64_t)dlnow, dltotal > 0 ? (uint64_t)dltotal : 0);
	return 0;
}

/* Turn a libcurl result into a negative errno. */
static int curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST: return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR: return -EPERM;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING: return -ECONNRESET;
	default: return -EIO;
	}
}

/* Set the options every transfer uses. */
static void setup(struct xfer *x, char *errbuf)
{
	CURL *c = x->curl;
	curl_easy_setopt(c, CURLOPT_URL, x->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);   /* a stall: under 1 B/s ... */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);   /* ... for 30 s */
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pxeroot/" PXEROOT_VERSION);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca_bundle);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
}

/* Choose the CA bundle. */
void fetch_set_ca(const char *path)
{
	ca_bundle = path ? path : DEFAULT_CA_BUNDLE;
}

/* Name what went wrong with X after RES, in one line; return the errno. */
static int report(struct xfer *x, CURLcode res, const char *errbuf)
{
	if (x->sink_err)
		return log_err(x->sink_err, "fetch %s: %s", x->url, strerror(-x->sink_err));
	if (x->status >= 300) {
		int e = x->status == 404 || x->status == 410 ? -ENOENT : x->status == 401 || x->status == 403 ? -EACCES : -EIO;
		return log_err(e, "fetch %s: HTTP %ld", x->url, x->status);
	}
	return log_err(curl_errno(res), "fetch %s: %s", x->url, errbuf[0] ? errbuf : curl_easy_strerror(res));
}

/* Download URL into SINKS. */
int fetch(const char *url, struct sink *sinks, const char *label)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct xfer x = {.url = url, .sinks = sinks, .label = label};
	x.curl = curl_easy_init();
	if (!x.curl)
		return log_err(-ENOMEM, "fetch %s: cannot create a transfer", url);
	setup(&x, errbuf);
	if (label)
		progress_start(&x.prog, label, 0);
	CURLcode res = curl_easy_perform(x.curl);
	if (label)
		progress_end(&x.prog);
	if (!x.status)
		curl_easy_getinfo(x.curl, CURLINFO_RESPONSE_CODE, &x.status);
	int r = 0;
	if (res != CURLE_OK || x.status < 200 || x.status > 299)
		r = report(&x, res, errbuf);
	curl_easy_cleanup(x.curl);
	return r;
}

/* Initialise libcurl once. */
int fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}
