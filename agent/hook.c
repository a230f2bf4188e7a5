/* hook.c - the script= hook. In the initramfs, while the network is up: the script is fetched
 * (http, https, tftp) into /run/pxeroot/script with the companions its checks need, or found in
 * the new root; checked with the image's rules (verify=y wants <script>.sig, cms_verify=y
 * <script>.cms.sig, pxeroot.script_sha512= pins its hash; checksum=y is the image's alone); then
 * armed to run once in the booted system: a systemd unit ordered after network-online.target
 * when the new root's init is systemd, else a child started just before init is exec'd. The
 * runner, a fixed sh script, logs the output and the exit status to /run/pxeroot/script.log and
 * the console. No value of the command line or of the network is ever given to a shell: the
 * network facts travel in the environment. */
#define _GNU_SOURCE
#include "hook.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "fetch/fetch.h"
#include "fetch/tftp.h"
#include "fsutil.h"
#include "log.h"
#include "net/net.h"
#include "paths.h"
#include "sink.h"
#include "switchroot.h"
#include "url.h"
#include "verify/checks.h"
#include "verify/file.h"

#define SCRIPT_MAX (16u << 20)   /* the largest script fetched, whatever the scheme (its companions: COMPANION_MAX) */
#define UNIT_DIR "/run/systemd/system"
#define ENV_MAX 12

static bool start_child;        /* hook_start forks the runner (no systemd in the new root) */
static char child_env[ENV_MAX][300];
static char *child_envp[ENV_MAX + 1];





/* URL into PATH by the transfer policy CFG (http, https or tftp), MAX bytes at most: a larger
 * file is refused (its size announced) or cut off there, and nothing of it is kept. */
static int get_file(const char *url, const struct fetch_config *cfg, const char *path, uint64_t max)
{
	if (!strncasecmp(url, "tftp://", 7))
		return tftp_fetch(url, cfg, path, max);
	for (int tries = 0; tries < 2; tries++) { /* -ESTALE: the file changed mid-way; once more from zero */
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return log_errno(-errno, "script: create %s", path);
		struct file_sink fs;
		file_sink_init(&fs, fd, path);
		struct fetch_req rq = {.cfg = cfg, .path = url, .sinks = &fs.s, .max = max};
		int r = fetch_file(&rq);
		close(fd);
		if (r != -ESTALE) {
			if (r < 0)
				unlink(path);
			return r;
		}
	}
	unlink(path);
	return -ESTALE;
}

/* The script at URL and the companions T asks for into HOOK_SCRIPT and beside it. */
static int fetch_script(const char *url, const struct fetch_config *cfg, const struct trust *t)
{
	const char *suffix[2] = {t->gpg ? ".sig" : NULL, t->cms ? ".cms.sig" : NULL};
	int r = get_file(url, cfg, HOOK_SCRIPT, SCRIPT_MAX);
	for (int i = 0; r == 0 && i < 2; i++) {
		char curl[2048], local[sizeof(HOOK_SCRIPT) + 16];
		if (!suffix[i])
			continue;
		if (image_companion_url(url, suffix[i], curl, sizeof(curl)) < 0)
			return log_err(-ENAMETOOLONG, "script %s: URL too long", url);
		snprintf(local, sizeof(local), "%s%s", HOOK_SCRIPT, suffix[i]);
		if (get_file(curl, cfg, local, COMPANION_MAX) < 0)
			return -ENOKEY; /* the fetch line names it */
	}
	return r;
}

/* Whether the file PATH hashes to the pinned SHA512. */
static int pin_matches(const char *path, const uint8_t want[64])
{
	struct hash_sink hs;
	uint8_t buf[65536], md[EVP_MAX_MD_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;
	if (fd < 0)
		return log_errno(-errno, "script: open %s", path);
	if ((r = hash_sink_init(&hs, EVP_sha512())) < 0) {
		close(fd);
		return r;
	}
	for (ssize_t n; (n = read(fd, buf, sizeof(buf))) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = log_errno(-errno, "script: read %s", path);
			break;
		}
		hs.s.write(&hs.s, buf, (size_t)n);
	}
	close(fd);
	unsigned len = hash_sink_final(&hs, md);
	hash_sink_free(&hs);
	if (r == 0 && (len != 64 || memcmp(md, want, 64)))
		r = -EBADMSG;
	return r;
}

/* Set one NAME=VALUE of the environment the script gets (values of safe characters only: they
 * go into systemd's EnvironmentFile= too). */
