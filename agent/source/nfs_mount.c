/* nfs_mount.c - one NFS export mounted with mount(2) and the kernel's text options.
 *
 * The version asked for, else 4.2, 4.1, 4.0, then 3 (dracut's nfs4:: the three v4 ones), one line
 * saying which worked; after "no such path" from a v4 server only v3 (real paths, not the pseudo
 * root's) is tried on. nolock for v2/v3 unless `lock` was asked (no statd here); addr= and, for
 * v4, clientaddr= added. Each attempt runs in a child that is killed when it takes longer than
 * the timeout, so a server that never answers cannot wedge the boot; the failure names server,
 * path and cause. */
#define _GNU_SOURCE
#include "source/nfs_mount.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "paths.h"

#define KILL_WAIT_MS 5000  /* after SIGKILL, how long to wait for the attempt to end */

/* The server's IPv4 address into ADDR: a dotted address as it is, a name through the resolver. */
static int resolve(const char *server, char *addr, size_t cap)
{
	struct in_addr a;
	if (inet_pton(AF_INET, server, &a) == 1)
		return inet_ntop(AF_INET, &a, addr, (socklen_t)cap) ? 0 : -ENAMETOOLONG;
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int g = getaddrinfo(server, NULL, &hints, &res);
	if (g != 0)
		return log_err(-EHOSTUNREACH, "nfs %s: cannot resolve the server's name: %s", server, gai_strerror(g));
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr, (socklen_t)cap);
	freeaddrinfo(res);
	log_info("nfs %s: resolved to %s", server, addr);
	return 0;
}

/* Wait up to MS for child PID; its exit status (an errno, 0 for success) or -1 if still running. */
static int reap(pid_t pid, long ms)
{
	for (long waited = 0;; waited += 50) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : EIO;
		if (w < 0 && errno != EINTR)
			return EIO;
		if (waited >= ms)
			return -1;
		sleep_ms(50);
	}
}

/* mount(2) in a child, so that a server which never answers is given up on after TIMEOUT_S.
 * 0 or a negative errno. */
static int mount_bounded(const char *src, const char *type, unsigned long flags, const char *data, unsigned timeout_s,
			 const char *what)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(mount(src, NFS_DIR, type, flags, data) < 0 ? errno : 0);
	int e = -1;
	for (unsigned s = 0; e < 0 && s < timeout_s; s += 10) {
		if (s)
			log_info("nfs %s: still waiting for the server (%u s of pxeroot.nfs_timeout=%u)", what, s, timeout_s);
		e = reap(pid, (long)(timeout_s - s < 10 ? timeout_s - s : 10) * 1000);
	}
	if (e >= 0)
		return -e;
	kill(pid, SIGKILL);
	if (reap(pid, KILL_WAIT_MS) < 0)
		log_info("nfs %s: the stopped mount attempt (pid %d) has not ended yet", what, (int)pid);
	umount_quiet(NFS_DIR); /* in case it completed as it was stopped */
	return -ETIMEDOUT;
}

/* What errno E from an NFS mount means, for the line that names the cause. */
static const char *cause(int e)
{
	switch (e) {
	case ECONNREFUSED: return "server unreachable: connection refused (no NFS server answering on the port)";
	case EHOSTUNREACH:
	case ENETUNREACH: return "server unreachable: no route to it";
	case ETIMEDOUT: return "mount timed out: the server did not answer (pxeroot.nfs_timeout=)";
	case ENOENT: return "no such export or path on the server";
	case EACCES: return "access denied by the server: the path is not exported to this client, or root is squashed";
	case EPERM: return "permission denied: the export refuses this client, or squashes root";
	case EPROTONOSUPPORT:
	case EPROTO: return "NFS version not supported by the server";
	case EINVAL: return "the kernel refused the mount options";
	case ENODEV: return "no NFS support in the kernel (module nfs / nfsv4 missing)";
	default: return strerror(e);
	}
}

