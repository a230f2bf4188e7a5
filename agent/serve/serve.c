/* serve.c - the lazy root's server as a process of its own.
 *
 * PID 1 copies its own binary into a memfd and writes the server's state (the transfer policy,
 * the stores, the cache budget, the checked index) into another, makes the NBD socket pair and
 * two pipes (ready: the server's device path once the disk is live; control: 'h' when the root is
 * handed over, then EOF when PID 1 execs init), forks, and the child execs the memfd as
 * "@pxeroot serve". The server reads its state, loads the CA bundle into memory and resolves the
 * stores' host names (it will not see the initramfs's files again), connects the device, makes an
 * empty directory of /run its root, says ready, and serves. */
#define _GNU_SOURCE
#include "serve/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch/chunks.h"
#include "fetch/curl.h"
#include "fsutil.h"
#include "log.h"
#include "paths.h"
#include "sink.h"
#include "serve/lazy.h"
#include "serve/nbd.h"

#define STATE_MAGIC 0x7078736eu /* the state's first word, so a wrong fd is told */
enum { FD_STATE = 3, FD_SOCK, FD_KSOCK, FD_READY, FD_CTL, FD_FIRST_FREE };

/* What PID 1 hands the server; the index's bytes follow it in the same memfd. */
struct state {
	uint32_t magic;
	unsigned connect_s, stall_s, attempts, deadline_s;
	char proxy[1024];
	char ca[512];
	uint64_t cache_max;
	unsigned nstores;
	char stores[MIRRORS_MAX][2048];
	uint64_t index_len;
};

static pid_t server;    /* the server's pid, 0: none */
static int ctl_fd = -1; /* the write end of its control pipe */

/* RQ as a state. */
static void state_of(const struct serve_req *rq, struct state *s)
{
	const struct fetch_config *c = rq->cfg;
	*s = (struct state){.magic = STATE_MAGIC, .cache_max = rq->cache_max, .index_len = rq->index_len};
	s->connect_s = c->connect_s, s->stall_s = c->stall_s, s->attempts = c->attempts, s->deadline_s = c->deadline_s;
	snprintf(s->proxy, sizeof(s->proxy), "%s", c->proxy ? c->proxy : "");
	snprintf(s->ca, sizeof(s->ca), "%s", c->ca ? c->ca : "");
	s->nstores = rq->stores->n;
	for (unsigned i = 0; i < rq->stores->n; i++)
		snprintf(s->stores[i], sizeof(s->stores[i]), "%s", rq->stores->base[i]);
}

/* A memfd holding pxeroot's binary (*EXE) and one holding RQ's state (*ST). */
static int memfds(const struct serve_req *rq, int *exe, int *st)
{
	struct state *s = malloc(sizeof(*s));
	struct stat sb;
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), r = 0;
	*exe = memfd_create("pxeroot", MFD_CLOEXEC);
	*st = memfd_create("pxeroot-serve-state", MFD_CLOEXEC);
	if (!s || in < 0 || *exe < 0 || *st < 0 || fstat(in, &sb) < 0)
		r = -errno ? -errno : -ENOMEM;
	for (off_t off = 0; r == 0 && off < sb.st_size;)
		if (sendfile(*exe, in, &off, (size_t)(sb.st_size - off)) <= 0)
			r = -errno ? -errno : -EIO;
	if (r < 0)
		r = log_errno(r, "serve: copy pxeroot into memory");
	else { /* the sink says what failed */
		struct file_sink fs;
		file_sink_init(&fs, *st, "the server's state (memfd)");
		state_of(rq, s);
		if ((r = sink_feed(&fs.s, (const uint8_t *)s, sizeof(*s))) == 0)
			r = sink_feed(&fs.s, rq->index, rq->index_len);
	}
	free(s);
	if (in >= 0)
		close(in);
	return r;
}

/* In the child: the descriptors at their numbers (FDS[i] to FD_STATE + i), every other closed
 * but 0-2, then the binary in memory. Never returns. */