static void env_add(size_t *n, const char *name, const char *value)
{
	if (!value || !*value || *n >= ENV_MAX)
		return;
	for (const char *p = value; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._:/@%+=,-?&~", *p))
			return;
	snprintf(child_env[*n], sizeof(child_env[0]), "%s=%s", name, value);
	child_envp[*n] = child_env[*n];
	child_envp[++*n] = NULL;
}

/* The network facts for the script: the first configured interface, its address, gateway and
 * server, archiso's pxeserver; SCRIPT, where it came from. */
static void env_build(const char *script, const struct net_result *net)
{
	size_t n = 0;
	char a[INET_ADDRSTRLEN], cidr[INET_ADDRSTRLEN + 4];
	child_envp[0] = NULL;
	env_add(&n, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(&n, "PXEROOT_SCRIPT", script);
	if (net && net->n) {
		const struct net_iface *i = &net->ifs[0];
		const struct dhcp_lease *l = &i->lease;
		env_add(&n, "PXEROOT_IFACE", i->nic.name);
		inet_ntop(AF_INET, &l->addr, a, sizeof(a));
		uint32_t mask = ntohl(l->netmask.s_addr);
		snprintf(cidr, sizeof(cidr), "%s/%d", a, __builtin_popcount(mask));
		env_add(&n, "PXEROOT_ADDRESS", l->addr.s_addr ? cidr : NULL);
		env_add(&n, "PXEROOT_GATEWAY", l->router.s_addr ? inet_ntop(AF_INET, &l->router, a, sizeof(a)) : NULL);
		env_add(&n, "PXEROOT_SERVER", l->server_id.s_addr ? inet_ntop(AF_INET, &l->server_id, a, sizeof(a)) : NULL);
		env_add(&n, "PXEROOT_METHOD", i->method == IPC_DHCP ? "dhcp" : "static");
		env_add(&n, "pxeserver", net->pxeserver);
	}
}

/* Write TEXT into PATH (MODE), whole or not at all. */
static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);
	if (fd < 0)
		return log_errno(-errno, "script: create %s", path);
	ssize_t w = write(fd, text, len);
	int e = errno;
	if (close(fd) < 0 && w == (ssize_t)len)
		return log_errno(-errno, "script: close %s", path);
	return w == (ssize_t)len ? 0 : log_errno(w < 0 ? -e : -EIO, "script: write %s", path);
}

/* The runner: the script once (sh when it is not executable), its output and exit status to
 * HOOK_LOG and to the console. It holds no value from outside: the script's path comes in
 * PXEROOT_SCRIPT_FILE. */
static int write_runner(void)
{
	return write_file(HOOK_RUNNER,
			  "#!/bin/sh\n"
			  "# pxeroot: runs the script= hook once; output and exit status to " HOOK_LOG "\n"
			  "f=$PXEROOT_SCRIPT_FILE\n"
			  "{\n"
			  "\tif [ -x \"$f\" ]; then \"$f\"; else /bin/sh \"$f\"; fi\n"
			  "\techo \"pxeroot: script $PXEROOT_SCRIPT exited with status $?\"\n"
			  "} </dev/null 2>&1 | tee -a " HOOK_LOG "\n",
			  0700);
}

/* Whether INIT, inside NEWROOT, is systemd (/sbin/init is usually a link to it). */
static bool is_systemd(const char *newroot, const char *init)
{
	char path[PATH_MAX];
	struct stat st;
	if (switchroot_resolve(newroot, init, path, sizeof(path), &st) < 0)
		return false;
	const char *base = strrchr(path, '/');
	return base && !strcmp(base + 1, "systemd");
}

/* systemd's unit for the runner, wanted by multi-user.target, after network-online.target. */
static int write_unit(void)
{
	char env[ENV_MAX * 320] = "", path[PATH_MAX];
	size_t n = 0;
	for (size_t i = 0; child_envp[i]; i++)
		n += (size_t)snprintf(env + n, sizeof(env) - n, "%s\n", child_envp[i]);
	int r = write_file(HOOK_ENV, env, 0600);
	if (r < 0 || (r = mkdir_p(UNIT_DIR "/multi-user.target.wants")) < 0)
		return r < 0 ? r : log_errno(r, "script: mkdir %s", UNIT_DIR);
	r = write_file(UNIT_DIR "/" HOOK_UNIT,
		       "[Unit]\n"
		       "Description=pxeroot script= hook\n"
		       "Wants=network-online.target\n"
		       "After=network-online.target\n"
		       "\n"
		       "[Service]\n"
		       "Type=oneshot\n"
		       "RemainAfterExit=yes\n"
		       "EnvironmentFile=" HOOK_ENV "\n"
		       "ExecStart=/bin/sh " HOOK_RUNNER "\n"
		       "StandardOutput=journal+console\n"
		       "StandardError=journal+console\n",
		       0644);
	snprintf(path, sizeof(path), "%s/multi-user.target.wants/%s", UNIT_DIR, HOOK_UNIT);
	unlink(path);
	if (r == 0 && symlink("../" HOOK_UNIT, path) < 0)
		r = log_errno(-errno, "script: link %s", path);
	return r;
}

