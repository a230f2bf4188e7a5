/* log_test.c - text escaped for the log: control and non-ASCII bytes as \xHH, long text cut with
 * "...", nothing written past the buffer; every line the log writes (console, log file, the last
 * error, the progress line on a terminal or not) escaped whole, whatever its values hold. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

/* A fake verdict painted by escape sequences, as a DHCP server could put it in option 17. */
#define PAINT "\033[1;32msha512 ok\033[0m\r\n"
#define PAINT_ESCAPED "\\x1b[1;32msha512 ok\\x1b[0m\\x0d\\x0a"

static int console = -1, logfile = -1; /* memory files standing in for the console and the log */

/* Assert S cleaned into CAP bytes is WANT. */
static void want_clean(const char *s, size_t cap, const char *want)
{
	char out[64];
	memset(out, '#', sizeof(out));
	CHECK_STR(log_clean(s, out, cap), want);
	CHECK(cap >= sizeof(out) || out[cap] == '#', "nothing past %zu bytes", cap);
}

/* Printable ASCII passes, every other byte is escaped, long text is cut. */
static void test_clean(void)
{
	want_clean("\"abc-1\" W/x", 64, "\"abc-1\" W/x");
	want_clean("e\033[2J\a", 64, "e\\x1b[2J\\x07");
	want_clean("\x7f\x80\xff tab\there", 64, "\\x7f\\x80\\xff tab\\x09here");
	want_clean("0123456789", 11, "0123456789");
	want_clean("0123456789", 10, "012345...");
	want_clean("\033\033\033\033", 12, "\\x1b\\x1b...");
	want_clean("\033\033\033\033", 17, "\\x1b\\x1b\\x1b\\x1b");
	want_clean("", 1, "");
	want_clean("abc", 4, "abc");
	want_clean("abcd", 4, "...");
}

/* Whether S starts with PREFIX. */
static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* What memory file FD holds, NUL-terminated in a static buffer; FD emptied. */
static const char *take(int fd)
{
	static char buf[8192];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		CHECK(0, "empty the capture");
	return buf;
}

/* Point fd 2 at a memory file, the log file at another. */
static void capture(void)
{
	char path[64];
	console = memfd_create("console", 0);
	logfile = memfd_create("log", 0);
	CHECK(console >= 0 && logfile >= 0, "memfd_create");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", logfile);
	log_to_file(path);
	dup2(console, STDERR_FILENO);
}

/* Assert the console got WANT and the log file the same. */
static void want_lines(const char *want)
{
	CHECK_STR(take(console), want);
	CHECK_STR(take(logfile), want);
}

/* Values holding escape sequences, CR and LF print as \xHH in info, error and errno lines and in
 * the last error handed to the generators' hooks; a line too long is cut with "...". */
static void test_lines(void)
{
	log_info("dhcp: root-path \"%s\"", PAINT);
	want_lines("pxeroot: dhcp: root-path \"" PAINT_ESCAPED "\"\n");
	CHECK(log_err(-EINVAL, "dhcp root-path \"%s\": not an export", PAINT) == -EINVAL, "log_err returns ERR");
	want_lines("pxeroot: dhcp root-path \"" PAINT_ESCAPED "\": not an export\n");
	CHECK_STR(log_last_error(), "dhcp root-path \"" PAINT_ESCAPED "\": not an export");
	log_errno(-EIO, "nfs %s:/srv", "\033]0;title\a");
	want_lines("pxeroot: nfs \\x1b]0;title\\x07:/srv: Input/output error\n");
	CHECK_STR(log_last_error(), "nfs \\x1b]0;title\\x07:/srv: Input/output error");
	char big[3000];
	memset(big, '\033', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	const char *got = take(console);
	size_t n = strlen(got);
	take(logfile);
	CHECK(n < 1024 && n > 1000 && !strchr(got, '\033') && strchr(got, '\n') == got + n - 1 &&
		      !strcmp(got + n - 4, "...\n"),
	      "one cut line of %zu bytes", n);
}

/* The progress line off a terminal: the name escaped, one line. */
static void test_progress_plain(void)
{
	struct progress p;
	progress_start(&p, "air\033[2Jootfs.sfs", 10);
	progress_update(&p, 10, 10);
	progress_end(&p, true);
	const char *got = take(console);
	CHECK(starts(got, "pxeroot: air\\x1b[2Jootfs.sfs 0.0/0.0 MiB 100% ") && !strchr(got, '\033') &&
		      strchr(got, '\n') == got + strlen(got) - 1,
	      "got \"%s\"", got);
}

/* Whether every ESC in S starts the redraw's "erase to the end of the line". */
static bool only_erase(const char *s)
{
	for (; (s = strchr(s, '\033')); s++)
		if (!starts(s, "\033[K"))
			return false;
	return true;
}

/* The progress line on a terminal (a pty in raw mode): drawn with \r and ESC [K, its name
 * escaped; a log line while it is open starts on a line of its own. */
static void test_progress_tty(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0, "a pty");
	int s = m >= 0 ? open(ptsname(m), O_RDWR | O_NOCTTY) : -1;
	struct termios t;
	CHECK(s >= 0 && tcgetattr(s, &t) == 0, "the pty's other end");
	if (s < 0)
		return;
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	dup2(s, STDERR_FILENO);
	struct progress p;
	progress_start(&p, "a\033[2Jb.sfs", 10);
	sleep_ms(300);
	progress_update(&p, 5, 10);
	log_info("between");
	progress_end(&p, true);
	dup2(console, STDERR_FILENO);
	char got[1024];
	ssize_t n = 0, k;
	struct pollfd pf = {.fd = m, .events = POLLIN};
	while (n < (ssize_t)sizeof(got) - 1 && poll(&pf, 1, 200) > 0 && (k = read(m, got + n, sizeof(got) - 1 - (size_t)n)) > 0)
		n += k; /* the pty may hand the bytes over in several reads */
	got[n] = '\0';
	const char *mid = strstr(got, "\033[K\npxeroot: between\n\rpxeroot: a\\x1b[2Jb.sfs ");
	CHECK(starts(got, "\rpxeroot: a\\x1b[2Jb.sfs 0.0/0.0 MiB  50% ") && mid && only_erase(got) &&
		      n > 4 && !strcmp(got + n - 4, "\033[K\n"),
	      "got \"%s\"", got);
	take(logfile);
	close(s);
	close(m);
}

/* Run every test; the exit status says whether all passed. */
int main(void)
{
	test_clean();
	capture();
	test_lines();
	test_progress_plain();
	test_progress_tty();
	return check_done("log_test");
}
