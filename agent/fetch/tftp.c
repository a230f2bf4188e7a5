/* tftp.c - a small file over TFTP through libcurl: no ranges, so a failed attempt starts over;
 * timeouts and attempts as for HTTP (pxeroot.connect_timeout=, pxeroot.stall_timeout=,
 * pxeroot.fetch_retries=). */
#define _GNU_SOURCE
#include "fetch/tftp.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* One attempt's state. */
struct tftp_xfer {
	int fd;
	uint64_t got, max;
	int err;
};

/* Body callback: into the file, MAX bytes at most. */
static size_t on_data(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct tftp_xfer *x = userdata;
	size_t n = size * nmemb;
	if (x->got + n > x->max) {
		x->err = -EFBIG;
		return 0;
	}
	for (size_t done = 0; done < n;) {
		ssize_t w = write(x->fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			x->err = -errno;
			return 0;
		}
		done += (size_t)w;
	}
	x->got += n;
	return n;
}

/* One attempt into the open file FD; 0 or a negative errno, the cause in WHY. */
static int attempt(const char *url, const struct fetch_config *cfg, struct tftp_xfer *x, char *why, size_t cap)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	if (!c)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "tftp");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_s);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)cfg->stall_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->deadline_s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode res = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (res == CURLE_OK)
		return 0;
	if (x->err) {
		if (x->err == -EFBIG)
			fetch_limit_why(x->max, why, cap);
		else
			snprintf(why, cap, "%s", strerror(-x->err));
		return x->err;
	}
	log_clean(errbuf[0] ? errbuf : curl_easy_strerror(res), why, cap);
	switch (res) {
	case CURLE_TFTP_NOTFOUND: return -ENOENT;
	case CURLE_TFTP_PERM: return -EACCES;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT: return -EINVAL;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	default: return -ECONNRESET;
	}
}

/* Attempts, each from zero, until one completes or a final cause. */
int tftp_fetch(const char *url, const struct fetch_config *cfg, const char *path, uint64_t max)
{
	struct fetch_config f = fetch_defaults(cfg);
	char why[256] = "", clean[LOG_CLEAN_MAX];
	int r = -EIO;
	for (unsigned i = 1; i <= f.attempts; i++) {
		struct tftp_xfer x = {.max = max, .fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
		if (x.fd < 0)
			return log_errno(-errno, "fetch %s: create %s", log_clean(url, clean, sizeof(clean)), path);
		r = attempt(url, &f, &x, why, sizeof(why));
		close(x.fd);
		if (r == 0 || r == -ENOENT || r == -EACCES || r == -EINVAL || r == -EFBIG)
			break;
		if (i < f.attempts) {
			log_info("fetch %s: %s (attempt %u of %u); trying again", log_clean(url, clean, sizeof(clean)), why, i, f.attempts);
			sleep_ms(1000ull << (i < 4 ? i - 1 : 3));
		}
	}
	if (r < 0) {
		unlink(path);
		return log_err(r, "fetch %s: %s", log_clean(url, clean, sizeof(clean)), why);
	}
	return 0;
}
