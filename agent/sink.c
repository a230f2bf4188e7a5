/* sink.c - the byte consumers every producer shares: a file, a bounded buffer, a digest */
#define _GNU_SOURCE
#include "sink.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Write all of P to the file. */
static int file_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct file_sink *fs = (struct file_sink *)s;
	while (n) {
		ssize_t w = write(fs->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return log_errno(-errno, "write %s", fs->path);
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

/* Each sink of the chain in order; stops at the first that fails. */
int sink_feed(struct sink *s, const uint8_t *p, size_t n)
{
	for (; s; s = s->next) {
		int r = s->write(s, p, n);
		if (r < 0)
			return r;
	}
	return 0;
}
