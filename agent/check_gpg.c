/* check_gpg.c - verify=y: a detached OpenPGP signature checked by gpgv while the image arrives.
 *
 * gpgv gets the configured keyring, the signature (a memfd, passed as /proc/self/fd/N) and the
 * image bytes on a pipe as its data file ("-"); its --status-fd output decides. gpgv only knows
 * the keys of the keyring it is given, so GOODSIG there means the key is in the keyring; still,
 * a pass needs exit 0, GOODSIG and VALIDSIG and none of BADSIG, ERRSIG, EXPSIG, EXPKEYSIG,
 * REVKEYSIG. The arguments are an argv array: nothing goes through a shell. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trust.h"
#include "log.h"

struct gpg_check {
	struct check c;
	pid_t pid;
	int data_fd;      /* write end of gpgv's stdin */
	int status_fd;    /* read end of gpgv's status output */
	int sig_fd;       /* memfd holding the signature */
	bool broken;      /* gpgv stopped reading early: the verdict will say why */
	const char *keyring;
};

/* Pass bytes to gpgv; if it went away, keep going and let the verdict fail. */
static int gpg_write(struct sink *s, const uint8_t *p, size_t n)
{
	struct gpg_check *k = (struct gpg_check *)s;
	while (n && !k->broken) {
		ssize_t w = write(k->data_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			k->broken = true;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read all of gpgv's status output into BUF. */
static void read_status(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	while (len + 1 < cap && ((n = read(fd, buf + len, cap - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = '\0';
}

/* The value after "[GNUPG:] KEYWORD " in STATUS, up to the end of the word, into OUT; false if
 * the keyword is absent. */
static bool status_word(const char *status, const char *keyword, char *out, size_t cap)
{
	char pat[32];
	snprintf(pat, sizeof(pat), "[GNUPG:] %s ", keyword);
	const char *p = strstr(status, pat);
	if (!p)
		return false;
	p += strlen(pat);
	size_t n = strcspn(p, " \n");
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
	return true;
}

/* Close the data pipe, collect gpgv's verdict. */
static int gpg_verdict(struct check *c, const char *url)
{
	struct gpg_check *k = (struct gpg_check *)c;
	char status[8192], word[128];
	close(k->data_fd);
	k->data_fd = -1;
	read_status(k->status_fd, status, sizeof(status));
	int ws = 0;
	while (waitpid(k->pid, &ws, 0) < 0 && errno == EINTR)
		;
	k->pid = -1;
	static const char *const bad[] = {"BADSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (status_word(status, bad[i], word, sizeof(word)))
			return log_err(-EBADMSG, "verify %s: gpg bad signature (%s by key %s): image refused", url, bad[i], word);
	if (status_word(status, "NO_PUBKEY", word, sizeof(word)) || status_word(status, "ERRSIG", word, sizeof(word)))
		return log_err(-EBADMSG, "verify %s: gpg key %s is not in %s: image refused", url, word, k->keyring);
	bool good = status_word(status, "GOODSIG", word, sizeof(word));
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || !good || !status_word(status, "VALIDSIG", word, sizeof(word)))
		return log_err(-EBADMSG, "verify %s: gpg signature not verified (gpgv %s %d, no good signature): image refused",
			       url, WIFEXITED(ws) ? "exit" : "signal", WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws));
	log_info("verify %s: gpg ok (key %s)", url, word);
	return 0;
}

/* Stop gpgv if it still runs and close everything. */
static void gpg_release(struct check *c)
{
	struct gpg_check *k = (struct gpg_check *)c;
	if (k->data_fd >= 0)
		close(k->data_fd);
	if (k->pid > 0) {
		kill(k->pid, SIGKILL);
		while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close(k->status_fd);
	close(k->sig_fd);
	free(k);
}

/* In the child: wire the pipes to fds 0 and 1, stderr to /dev/null, exec gpgv. */
__attribute__((noreturn)) static void gpg_child(const struct trust *t, int in, int out, int sig)
{
	char sigpath[64];
	dup2(in, 0);
	dup2(out, 1);
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, 2);
	snprintf(sigpath, sizeof(sigpath), "/proc/self/fd/%d", sig);
	char *const argv[] = {"gpgv", "--homedir", "/run/pxeroot/gnupg", "--keyring", (char *)t->gpg_keyring,
			      "--status-fd", "1", sigpath, "-", NULL};
	char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
	execve(t->gpgv, argv, envp);
	_exit(127);
}

/* Start gpgv on the signature; its stdin takes the image bytes. */
int gpg_check_new(const char *url, const char *comp, const uint8_t *sig, size_t len, const struct trust *t,
		  struct check **out)
{
	(void)comp;
	if (access(t->gpgv, X_OK) < 0)
		return log_err(-EBADMSG, "verify %s: gpg check requested (verify=y) but %s is not in the initramfs: image refused", url, t->gpgv);
	if (access(t->gpg_keyring, R_OK) < 0)
		return log_err(-EBADMSG, "verify %s: gpg check requested (verify=y) but no keyring at %s: image refused", url, t->gpg_keyring);
	struct gpg_check *k = calloc(1, sizeof(*k));
	int in[2] = {-1, -1}, st[2] = {-1, -1};
	if (!k)
		return -ENOMEM;
	k->keyring = t->gpg_keyring;
	k->sig_fd = memfd_create("signature", 0); /* no CLOEXEC: gpgv opens it by path */
	mkdir("/run/pxeroot", 0755);
	mkdir("/run/pxeroot/gnupg", 0700);
	if (k->sig_fd < 0 || write(k->sig_fd, sig, len) != (ssize_t)len || pipe2(in, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		int e = errno;
		close(k->sig_fd), close(in[0]), close(in[1]), close(st[0]), close(st[1]);
		free(k);
		return log_err(-e, "verify %s: gpg: cannot set up gpgv: %s", url, strerror(e));
	}
	k->pid = fork();
	if (k->pid == 0)
		gpg_child(t, in[0], st[1], k->sig_fd);
	close(in[0]);
	close(st[1]);
	fcntl(in[1], F_SETPIPE_SZ, 1 << 20); /* fewer, larger hand-overs to gpgv; best effort */
	k->data_fd = in[1];
	k->status_fd = st[0];
	k->c = (struct check){.s = {.write = gpg_write}, .name = "gpg", .verdict = gpg_verdict, .release = gpg_release};
	if (k->pid < 0) {
		int e = errno;
		gpg_release(&k->c);
		return log_err(-e, "verify %s: gpg: fork: %s", url, strerror(e));
	}
	*out = &k->c;
	return 0;
}