static void exec_server(int exe, const int *fds)
{
	int moved[FD_FIRST_FREE - FD_STATE], high = 64;
	char *argv[] = {"@pxeroot", "serve", NULL}, *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int e = fcntl(exe, F_DUPFD_CLOEXEC, high); /* out of the way of the numbers below first */
	for (int i = 0; i < FD_FIRST_FREE - FD_STATE; i++)
		moved[i] = fcntl(fds[i], F_DUPFD, high);
	for (int i = 0; i < FD_FIRST_FREE - FD_STATE; i++)
		dup2(moved[i], FD_STATE + i);
	close_range(FD_FIRST_FREE, (unsigned)e - 1, 0);
	close_range((unsigned)e + 1, ~0u, 0);
	fexecve(e, argv, envp);
	log_errno(-errno, "serve: exec the server from memory");
	_exit(127);
}

/* Wait for the device path on the ready pipe (RD), at most SERVE_START_S. */
static int wait_ready(int rd, char *dev, size_t cap)
{
	struct pollfd p = {.fd = rd, .events = POLLIN};
	size_t n = 0;
	uint64_t until = now_ms() + SERVE_START_S * 1000ull;
	while (n + 1 < cap) {
		uint64_t now = now_ms();
		if (now >= until || poll(&p, 1, (int)(until - now)) == 0)
			return log_err(-ETIMEDOUT, "serve: the server's device is not live after %d s", SERVE_START_S);
		ssize_t k = read(rd, dev + n, cap - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
		if (dev[n - 1] == '\n')
			break;
	}
	dev[n] = '\0';
	if (!n || dev[n - 1] != '\n')
		return log_err(-EIO, "serve: the server ended before its device was live");
	dev[n - 1] = '\0';
	return 0;
}

/* Fork the server. */
int serve_start(const struct serve_req *rq, char *dev, size_t cap)
{
	int exe = -1, st = -1, sp[2] = {-1, -1}, ready[2] = {-1, -1}, ctl[2] = {-1, -1};
	serve_stop();
	int r = memfds(rq, &exe, &st);
	if (r == 0 && (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 || pipe2(ready, O_CLOEXEC) < 0 ||
		       pipe2(ctl, O_CLOEXEC) < 0))
		r = log_errno(-errno, "serve: socket pair and pipes");
	if (r == 0 && (server = fork()) < 0)
		r = log_errno(-errno, "serve: fork");
	if (r == 0 && server == 0) {
		int fds[] = {st, sp[1], sp[0], ready[1], ctl[0]};
		exec_server(exe, fds);
	}
	int keep[] = {exe, st, sp[0], sp[1], ready[1], ctl[0]};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (keep[i] >= 0)
			close(keep[i]);
	ctl_fd = ctl[1];
	if (r == 0)
		r = wait_ready(ready[0], dev, cap);
	if (ready[0] >= 0)
		close(ready[0]);
	if (r < 0)
		serve_stop();
	else
		log_info("serve: %s is served by pid %d (@pxeroot)", dev, (int)server);
	return r;
}

/* Kill and reap. */
void serve_stop(void)
{
	if (ctl_fd >= 0)
		close(ctl_fd);
	ctl_fd = -1;
	if (server > 0) {
		kill(server, SIGKILL);
		while (waitpid(server, NULL, 0) < 0 && errno == EINTR)
			;
	}
	server = 0;
}

/* The serve stage. */
int serve_handover(void)
{
	int status;
	if (server <= 0)
		return 0;
	if (waitpid(server, &status, WNOHANG) == server) {
		server = 0;
		return log_err(-ESRCH, "serve: the root's server ended (status %d) before switch_root", status);
	}
	if (write(ctl_fd, "h", 1) != 1) /* one byte into a pipe: all or nothing */
		return log_errno(-errno, "serve: tell the root's server (pid %d)", (int)server);
	return 0;
}

/* ---- the server process ---- */

/* The state and the index from FD_STATE into *S and IX. */
static int read_state(struct state *s, struct ca_index *ix)
{
	char why[160];
	uint8_t *p = NULL;
	size_t len;
	int r = read_whole("/proc/self/fd/3", sizeof(*s) + (64u << 20), &p, &len);
	if (r < 0)
		return log_errno(r, "serve: read the state");
	memcpy(s, p, len < sizeof(*s) ? len : sizeof(*s));
	if (len < sizeof(*s) || s->magic != STATE_MAGIC || s->index_len != len - sizeof(*s) || s->nstores > MIRRORS_MAX)
		r = log_err(-EINVAL, "serve: the state handed over is not pxeroot's");
	else if ((r = ca_index_parse(p + sizeof(*s), len - sizeof(*s), ix, why, sizeof(why))) < 0)
		r = log_err(r, "serve: the index handed over: %s", why);
	free(p);
	close(FD_STATE);
	return r;
}

/* Not killed by what ends ordinary processes at shutdown; first to go never (the OOM killer),
 * named for ps. */
static void harden(void)
{
	int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2, SIGQUIT};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_IGN);
	prctl(PR_SET_NAME, "pxeroot-serve");
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "-1000", 5);
		close(fd);
	}
}

