/* sink.h - consumers of a byte stream: a producer (a download, a file read once) hands every
 * chunk to each sink of a chain in turn */
#ifndef PXEROOT_SINK_H
#define PXEROOT_SINK_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* A consumer of bytes. write returns 0 or a negative errno (which aborts the transfer). */
struct sink {
	int (*write)(struct sink *s, const uint8_t *p, size_t n);
	struct sink *next;
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

/* Hand P to every sink of the chain S in turn; 0 or the first error, which stops the chain. */
int sink_feed(struct sink *s, const uint8_t *p, size_t n);

#endif
