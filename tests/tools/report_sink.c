/* report_sink.c - an HTTP/1.1 receiver for the boot report's tests.
 *
 *   report_sink --listen ADDR:PORT --dir DIR --port-file F [--hang] [--max-seconds S]
 *
 * Listens on ADDR:PORT (port 0: any; the port is written to F), one connection at a time. The
 * body of each POST (its Content-Length, 1 MiB at most) goes to DIR/N.json, N counting from 1,
 * written whole under another name first; the answer is 204 No Content with "Connection: close".
 * Any other request is answered 405 and nothing is written. With --hang a request is read and
 * never answered (its connection stays open, nothing is written): the report's timeout twin.
 * One line per request on stderr: "report_sink: request N: POST /PATH, B bytes -> DIR/N.json,
 * 204" (or "..., not answered"). Ends itself (SIGALRM) after --max-seconds (default 300), or on
 * SIGTERM; exits 2 on bad usage, 1 on setup errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool_http.h"

#define BODY_MAX (1u << 20)
#define HEAD_MAX 16384
#define READ_WAIT_MS 10000 /* a client that sends nothing for this long is dropped */

static const char *dir;
static unsigned requests;
static int hang;

/* Print the system error for WHAT and exit 1. */
static void die(const char *what)
{
	fprintf(stderr, "report_sink: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Read into BUF (CAP bytes) what FD has within READ_WAIT_MS; the count, 0 at the end, -1 on an
 * error or when nothing came in time. */
static ssize_t read_some(int fd, char *buf, size_t cap)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (;;) {
		int n = poll(&p, 1, READ_WAIT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		ssize_t r = read(fd, buf, cap);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

/* The request head into HEAD (HEAD_MAX bytes, NUL-terminated), the bytes of the body read with
 * it into BODY; how many of those, or -1 on a short or oversized head. */
static ssize_t read_head(int fd, char *head, char *body)
{
	size_t len = 0;
	while (len + 1 < HEAD_MAX) {
		ssize_t n = read_some(fd, head + len, HEAD_MAX - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		head[len] = '\0';
		char *end = strstr(head, "\r\n\r\n");
		if (end) {
			size_t extra = len - (size_t)(end + 4 - head);
			memcpy(body, end + 4, extra);
			end[4] = '\0';
			return (ssize_t)extra;
		}
	}
	return -1;
}

/* The body (Content-Length LEN, HAVE bytes of it in BODY already) read whole; 0 or -1. */
static int read_body(int fd, char *body, size_t have, size_t len)
{
	while (have < len) {
		ssize_t n = read_some(fd, body + have, len - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
	return 0;
}

/* BODY (LEN bytes) into DIR/N.json, under N.json.tmp first; its path into PATH. */
static int save(const char *body, size_t len, unsigned n, char *path, size_t cap)
{
	char tmp[4200];
	snprintf(path, cap, "%s/%u.json", dir, n);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	size_t w = fwrite(body, 1, len, f);
	if (fclose(f) != 0 || w != len || rename(tmp, path) < 0)
		return -1;
	return 0;
}

/* Send the answer TEXT (a status line and its headers) on connection FD. */
static void answer(int fd, const char *text)
{
	(void)write_all(fd, text, strlen(text)); /* a client gone before its answer: nothing to do */
}

/* Answer one request on connection FD; 1 when FD is to stay open (--hang). */
static int serve(int fd)
{
	static char head[HEAD_MAX], body[BODY_MAX + HEAD_MAX];
	char method[16] = "", target[256] = "", path[4096] = "";
	unsigned long len = 0;
	ssize_t have = read_head(fd, head, body);
	if (have < 0)
		return 0;
	unsigned n = ++requests;
	sscanf(head, "%15s %255s", method, target);
	const char *cl = strcasestr(head, "\r\nContent-Length:");
	if (cl)
		len = strtoul(cl + 17, NULL, 10);
	if (strcasestr(head, "\r\nExpect: 100-continue"))
		answer(fd, "HTTP/1.1 100 Continue\r\n\r\n");
	if (strcmp(method, "POST") || len > BODY_MAX || read_body(fd, body, (size_t)have, len) < 0) {
		fprintf(stderr, "report_sink: request %u: %s %s, %lu bytes announced -> 405\n", n, method, target, len);
		answer(fd, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
		return 0;
	}
	if (hang) {
		fprintf(stderr, "report_sink: request %u: %s %s, %lu bytes, not answered\n", n, method, target, len);
		return 1;
	}
	if (save(body, len, n, path, sizeof(path)) < 0)
		die(path);
	fprintf(stderr, "report_sink: request %u: %s %s, %lu bytes -> %s, 204\n", n, method, target, len, path);
	answer(fd, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
	return 0;
}

/* Parse the options, then receive until the time is up. */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, 0, 'l'}, {"dir", required_argument, 0, 'd'},
		{"port-file", required_argument, 0, 'p'}, {"max-seconds", required_argument, 0, 't'},
		{"hang", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *listen_spec = NULL, *port_file = NULL;
	unsigned max_s = 300;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_spec = optarg; break;
		case 'd': dir = optarg; break;
		case 'p': port_file = optarg; break;
		case 't': max_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'h': hang = 1; break;
		default: return 2;
		}
	}
	if (!listen_spec || !dir || !port_file) {
		fprintf(stderr, "usage: report_sink --listen ADDR:PORT --dir DIR --port-file F [--hang] [--max-seconds S]\n");
		return 2;
	}
	int lfd = tool_listen("report_sink", listen_spec, port_file);
	fprintf(stderr, "report_sink: documents into %s%s\n", dir, hang ? "; never answering" : "");
	alarm(max_s); /* SIGALRM's default action ends the process */
	for (;;) {
		int fd = tool_accept("report_sink", lfd);
		if (!serve(fd))
			close(fd);
	}
}