/* The transfer policy of S, with the CA bundle in memory and the stores' hosts resolved now. */
static int policy(struct state *s, struct fetch_config *c, struct mirrors *m)
{
	*c = (struct fetch_config){.connect_s = s->connect_s, .stall_s = s->stall_s, .attempts = s->attempts,
				   .deadline_s = s->deadline_s, .proxy = s->proxy[0] ? s->proxy : NULL, .ca = s->ca[0] ? s->ca : NULL};
	*m = (struct mirrors){.n = s->nstores};
	for (unsigned i = 0; i < s->nstores; i++)
		m->base[i] = s->stores[i];
	return fetch_pin(c, m);
}

/* Leave the initramfs: an empty directory of /run is the root from now on. */
static int leave_initramfs(void)
{
	if (mkdir_p(SERVE_DIR) < 0 || chdir(SERVE_DIR) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return log_errno(-errno, "serve: make %s the root", SERVE_DIR);
	return 0;
}

/* lazy_req.tick: the control pipe; 'h' is the handover. False once the pipe is closed (PID 1
 * exec'd init, or ended). */
static bool control(void *ctx)
{
	const struct lazy_req *lr = ctx;
	static bool said, closed;
	char c;
	if (closed)
		return false;
	ssize_t n = read(FD_CTL, &c, 1);
	if (n == 1 && c == 'h' && !said) {
		said = true;
		log_info("serve: %s: serving the root after switch_root as pid %d (@pxeroot, run from memory, holding no file of the initramfs); %" PRIu64 " chunks, %" PRIu64 " bytes fetched so far",
			 lr->dev, (int)getpid(), lr->cr->chunks, lr->cr->bytes);
	}
	if (n == 0) {
		closed = true;
		close(FD_CTL);
	}
	return !closed;
}

/* The server. */
int serve_main(void)
{
	struct state *s = calloc(1, sizeof(*s));
	struct ca_index ix = {0};
	struct fetch_config cfg;
	struct mirrors stores;
	struct nbd_dev d = {.fd = -1};
	log_open();
	log_to_file(LOG_FILE);
	harden();
	int r = s ? read_state(s, &ix) : -ENOMEM;
	if (r == 0 && fetch_global_init() < 0)
		r = log_err(-EIO, "serve: libcurl: global init failed");
	if (r == 0)
		r = policy(s, &cfg, &stores);
	if (r == 0 && (r = nbd_connect(&d, FD_KSOCK, ix.size, chunks_patience_s(&cfg, stores.n))) == 0)
		r = nbd_wait_live(&d, ix.size, SERVE_START_S * 1000);
	close(FD_KSOCK);
	fcntl(FD_CTL, F_SETFL, O_NONBLOCK);
	if (r == 0 && (r = leave_initramfs()) == 0) {
		char line[40];
		int n = snprintf(line, sizeof(line), "%s\n", d.path);
		(void)!write(FD_READY, line, (size_t)n);
		close(FD_READY);
		struct chunks_req cr = {.cfg = &cfg, .stores = &stores, .ix = &ix};
		struct lazy_req lr = {.cr = &cr, .cache_max = s->cache_max, .sock = FD_SOCK, .dev = d.path, .tick = control};
		lr.tick_ctx = &lr;
		r = lazy_serve(&lr);
		log_info("serve: %s: the kernel disconnected; the server ends", d.path);
	}
	nbd_disconnect(&d);
	return r < 0 ? 1 : 0;
}
