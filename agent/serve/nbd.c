/* nbd.c - a read-only disk the kernel reads through a socket: NBD_SET_SOCK hands the kernel its
 * end, NBD_DO_IT (on a thread of its own: it returns only when the device is disconnected)
 * makes the disk live, and each request on the socket gets one reply. */
#define _GNU_SOURCE
#include "serve/nbd.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/nbd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"

#define NBD_DEVICES 16 /* the module's nbds_max default */

/* Big-endian words at P. */
static uint32_t be32_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be32toh(v);
}

static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return be64toh(v);
}

/* One request. */
int nbd_parse(const uint8_t *p, struct nbd_io *io)
{
	if (be32_at(p) != NBD_REQUEST_MAGIC)
		return -EBADMSG;
	io->type = be32_at(p + 4) & 0xffff;
	memcpy(io->handle, p + 8, 8);
	io->from = be64_at(p + 16);
	io->len = be32_at(p + 24);
	return 0;
}

/* One reply header. */
void nbd_reply_header(const struct nbd_io *io, uint32_t err, uint8_t *out)
{
	uint32_t magic = htobe32(NBD_REPLY_MAGIC), e = htobe32(err);
	memcpy(out, &magic, 4);
	memcpy(out + 4, &e, 4);
	memcpy(out + 8, io->handle, 8);
}

/* The thread that holds the device connected. */
static void *do_it(void *arg)
{
	struct nbd_dev *d = arg;
	d->result = ioctl(d->fd, NBD_DO_IT) < 0 ? -errno : 0;
	return NULL;
}

/* Set device D (open) up for SOCK, SIZE bytes, TIMEOUT_S: the name of the step that failed, or
 * NULL. */
static const char *setup(struct nbd_dev *d, int sock, uint64_t size, unsigned timeout_s)
{
	unsigned long blk = size % 4096 ? 512 : 4096;
	if (ioctl(d->fd, NBD_SET_BLKSIZE, blk) < 0)
		return "set the block size";
	if (ioctl(d->fd, NBD_SET_SIZE_BLOCKS, (unsigned long)((size + blk - 1) / blk)) < 0)
		return "set the size";
	if (ioctl(d->fd, NBD_SET_TIMEOUT, (unsigned long)timeout_s) < 0)
		return "set the timeout";
	if (ioctl(d->fd, NBD_SET_FLAGS, (unsigned long)(NBD_FLAG_HAS_FLAGS | NBD_FLAG_READ_ONLY)) < 0)
		return "set read-only";
	if (ioctl(d->fd, NBD_SET_SOCK, (unsigned long)sock) < 0)
		return "hand it the socket";
	return NULL;
}

/* The first device that takes the socket. */
int nbd_connect(struct nbd_dev *d, int sock, uint64_t size, unsigned timeout_s)
{
	int err = -ENODEV;
	const char *step = "open";
	for (unsigned i = 0; i < NBD_DEVICES; i++) {
		snprintf(d->path, sizeof(d->path), "/dev/nbd%u", i);
		if ((d->fd = open(d->path, O_RDWR | O_CLOEXEC)) < 0) {
			err = -errno;
			continue;
		}
		if (!(step = setup(d, sock, size, timeout_s))) {
			d->running = true;
			if ((err = -pthread_create(&d->thread, NULL, do_it, d)) == 0)
				return 0;
			d->running = false;
			step = "start its thread";
			ioctl(d->fd, NBD_CLEAR_SOCK); /* ours: the socket was set */
		} else {
			err = -errno; /* a device in use answers EBUSY, and is left as it is */
		}
		close(d->fd);
		if (err != -EBUSY)
			break;
	}
	d->fd = -1;
	return log_errno(err, "nbd %s: %s", d->path, step ? step : "open");
}

/* The size the kernel shows for the device, in 512-byte sectors, as sysfs says. */
static uint64_t sectors(const struct nbd_dev *d)
{
	char path[64], buf[32] = "";
	snprintf(path, sizeof(path), "/sys/block/%s/size", d->path + 5);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strtoull(buf, NULL, 10);
}

/* Poll sysfs every 10 ms. */
int nbd_wait_live(const struct nbd_dev *d, uint64_t size, unsigned ms)
{
	uint64_t until = now_ms() + ms;
	while (sectors(d) < size / 512) {
		if (now_ms() >= until)
			return log_err(-ETIMEDOUT, "nbd %s: the kernel shows no disk of %" PRIu64 " bytes after %u ms", d->path, size, ms);
		sleep_ms(10);
	}
	return 0;
}

/* NBD_DISCONNECT ends NBD_DO_IT; the thread is joined, the socket cleared. */
void nbd_disconnect(struct nbd_dev *d)
{
	if (d->fd < 0)
		return;
	ioctl(d->fd, NBD_DISCONNECT);
	if (d->running)
		pthread_join(d->thread, NULL);
	d->running = false;
	ioctl(d->fd, NBD_CLEAR_SOCK);
	close(d->fd);
	d->fd = -1;
}
