/* curl.h - what every libcurl transfer shares: the options of a request (the policy of a
 * struct fetch_config), the meaning of its result, the wait before the next attempt, and the
 * hosts and CA bundle fixed beforehand for a process that leaves the initramfs */
#ifndef PXEROOT_CURL_H
#define PXEROOT_CURL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "fetch/fetch.h"

/* The options every request of the policy CFG (defaults filled in) shares, for URL, with libcurl's
 * message into ERRBUF (CURL_ERROR_SIZE bytes). */
void fetch_curl_setup(CURL *c, const struct fetch_config *cfg, const char *url, char *errbuf);
/* For a process that will not see the initramfs's files again: resolve the host of every base of
 * M and of C's proxy now, so later transfers of C use those addresses, and read C's CA bundle
 * (when there is one) into memory. 0, or a negative errno after a line naming the host. */
int fetch_pin(struct fetch_config *c, const struct mirrors *m);
/* The part of fetch_curl_setup that changes with the URL: the URL and the redirects it may follow. */
void fetch_curl_url(CURL *c, const char *url);
/* A libcurl result as a negative errno. */
int fetch_curl_errno(CURLcode c);
/* The errno of an HTTP status other than a success: -ENOENT (404, 410), -EACCES (401, 403), -EIO. */
int fetch_http_errno(long status);
/* Whether an attempt that failed with R may succeed if tried again (or at another mirror or
 * store): not after "no such file", "forbidden", a TLS refusal or a malformed URL. */
bool fetch_retryable(int r);
/* Whether URL's scheme is https (any case). */
bool fetch_is_https(const char *url);
/* MS scaled by a random factor in [0.5, 1.5), so machines booting together spread out. */
uint64_t fetch_jitter(uint64_t ms);
/* A random number, different in every process (not for secrets). */
uint64_t fetch_random(void);
/* The wait before the attempt that follows FAILS (>= 1) failures in a row: 1, 2, 4 ... 30 s,
 * jittered. */
uint64_t fetch_backoff(unsigned fails);
/* The wait, in ms, that C's last answer asks for when it is a 503 or 429 with Retry-After
 * (seconds or an HTTP date; at most FETCH_RETRY_AFTER_MAX_S), stretched by a random part of up
 * to half again so that clients told the same come back spread out; the seconds asked into
 * *TOLD. 0 for any other answer. */
uint64_t fetch_retry_after(CURL *c, unsigned *told);
#define FETCH_RETRY_AFTER_MAX_S 300

#endif
