/* log.c - every line pxeroot prints goes through here: the console (stderr), /dev/kmsg at debug
 * level (so the kernel does not echo it to the console a second time) and, once /run exists,
 * /run/pxeroot/log. */
#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int kmsg_fd = -1;
static int file_fd = -1;
static bool debug_on;
static struct progress *active; /* progress line currently on screen, if any */
static char last_reason[1024]; /* the last error line (log_err) */

/* Open /dev/kmsg (write only) if it is there and not open yet. */
void log_open(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

/* Give every closed descriptor among 0-2 /dev/null (or, without /dev/null, a directory that refuses
 * reads and writes), so that files opened later never become stdin, stdout or stderr: a log line
 * written to fd 2 must never land in a downloaded image. Returns how many were closed. */
int log_std_fds(void)
{
	int filled = 0;
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/null", O_RDWR | O_NOCTTY);
		if (n < 0)
			n = open("/", O_RDONLY | O_DIRECTORY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
		filled++;
	}
	return filled;
}

/* Append log lines to PATH from now on; when it cannot be opened, say so on the other
 * destinations. */
void log_to_file(const char *path)
{
	if (file_fd >= 0)
		close(file_fd);
	file_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (file_fd < 0)
		log_errno(-errno, "log %s", path);
}

static int timeline_fd = -1;

/* The timeline file, appended to. */
void log_timeline(const char *path)
{
	if (timeline_fd < 0)
		timeline_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* EVENT at the uptime, in the debug log and the timeline file. */
void log_mark(const char *event)
{
	char line[96];
	uint64_t t = now_ms();
	int n = snprintf(line, sizeof(line), "%s %llu.%03llu\n", event, (unsigned long long)(t / 1000), (unsigned long long)(t % 1000));
	log_debug("timeline: %s at uptime %llu.%03llu s", event, (unsigned long long)(t / 1000), (unsigned long long)(t % 1000));
	if (timeline_fd >= 0 && n > 0 && write(timeline_fd, line, (size_t)n) < 0)
		log_debug("timeline: write: %s", strerror(errno));
}

/* Set the debug switch. */
void log_set_debug(bool on)
{
	debug_on = on;
}

/* Whether debug lines are printed. */
bool log_debug_enabled(void)
{
	return debug_on;
}

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* nanosleep until the whole time has passed. */
void sleep_ms(uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Format one line, escape it whole (log_clean: a value from the network or the command line, in
 * whichever call site, cannot move the cursor, clear the screen or start a line of its own) and
 * send it to every destination. */
static void emit(const char *fmt, va_list ap)
{
	char raw[2048], line[1024];
	vsnprintf(raw, sizeof(raw), fmt, ap);
	int n = snprintf(line, sizeof(line), "pxeroot: ");
	log_clean(raw, line + n, sizeof(line) - (size_t)n - 1); /* room kept for the newline */
	size_t len = strlen(line);
	line[len++] = '\n';

	if (active && active->drawn && active->tty) {
		(void)!write(STDERR_FILENO, "\n", 1);
		active->drawn = false;
	}
	(void)!write(STDERR_FILENO, line, len);
	if (file_fd >= 0)
		(void)!write(file_fd, line, len);
	if (kmsg_fd >= 0) {
		char k[1040];
		int kl = snprintf(k, sizeof(k), "<15>%.*s", (int)len - 1, line);
		(void)!write(kmsg_fd, k, (size_t)kl);
	}
}

/* Log one informational line. */
void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
}

/* Log one line if debug is on. */
void log_debug(const char *fmt, ...)
{
	if (!debug_on)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
}

/* Log one error line, kept (escaped) as the last reason; return ERR unchanged. */
int log_err(int err, const char *fmt, ...)
{
	char raw[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_clean(raw, last_reason, sizeof(last_reason)); /* escaped here too: hooks print it */
	log_info("%s", last_reason);
	return err;
}

/* The text of the last error line. */
const char *log_last_error(void)
{
	return last_reason;
}

/* Log one error line ending in ": <strerror(-ERR)>"; return ERR unchanged. */
int log_errno(int err, const char *fmt, ...)
{
	char what[960];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return log_err(err, "%s: %s", what, strerror(-err));
}

/* Whether byte C is printed as it is. */
static bool printable(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* Length of S escaped. */
static size_t clean_len(const unsigned char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += printable(*s) ? 1 : 4;
	return n;
}

/* Escape S into OUT as log.h says: when all of it does not fit, room is kept for "...". */
const char *log_clean(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, room = clean_len(p) < cap ? cap : cap > 3 ? cap - 3 : 0;
	for (; *p; p++) {
		if (o + (printable(*p) ? 1 : 4) >= room)
			break;
		if (printable(*p)) {
			out[o++] = (char)*p;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[*p >> 4];
		out[o++] = hex[*p & 15];
	}
	if (*p && cap > 3) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	if (cap)
		out[o] = '\0';
	return out;
}

/* Human size in MiB with one decimal into BUF. */
static void mib(char *buf, size_t cap, uint64_t bytes)
{
	snprintf(buf, cap, "%.1f", (double)bytes / (1024.0 * 1024.0));
}

/* Write the progress line once: bytes, percent, rate, ETA, the unpacked size. */
static void progress_draw(struct progress *p, bool final)
{
	uint64_t el = now_ms() - p->start_ms;
	double rate = el ? (double)p->done * 1000.0 / (double)el : 0.0;
	char d[32], t[32], r[32], u[48] = "", line[256];
	mib(d, sizeof(d), p->done);
	mib(r, sizeof(r), (uint64_t)rate);
	if (p->unpacked && *p->unpacked) {
		char m[32];
		mib(m, sizeof(m), *p->unpacked);
		snprintf(u, sizeof(u), " (unpacked %s MiB)", m);
	}
	int n;
	if (p->total) {
		mib(t, sizeof(t), p->total);
		unsigned pct = (unsigned)(p->done * 100 / p->total);
		uint64_t eta = rate > 0 ? (uint64_t)((double)(p->total - (p->done < p->total ? p->done : p->total)) / rate) : 0;
		n = snprintf(line, sizeof(line), "%spxeroot: %s %s/%s MiB %3u%% %s MiB/s ETA %u:%02u%s%s%s",
			     p->tty ? "\r" : "", p->what, d, t, pct, r, (unsigned)(eta / 60),
			     (unsigned)(eta % 60), u, p->note, p->tty ? "\033[K" : "\n");
	} else {
		n = snprintf(line, sizeof(line), "%spxeroot: %s %s MiB %s MiB/s%s%s%s", p->tty ? "\r" : "",
			     p->what, d, r, u, p->note, p->tty ? "\033[K" : "\n");
	}
	if (n < 0 || n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2; /* cut; room kept for the final newline */
	if (final && p->tty)
		line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
	p->drawn = p->tty && !final;
	p->last_ms = now_ms();
}

/* Begin a progress line for WHAT of TOTAL bytes (0 = unknown). */
void progress_start(struct progress *p, const char *what, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	log_clean(what, p->what, sizeof(p->what)); /* drawn by progress_draw, not emit */
	p->total = total;
	p->start_ms = p->last_ms = now_ms();
	p->tty = isatty(STDERR_FILENO);
	active = p;
}

/* Update the counters and redraw: every 250 ms on a terminal, every 5 s elsewhere. */
void progress_update(struct progress *p, uint64_t done, uint64_t total)
{
	p->done = done;
	if (total)
		p->total = total;
	if (now_ms() - p->last_ms >= (p->tty ? 250u : 5000u))
		progress_draw(p, false);
}

/* Final redraw when the transfer is COMPLETE (a failed one has said why in its own line, and a
 * last "100%" would read like success), else just end a line left open; forget the line. */
void progress_end(struct progress *p, bool complete)
{
	if (complete && p->done)
		progress_draw(p, true);
	else if (p->drawn)
		(void)!write(STDERR_FILENO, "\n", 1);
	active = NULL;
}
