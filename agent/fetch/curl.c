/* curl.c - what every libcurl transfer of pxeroot shares, whole files (fetch.c) and chunks
 * (chunks.c) alike: the options of a request, the meaning of its result, the wait before the next
 * attempt, and, for the process that serves a root after switch_root, the hosts resolved and the
 * CA bundle read beforehand. */
#define _GNU_SOURCE
#include "fetch/curl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"

#define BACKOFF_MAX_MS 30000u

/* A libcurl result as a negative errno. */
int fetch_curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST: return -EHOSTUNREACH;
	case CURLE_COULDNT_RESOLVE_PROXY: return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR: return -EPERM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_TOO_MANY_REDIRECTS: return -EINVAL;
	default: return -ECONNRESET;
	}
}

/* The errno of an HTTP status that is not a success: 404 and 410 -ENOENT, 401 and 403 -EACCES,
 * anything else -EIO. */
int fetch_http_errno(long status)
{
	return status == 404 || status == 410 ? -ENOENT : status == 401 || status == 403 ? -EACCES : -EIO;
}

/* Whether an attempt that failed with R may succeed if tried again (or at another mirror). */
bool fetch_retryable(int r)
{
	return r != -ENOENT && r != -EACCES && r != -EPERM && r != -EINVAL;
}

/* Whether URL's scheme is https (any case). */
bool fetch_is_https(const char *url)
{
	return !strncasecmp(url, "https://", 8);
}

/* URL, and the redirects it may follow: a transfer that starts on https follows https only. */
void fetch_curl_url(CURL *c, const char *url)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, fetch_is_https(url) ? "https" : "http,https");
}

/* The options every request shares: URL, protocols and redirects (https stays https), the
 * connect timeout, the CA bundle alone (not libcurl's built-in directory too), the proxy ("": none,
 * not even from the environment), the error buffer. */
void fetch_curl_setup(CURL *c, const struct fetch_config *cfg, const char *url, char *errbuf)
{
	fetch_curl_url(c, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_s);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pxeroot/" PXEROOT_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_PROXY_CAINFO, cfg->ca);
	curl_easy_setopt(c, CURLOPT_PROXY_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROXY, cfg->proxy ? cfg->proxy : "");
	if (cfg->pin)
		curl_easy_setopt(c, CURLOPT_RESOLVE, cfg->pin);
	if (cfg->ca_pem) { /* the file is gone by then; libcurl goes on with the copy */
		struct curl_blob b = {(void *)cfg->ca_pem, cfg->ca_pem_len, CURL_BLOB_NOCOPY};
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &b);
		curl_easy_setopt(c, CURLOPT_PROXY_CAINFO_BLOB, &b);
	}
}

/* The "host:port:addresses" line for URL onto *LIST (a numeric host needs none). */
static int pin_url(const char *url, struct curl_slist **list)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, addr[INET6_ADDRSTRLEN], line[1024];
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	struct in_addr a4;
	int r = 0;
	if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) || curl_url_get(u, CURLUPART_HOST, &host, 0) ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
		r = log_err(-EINVAL, "fetch %s: no host in the URL", url);
	else if (host[0] != '[' && inet_pton(AF_INET, host, &a4) != 1) {
		int e = getaddrinfo(host, NULL, &hints, &res);
		if (e)
			r = log_err(-EHOSTUNREACH, "fetch %s: resolve %s: %s", url, host, gai_strerror(e));
		size_t n = (size_t)snprintf(line, sizeof(line), "%s:%s:", host, port);
		for (struct addrinfo *ai = res; ai && n < sizeof(line); ai = ai->ai_next) {
			void *sa = ai->ai_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
							     : (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			inet_ntop(ai->ai_family, sa, addr, sizeof(addr));
			n += (size_t)snprintf(line + n, sizeof(line) - n, ai->ai_family == AF_INET6 ? "%s[%s]" : "%s%s",
					      ai == res ? "" : ",", addr);
		}
		if (res && n < sizeof(line))
			*list = curl_slist_append(*list, line);
	}
	freeaddrinfo(res);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return r;
}

/* Every host now, the CA bundle into memory. */
int fetch_pin(struct fetch_config *c, const struct mirrors *m)
{
	uint8_t *pem;
	size_t len;
	*c = fetch_defaults(c);
	for (unsigned i = 0; i < m->n; i++) {
		int r = pin_url(m->base[i], &c->pin);
		if (r < 0)
			return r;
	}
	if (c->proxy && c->proxy[0]) {
		int r = pin_url(c->proxy, &c->pin);
		if (r < 0)
			return r;
	}
	if (read_whole(c->ca, 16u << 20, &pem, &len) == 0)
		c->ca_pem = pem, c->ca_pem_len = len;
	return 0;
}

/* A random factor in [0.5, 1.5) scaled to MS: the kernel's AT_RANDOM bytes seed a xorshift, so
 * no entropy is awaited at boot. */
uint64_t fetch_jitter(uint64_t ms)
{
	return ms / 2 + fetch_random() % (ms ? ms : 1);
}

/* xorshift64, seeded from the kernel's random bytes for this process, the time and the pid. */
uint64_t fetch_random(void)
{
	static uint64_t s;
	if (!s) {
		const uint64_t *r = (const uint64_t *)getauxval(AT_RANDOM);
		s = (r ? r[0] : 0) ^ now_ms() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
	}
	s ^= s << 13, s ^= s >> 7, s ^= s << 17;
	return s;
}

/* The wait a 503 or 429 of C asks for, jittered upwards only. */
uint64_t fetch_retry_after(CURL *c, unsigned *told)
{
	long status = 0;
	curl_off_t s = 0;
	*told = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if ((status != 503 && status != 429) || curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &s) != CURLE_OK || s <= 0)
		return 0;
	*told = s < FETCH_RETRY_AFTER_MAX_S ? (unsigned)s : FETCH_RETRY_AFTER_MAX_S;
	uint64_t ms = *told * 1000ull;
	return ms + (fetch_jitter(ms) - ms / 2) / 2;
}

/* The wait before the attempt that follows FAILS failures in a row: 1, 2, 4 ... 30 s, jittered. */
uint64_t fetch_backoff(unsigned fails)
{
	uint64_t base = 1000ull << (fails - 1 < 5 ? fails - 1 : 5);
	return fetch_jitter(base < BACKOFF_MAX_MS ? base : BACKOFF_MAX_MS);
}