/* Whether an attempt that failed with E is worth one with the next version. */
static bool try_next(int e)
{
	return e == EPROTONOSUPPORT || e == EPROTO || e == ENOENT || e == EINVAL || e == ENODEV || e == EOPNOTSUPP;
}

/* The mount options of one attempt at version VERS (ASKED: the user's own) into OUT. */
static int attempt_opts(const struct nfs_spec *s, const char *vers, bool asked, const char *addr, const char *client,
			char *out, size_t cap)
{
	struct nfs_spec t = *s;
	char kv[80];
	bool v4 = vers[0] == '4';
	snprintf(kv, sizeof(kv), "vers=%s", vers);
	if ((!asked && nfs_add_opts(&t, kv) < 0) || (!v4 && !nfs_opt_last(s, "lock", "nolock") && nfs_add_opts(&t, "nolock") < 0))
		return -E2BIG;
	snprintf(kv, sizeof(kv), "addr=%s", addr);
	if (nfs_add_opts(&t, kv) < 0)
		return -E2BIG;
	snprintf(kv, sizeof(kv), "clientaddr=%s", client);
	if (v4 && client[0] && !nfs_opt_last(s, "clientaddr=", NULL) && nfs_add_opts(&t, kv) < 0)
		return -E2BIG;
	snprintf(out, cap, "%s", t.opts);
	return 0;
}

/* Mount S on NFS_DIR: the version asked for, else 4.2, 4.1, 4.0, then 3 (not 3 for nfs4:). */
int nfs_mount(const struct nfs_spec *s, bool ro, unsigned timeout_s, const char *client)
{
	static const char *const all[] = {"4.2", "4.1", "4.0", "3"};
	char asked[16], addr[INET_ADDRSTRLEN], src[NFS_SERVER_MAX + NFS_PATH_MAX + 2], data[NFS_OPTS_MAX + 160];
	char tried[64] = "";
	int r, e = 0, worst = 0;
	nfs_opt_vers(s, asked, sizeof(asked));
	bool user = asked[0] && strcmp(asked, "4");
	const char *const *list = user ? (const char *const[]){asked} : all;
	size_t n = user ? 1 : !strcmp(asked, "4") ? 3 : 4;
	snprintf(src, sizeof(src), "%s:%s", s->server, s->path);
	if ((r = resolve(s->server, addr, sizeof(addr))) < 0)
		return r;
	if ((r = mkdir_p(NFS_DIR)) < 0)
		return log_errno(r, "nfs %s: mkdir %s", src, NFS_DIR);
	for (size_t i = 0; i < n; i++) {
		const char *v = list[i];
		if ((r = attempt_opts(s, v, user, addr, client, data, sizeof(data))) < 0)
			return log_err(r, "nfs %s: mount options too long", src);
		log_debug("nfs %s: mount -t %s -o %s%s", src, v[0] == '4' ? "nfs4" : "nfs", ro ? "ro," : "", data);
		e = -mount_bounded(src, v[0] == '4' ? "nfs4" : "nfs", ro ? MS_RDONLY : 0, data, timeout_s, src);
		snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s", i ? ", " : "", v);
		if (!e) {
			log_info("nfs %s: mounted with NFSv%s on %s, %s", src, v, NFS_DIR, ro ? "read-only" : "read-write");
			return 0;
		}
		log_debug("nfs %s: NFSv%s: %s", src, v, strerror(e));
		if (!worst || worst == EPROTONOSUPPORT || worst == EPROTO)
			worst = e; /* a missing path says more than a version mismatch */
		if (!try_next(e))
			break;
		while (e == ENOENT && v[0] == '4' && i + 1 < n && list[i + 1][0] == '4')
			i++; /* the server speaks v4 and has no such path: only v3 (real paths) may differ */
	}
	return log_err(-worst, "nfs %s: %s (NFSv%s tried)", src, cause(worst), tried);
}
