/* nbd.h - the kernel's network block device, served over a socket pxeroot holds: the device set
 * up with the ioctls of <linux/nbd.h> (read-only, its size, the timeout of a request), and the
 * requests and replies of the transmission phase, which is all the kernel speaks on that socket
 * (no negotiation: the size and flags come by ioctl). */
#ifndef PXEROOT_NBD_H
#define PXEROOT_NBD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBD_REQ_LEN 28    /* a request: magic, type, handle, offset, length */
#define NBD_REPLY_LEN 16  /* a reply: magic, error, handle; a read's data follows */

enum nbd_type { NBD_READ = 0, NBD_WRITE = 1, NBD_DISC = 2, NBD_FLUSH = 3, NBD_TRIM = 4 };

/* One request of the kernel. */
struct nbd_io {
	uint32_t type;       /* enum nbd_type, without the command flags of the upper bits */
	uint8_t handle[8];   /* echoed in the reply */
	uint64_t from;
	uint32_t len;
};

/* Parse the NBD_REQ_LEN bytes at P into IO. 0, or -EBADMSG when the magic is wrong. Pure. */
int nbd_parse(const uint8_t *p, struct nbd_io *io);
/* The reply header to IO with errno ERR (0: success; a positive errno) into OUT (NBD_REPLY_LEN
 * bytes). Pure. */
void nbd_reply_header(const struct nbd_io *io, uint32_t err, uint8_t *out);

/* A device being served. */
struct nbd_dev {
	char path[32];       /* /dev/nbdN */
	int fd;              /* the device, held open while served */
	pthread_t thread;    /* blocked in NBD_DO_IT while the device is connected */
	bool running;
	int result;          /* what NBD_DO_IT returned (0 or a negative errno), once it has */
};

/* Connect the first free /dev/nbdN to SOCK (the kernel's end of a stream socket pair) as a
 * read-only disk of SIZE bytes whose requests time out after TIMEOUT_S seconds, and start the
 * thread that keeps it connected. 0, or a negative errno after a line naming the device and the
 * step that failed (nothing left connected). */
int nbd_connect(struct nbd_dev *d, int sock, uint64_t size, unsigned timeout_s);
/* Wait up to MS milliseconds until the kernel shows the device's size (the disk is live): 0 or
 * -ETIMEDOUT after a line. */
int nbd_wait_live(const struct nbd_dev *d, uint64_t size, unsigned ms);
/* Disconnect and close the device (any time after nbd_connect succeeded). */
void nbd_disconnect(struct nbd_dev *d);

#endif
