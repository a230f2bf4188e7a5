/* httpfault.c - an HTTP/1.1 server for the transfer tests that sends more data than it announces.
 *
 *   httpfault --listen ADDR:PORT --file PATH --port-file F [--extra BYTES] [--evil etag|range]
 *             [--refuse-ranges] [--max-seconds S]
 *
 * Serves PATH (N bytes) at every URL, one connection at a time, each answer with "Connection:
 * close" and a fixed ETag:
 *   HEAD                    200, Content-Length N, no body;
 *   GET, no Range           200, Content-Length N, but only the first N/2 bytes, then the
 *                           connection is closed (an early end, so that the client resumes);
 *   GET, Range bytes=K-     K < N: 206, Content-Range bytes K-(N-1)/N and no Content-Length (the
 *                           body ends with the connection), the file from K and then --extra
 *                           BYTES (default 65536) of zeros beyond the announced size;
 *                           K >= N: 416.
 * --evil MODE makes the headers hostile, with an escape sequence (ESC [2J) and control bytes:
 *   etag                    every answer's ETag holds them and a request counter (so no two
 *                           match), and a GET with Range is answered like one without (200,
 *                           half the file): the client sees a changed file;
 *   range                   the 206's Content-Range holds them.
 * --refuse-ranges answers every GET with Range 503 (no body): a server that cut a download and
 * then fails, so that the client moves to another mirror in the middle of the file.
 * One log line per request on stderr: "httpfault: METHOD [RANGE] -> STATUS, B bytes sent".
 * Ends itself (SIGALRM) after --max-seconds (default 300), or on SIGTERM; exits 2 on bad usage, 1 on
 * setup errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_http.h"

#define ETAG "\"httpfault-1\""

static int file_fd;
static uint64_t file_size;
static uint64_t extra = 65536;
static enum { EVIL_NONE, EVIL_ETAG, EVIL_RANGE } evil;
static unsigned requests;
static int refuse_ranges;

/* Print the system error for WHAT and exit 1. */
static void die(const char *what)
{
	fprintf(stderr, "httpfault: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Send COUNT bytes of the file from offset FROM to FD; returns the bytes sent. */
static uint64_t send_file(int fd, uint64_t from, uint64_t count)
{
	off_t off = (off_t)from;
	uint64_t sent = 0;
	while (sent < count) {
		ssize_t n = sendfile(fd, file_fd, &off, count - sent);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sent += (uint64_t)n;
	}
	return sent;
}

/* Send COUNT zero bytes to FD; returns the bytes sent. */
static uint64_t send_zeros(int fd, uint64_t count)
{
	static const char zeros[16384];
	uint64_t sent = 0;
	while (sent < count) {
		size_t n = count - sent < sizeof(zeros) ? (size_t)(count - sent) : sizeof(zeros);
		if (write_all(fd, zeros, n) < 0)
			break;
		sent += n;
	}
	return sent;
}

/* Read the request head (up to the blank line) into BUF (CAP bytes); -1 on a short request. */
static int read_head(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return 0;
	}
	return -1;
}

/* Answer one request on connection FD. */
static void serve(int fd)
{
	char req[8192], head[512], etag[64], *range;
	unsigned long long from = 0;
	uint64_t sent = 0;
	int status;
	if (read_head(fd, req, sizeof(req)) < 0)
		return;
	int is_head = !strncmp(req, "HEAD ", 5);
	range = strcasestr(req, "\r\nRange: bytes=");
	if (range && sscanf(range + 15, "%llu-", &from) != 1)
		range = NULL;
	requests++;
	if (evil == EVIL_ETAG)
		snprintf(etag, sizeof(etag), "\"e\033[2J\a%u\"", requests);
	else
		snprintf(etag, sizeof(etag), "%s", ETAG);
	if (!range || evil == EVIL_ETAG) {
		status = 200;
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Length: %" PRIu64 "\r\nETag: %s\r\nAccept-Ranges: bytes\r\n"
			 "Connection: close\r\n\r\n", file_size, etag);
	} else if (refuse_ranges) {
		status = 503;
		snprintf(head, sizeof(head),
			 "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	} else if (from < file_size) {
		status = 206;
		snprintf(head, sizeof(head),
			 "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %s%llu-%" PRIu64 "/%" PRIu64 "\r\n"
			 "ETag: %s\r\nConnection: close\r\n\r\n", evil == EVIL_RANGE ? "\033[2J\001" : "", from,
			 file_size - 1, file_size, etag);
	} else {
		status = 416;
		snprintf(head, sizeof(head),
			 "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%" PRIu64 "\r\n"
			 "Content-Length: 0\r\nConnection: close\r\n\r\n", file_size);
	}
	if (write_all(fd, head, strlen(head)) == 0 && !is_head) {
		if (status == 200)
			sent = send_file(fd, 0, file_size / 2);
		else if (status == 206 && (sent = send_file(fd, from, file_size - from)) == file_size - from)
			sent += send_zeros(fd, extra);
	}
	fprintf(stderr, "httpfault: %s%s%llu -> %d, %" PRIu64 " bytes sent\n", is_head ? "HEAD" : "GET",
		range ? " bytes=" : " ", range ? from : 0ull, status, sent);
}

/* Close connection FD the orderly way: end our side, wait (2 s at most) for the client's end. */
static void finish(int fd)
{
	char buf[4096];
	struct timeval tv = {.tv_sec = 2};
	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* Parse the options, then serve until the time is up. */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, 0, 'l'}, {"file", required_argument, 0, 'f'},
		{"port-file", required_argument, 0, 'p'}, {"extra", required_argument, 0, 'x'},
		{"max-seconds", required_argument, 0, 't'}, {"evil", required_argument, 0, 'e'},
		{"refuse-ranges", no_argument, 0, 'r'}, {0, 0, 0, 0},
	};
	const char *listen_spec = NULL, *path = NULL, *port_file = NULL;
	unsigned max_s = 300;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_spec = optarg; break;
		case 'f': path = optarg; break;
		case 'p': port_file = optarg; break;
		case 'x': extra = strtoull(optarg, NULL, 10); break;
		case 't': max_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': refuse_ranges = 1; break;
		case 'e':
			if (strcmp(optarg, "etag") && strcmp(optarg, "range"))
				return 2;
			evil = !strcmp(optarg, "etag") ? EVIL_ETAG : EVIL_RANGE;
			break;
		default: return 2;
		}
	}
	if (!listen_spec || !path || !port_file) {
		fprintf(stderr, "usage: httpfault --listen ADDR:PORT --file PATH --port-file F [--extra BYTES] [--evil etag|range]\n"
				"                 [--refuse-ranges] [--max-seconds S]\n");
		return 2;
	}
	struct stat st;
	if ((file_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(file_fd, &st) < 0)
		die(path);
	file_size = (uint64_t)st.st_size;
	int lfd = tool_listen("httpfault", listen_spec, port_file);
	alarm(max_s); /* SIGALRM's default action ends the process */
	for (;;) {
		int fd = tool_accept("httpfault", lfd);
		serve(fd);
		finish(fd);
	}
}
