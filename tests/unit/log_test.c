/* log_test.c - text a server chose, escaped for the log: control and non-ASCII bytes as \xHH,
 * long text cut with "...", nothing written past the buffer. */
#include <string.h>

#include "check.h"
#include "log.h"

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

/* Run every test; the exit status says whether all passed. */
int main(void)
{
	test_clean();
	return check_done("log_test");
}