/* A script that will not run: one line; a failure only when it is required, and then that line is
 * the error line (the reason `pxeroot mount` hands on). */
static int not_run(const struct hook_plan *h, int r, const char *why)
{
	char line[1024]; /* a log line holds no more */
	snprintf(line, sizeof(line), "script %s: not run: %s", h->script, why);
	unlink(HOOK_SCRIPT);
	if (h->required)
		return log_err(r < 0 ? r : -EIO, "%s (pxeroot.script_required=1)", line);
	log_info("%s; the boot goes on", line);
	return 0;
}

/* Get, check and arm the hook. */
int hook_prepare(const struct hook_plan *h, const struct trust *trust, const struct fetch_config *fetch,
		 const struct net_result *net, const char *newroot, const char *init, bool starts_init)
{
	struct trust t = *trust;
	char url[2048], file[PATH_MAX];
	struct stat st;
	int r;
	start_child = false;
	if (!h->script)
		return 0;
	t.sha512 = false; /* checksum=y is about the image's .sha512 list */
	if (h->url) {
		if (url_expand_pxeserver(h->script, net ? net->pxeserver : NULL, url, sizeof(url)) < 0)
			return not_run(h, -EINVAL, "${pxeserver} is unknown or the URL too long");
		if ((r = fetch_script(url, fetch, &t)) < 0)
			return not_run(h, r, r == -ENOKEY ? (t.gpg ? "its signature cannot be fetched (verify=y or cms_verify=y asks for it)"
								    : "its signature cannot be fetched (cms_verify=y asks for it)")
							  : "it cannot be fetched (the line above says why)");
		snprintf(file, sizeof(file), "%s", HOOK_SCRIPT);
		if (chmod(HOOK_SCRIPT, 0700) < 0) /* executed as it is: its #! line picks the interpreter */
			return not_run(h, -errno, "it cannot be made executable");
	} else {
		snprintf(url, sizeof(url), "%s", h->script);
		snprintf(file, sizeof(file), "%s%s", newroot, h->script);
		if (stat(file, &st) < 0 || !S_ISREG(st.st_mode))
			return not_run(h, -ENOENT, "no such file in the new root");
	}
	if ((t.gpg || t.cms) && (r = verify_file(file, &t, NULL, NULL)) < 0)
		return not_run(h, r, t.gpg && t.cms ? "it failed verify=y or cms_verify=y" : t.gpg ? "it failed verify=y" : "it failed cms_verify=y");
	if (h->pinned && (r = pin_matches(file, h->sha512)) < 0)
		return not_run(h, r, r == -EBADMSG ? "its sha512 is not pxeroot.script_sha512=" : "it cannot be read");
	log_info("script %s: %s%s%s", h->script, h->url ? "fetched" : "found", t.gpg || t.cms ? ", signature ok" : "",
		 h->pinned ? ", sha512 ok" : "");
	env_build(url, net);
	size_t n = 0;
	while (child_envp[n])
		n++;
	snprintf(child_env[n], sizeof(child_env[0]), "PXEROOT_SCRIPT_FILE=%s", h->url ? HOOK_SCRIPT : h->script);
	child_envp[n] = child_env[n];
	child_envp[n + 1] = NULL;
	if ((r = write_runner()) < 0)
		return not_run(h, r, "its runner cannot be written");
	if (is_systemd(newroot, init)) {
		if ((r = write_unit()) < 0)
			return not_run(h, r, "its systemd unit cannot be written");
		log_info("script %s: runs after network-online.target (systemd unit %s/%s)", h->script, UNIT_DIR, HOOK_UNIT);
	} else if (!starts_init) {
		return not_run(h, -ENOTSUP, "the new root has no systemd, and its init is started by the initramfs's own (mkinitcpio, dracut)");
	} else {
		start_child = true;
		log_info("script %s: runs as init starts; output in %s", h->script, HOOK_LOG);
	}
	return 0;
}

/* Remove what hook_prepare left: the script and its companions, the runner, its environment,
 * the systemd unit and its link. */
void hook_undo(void)
{
	static const char *const left[] = {HOOK_SCRIPT, HOOK_SCRIPT ".sig", HOOK_SCRIPT ".cms.sig", HOOK_RUNNER, HOOK_ENV,
					   UNIT_DIR "/multi-user.target.wants/" HOOK_UNIT, UNIT_DIR "/" HOOK_UNIT};
	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++)
		unlink(left[i]);
	start_child = false;
}

/* Fork the runner; the new init will be its parent. */
void hook_start(void)
{
	if (!start_child)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"/bin/sh", HOOK_RUNNER, NULL};
		setsid();
		execve(argv[0], argv, child_envp);
		_exit(127);
	}
	if (pid < 0)
		log_errno(-errno, "script: fork");
}
