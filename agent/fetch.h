/* fetch.h - one HTTP(S) transfer feeding every sink as the bytes arrive */
#ifndef PXEROOT_FETCH_H
#define PXEROOT_FETCH_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* A consumer of downloaded bytes. write returns 0 or a negative errno (which aborts the transfer). */
struct sink {
	int (*write)(struct sink *s, const uint8_t *p, size_t n);
	struct sink *next;
	int err;            /* the first error write returned */
};

/* Writes into a file descriptor. */
struct file_sink {
	struct sink s;
	int fd;
	const char *path;
};

/* Collects into a fixed buffer; overflowing it is an error (-EFBIG). */
struct mem_sink {
	struct sink s;
	char *buf;
	size_t cap, len;
};

/* Feeds a message digest (SHA-512). */
struct hash_sink {
	struct sink s;
	EVP_MD_CTX *ctx;
};

void file_sink_init(struct file_sink *fs, int fd, const char *path);
void mem_sink_init(struct mem_sink *ms, char *buf, size_t cap);
/* 0 or -ENOMEM. */
int hash_sink_init(struct hash_sink *hs, const EVP_MD *md);
/* Finish the digest into OUT (EVP_MAX_MD_SIZE bytes); returns its length. */
unsigned hash_sink_final(struct hash_sink *hs, uint8_t *out);
void hash_sink_free(struct hash_sink *hs);

/* GET URL into the chain SINKS. LABEL names a progress line (NULL: no progress line, e.g. small
 * files). 0, or a negative errno after one line "fetch URL: cause" (HTTP status, curl's reason,
 * or the sink's error). -ENOENT for HTTP 404/410. */
int fetch(const char *url, struct sink *sinks, const char *label);
/* Use the CA bundle at PATH for HTTPS (NULL: the built-in default). */
void fetch_set_ca(const char *path);
/* One-time libcurl setup; 0 or -EIO. */
int fetch_global_init(void);

#endif
