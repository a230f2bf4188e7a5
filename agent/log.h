/* log.h - console, /dev/kmsg and /run/pxeroot/log lines; the download progress line */
#ifndef PXEROOT_LOG_H
#define PXEROOT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PXEROOT_VERSION
#define PXEROOT_VERSION "dev"
#endif
#ifndef PXEROOT_BUILD_EPOCH
#define PXEROOT_BUILD_EPOCH 1767225600 /* 2026-01-01, when the build does not say */
#endif

/* Start logging: open /dev/kmsg if present. Safe to call again after /dev appears. */
void log_open(void);
/* Fill closed descriptors among 0-2 with /dev/null; returns how many were closed. */
int log_std_fds(void);
/* Also append every line to PATH (the /run/pxeroot/log file). */
void log_to_file(const char *path);
/* Keep the boot's timeline in PATH from now on (one "EVENT SECONDS" line per log_mark). */
void log_timeline(const char *path);
/* A stage boundary: EVENT ("modules", "lease", ...) at the uptime now (CLOCK_MONOTONIC, the kernel
 * log's clock), a debug line and a line of the timeline file. */
void log_mark(const char *event);
/* Turn debug lines on or off (pxeroot.debug). */
void log_set_debug(bool on);
bool log_debug_enabled(void);

/* One "pxeroot: ..." line on the console, in /dev/kmsg and in the log file. The formatted text is
 * escaped whole as log_clean does (every byte outside printable ASCII as \xHH, cut with "..." past
 * about 1000 characters): whatever a value holds, the line stays one line of plain text. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like log_info, only when debug is on. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log one error line and return ERR (a negative errno), so callers can `return log_err(...)`. */
int log_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text of the last line log_err or log_errno wrote ("" when none), without "pxeroot: ", escaped
 * as that line was. */
const char *log_last_error(void);
/* log_err with the cause spelled out: the line is FMT's text, ": ", strerror(-ERR). */
int log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_CLEAN_MAX 256 /* room for a cleaned string: at most this minus one characters */

/* S made safe to print into OUT (CAP bytes): every byte outside printable ASCII (0x20-0x7e) as
 * \xHH, cut with "..." when it does not fit. Returns OUT. Every log line goes through it whole;
 * call sites use it to cut text a server chose (a header, a redirect target) to LOG_CLEAN_MAX. */
const char *log_clean(const char *s, char *out, size_t cap);

/* A progress line for one transfer, redrawn in place on a terminal, printed every few seconds
 * elsewhere. */
struct progress {
	char what[64];       /* short name shown on the line, e.g. airootfs.sfs */
	uint64_t total;      /* expected bytes, 0 when unknown */
	uint64_t done;       /* bytes so far */
	uint64_t start_ms;   /* monotonic start */
	uint64_t last_ms;    /* last time the line was drawn */
	bool tty;            /* console is a terminal: redraw with \r */
	bool drawn;          /* something is on the line and needs a newline before other output */
	char note[48];       /* appended to the line, e.g. " [attempt 2, mirror 2/3]" */
	const uint64_t *unpacked; /* optional: bytes unpacked so far, shown when not 0 */
};

/* Begin the line of WHAT (escaped as log_clean does, cut to fit) of TOTAL bytes (0 = unknown). */
void progress_start(struct progress *p, const char *what, uint64_t total);
/* Record DONE bytes of TOTAL (TOTAL 0 = unknown) and redraw if enough time has passed. */
void progress_update(struct progress *p, uint64_t done, uint64_t total);
/* End the line: with the final state drawn when the transfer is COMPLETE. */
void progress_end(struct progress *p, bool complete);

/* Milliseconds from CLOCK_MONOTONIC. */
uint64_t now_ms(void);
/* Sleep MS milliseconds, signals or not. */
void sleep_ms(uint64_t ms);

#endif
