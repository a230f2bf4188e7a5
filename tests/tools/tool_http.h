/* tool_http.h - what the lab's one-file HTTP servers share (httpfault.c, report_sink.c): a TCP
 * socket listening on IPv4 ADDR:PORT, its port written to a file for the scenario to read, the
 * next connection, and a whole write to a connection. Included by each tool after its system headers. */
#ifndef PXEROOT_TOOL_HTTP_H
#define PXEROOT_TOOL_HTTP_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Write all LEN bytes of BUF to FD; -1 when the peer went away. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n, len -= (size_t)n;
	}
	return 0;
}

/* Listen on SPEC, "ADDR:PORT" (port 0: any), for the tool named TOOL; write the port to
 * PORT_FILE (under another name first) and say "TOOL: listening on ADDR:PORT" on stderr.
 * Returns the socket; exits 2 on a malformed SPEC, 1 when the socket or the file fails. */
static int tool_listen(const char *tool, const char *spec, const char *port_file)
{
	char addr[64], tmp[4096];
	unsigned port;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	if (sscanf(spec, "%63[^:]:%u", addr, &port) != 2 || port > 65535 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "%s: --listen wants IPv4:PORT, not %s\n", tool, spec);
		exit(2);
	}
	sa.sin_port = htons((uint16_t)port);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	const char *failed = fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
				     bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
				     getsockname(fd, (struct sockaddr *)&sa, &len) < 0
			     ? "listen"
			     : NULL;
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	FILE *f = failed ? NULL : fopen(tmp, "w");
	if (!failed && (!f || fprintf(f, "%u\n", ntohs(sa.sin_port)) < 0 || fclose(f) != 0 || rename(tmp, port_file) < 0))
		failed = port_file;
	if (failed) {
		fprintf(stderr, "%s: %s: %s\n", tool, failed, strerror(errno));
		exit(1);
	}
	fprintf(stderr, "%s: listening on %s:%u\n", tool, addr, ntohs(sa.sin_port));
	return fd;
}

/* The next connection on LFD for the tool named TOOL (interrupted waits resumed); exits 1 with a
 * line when accept fails. */
static int tool_accept(const char *tool, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EINTR) {
			fprintf(stderr, "%s: accept: %s\n", tool, strerror(errno));
			exit(1);
		}
	}
}

#endif
