/* nfs_spec.c - the NFS root syntaxes, read into one struct (see nfs_spec.h).
 *
 * Kernel (Documentation/admin-guide/nfs/nfsroot.rst): nfsroot=[<server-ip>:]<root-dir>[,<nfs-options>],
 * the root-dir "/tftpboot/%s" when empty, a value not starting with '/', ',' or a digit taken
 * under /tftpboot/. dracut (dracut.cmdline(7)): nfs:[<server>:]<path>[:<options>], nfs4:…,
 * nfs://<server>/<path>. archiso: archiso_nfs_srv=[<server>:]<path>, archiso_nfs_opt=<options>.
 * Every piece is checked to be plain text the kernel's option parser reads as intended: no
 * spaces, quotes or control characters, a path that starts with '/'. */
#define _GNU_SOURCE
#include "source/nfs_spec.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_PATH "/tftpboot/%s"

/* Set WHY to the formatted reason and return -EINVAL. */
__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Copy the N bytes at P into OUT (CAP bytes); false when they do not fit. */
static bool put(char *out, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* Whether the N bytes at P are printable and hold no space, quote or backslash. */
static bool plain(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)p[i]) || p[i] == '"' || p[i] == '\'' || p[i] == '\\')
			return false;
	return true;
}

/* A server name or IPv4 address: letters, digits, '.', '-'. */
static bool server_ok(const char *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '.' && p[i] != '-')
			return false;
	return true;
}

/* Store the server (N bytes at P) in OUT, checked. */
static int set_server(struct nfs_spec *out, const char *p, size_t n, char *why, size_t cap)
{
	if (!server_ok(p, n) || !put(out->server, sizeof(out->server), p, n))
		return bad(why, cap, "\"%.*s\" is not a server name or IPv4 address", (int)n, p);
	return 0;
}

/* Store the path (N bytes at P) in OUT, checked; an empty one is DEFAULT_PATH when DEF. */
static int set_path(struct nfs_spec *out, const char *p, size_t n, bool def, char *why, size_t cap)
{
	if (!n && def)
		p = DEFAULT_PATH, n = strlen(DEFAULT_PATH);
	if (!n || p[0] != '/')
		return bad(why, cap, "the export path must start with '/'");
	if (!plain(p, n) || memchr(p, ',', n))
		return bad(why, cap, "the export path holds a space, quote, comma or control character");
	if (!put(out->path, sizeof(out->path), p, n))
		return bad(why, cap, "the export path is longer than %d bytes", NFS_PATH_MAX - 1);
	return 0;
}

/* Append options OPTS (comma-separated) to S's. */
int nfs_add_opts(struct nfs_spec *s, const char *more)
{
	while (more && *more == ',')
		more++;
	size_t n = more ? strlen(more) : 0, have = strlen(s->opts);
	while (n && more[n - 1] == ',')
		n--;
	if (!n)
		return 0;
	if (have + (have > 0) + n >= sizeof(s->opts))
		return -E2BIG;
	if (have)
		s->opts[have++] = ',';
	memcpy(s->opts + have, more, n);
	s->opts[have + n] = '\0';
	return 0;
}

/* Options (N bytes at P) checked and appended to OUT. */
static int set_opts(struct nfs_spec *out, const char *p, size_t n, char *why, size_t cap)
{
	char tmp[NFS_OPTS_MAX];
	if (!plain(p, n))
		return bad(why, cap, "the mount options hold a space, quote or control character");
	if (!put(tmp, sizeof(tmp), p, n) || nfs_add_opts(out, tmp) < 0)
		return bad(why, cap, "the mount options are longer than %d bytes", NFS_OPTS_MAX - 1);
	return 0;
}

/* kernel: [<server-ip>:]<path>[,<options>] */
int nfs_parse_kernel(const char *v, struct nfs_spec *out, char *why, size_t cap)
{
	char buf[NFS_PATH_MAX + NFS_OPTS_MAX];
	*out = (struct nfs_spec){0};
	if (!plain(v, strlen(v)))
		return bad(why, cap, "holds a space, quote or control character");
	bool as_is = v[0] == '/' || v[0] == ',' || isdigit((unsigned char)v[0]) || !v[0];
	if (snprintf(buf, sizeof(buf), "%s%s", as_is ? "" : "/tftpboot/", v) >= (int)sizeof(buf))
		return bad(why, cap, "longer than %zu bytes", sizeof(buf) - 1);
	const char *p = buf, *colon = strchr(buf, ':'), *comma;
	struct in_addr a;
	char ip[INET_ADDRSTRLEN];
	if (colon && (size_t)(colon - p) < sizeof(ip) && put(ip, sizeof(ip), p, (size_t)(colon - p)) &&
	    inet_pton(AF_INET, ip, &a) == 1) {
		snprintf(out->server, sizeof(out->server), "%s", ip);
		p = colon + 1;
	}
	comma = strchr(p, ',');
	size_t plen = comma ? (size_t)(comma - p) : strlen(p);
	int r = set_path(out, p, plen, true, why, cap);
	if (r == 0 && comma)
		r = set_opts(out, comma + 1, strlen(comma + 1), why, cap);
	return r;
}

/* dracut's [<server>:]<path>[:<options>] after the nfs: / nfs4: prefix. */
static int dracut_colon_form(const char *p, struct nfs_spec *out, char *why, size_t cap)
{
	const char *c = strchr(p, ':');
	int r;
	if (p[0] != '/') { /* a server first */
		if (!c)
			return bad(why, cap, "no export path (nfs:[server:]/path[:options])");
		if ((r = set_server(out, p, (size_t)(c - p), why, cap)) < 0)
			return r;
		p = c + 1;
		c = strchr(p, ':');
	}
	if ((r = set_path(out, p, c ? (size_t)(c - p) : strlen(p), false, why, cap)) < 0)
		return r;
	return c ? set_opts(out, c + 1, strlen(c + 1), why, cap) : 0;
}

/* dracut's nfs://<server>/<path> */
static int dracut_url_form(const char *p, struct nfs_spec *out, char *why, size_t cap)
{
	const char *slash = strchr(p, '/');
	int r;
	if (!slash)
		return bad(why, cap, "no export path (nfs://server/path)");
	if ((r = set_server(out, p, (size_t)(slash - p), why, cap)) < 0)
		return r;
	return set_path(out, slash, strlen(slash), false, why, cap);
}

/* dracut: nfs:, nfs4:, nfs:// */
int nfs_parse_dracut(const char *v, struct nfs_spec *out, char *why, size_t cap)
{
	*out = (struct nfs_spec){0};
	if (!strncmp(v, "nfs://", 6))
		return dracut_url_form(v + 6, out, why, cap);
	if (!strncmp(v, "nfs4:", 5)) {
		out->v4 = true;
		return dracut_colon_form(v + 5, out, why, cap);
	}
	if (!strncmp(v, "nfs:", 4))
		return dracut_colon_form(v + 4, out, why, cap);
	return -ENOENT;
}

/* archiso: [<server>:]<path> and its options. */
int nfs_parse_archiso(const char *srv, const char *opt, struct nfs_spec *out, char *why, size_t cap)
{
	*out = (struct nfs_spec){0};
	const char *c = strchr(srv, ':');
	int r;
	if (srv[0] != '/' && c && (r = set_server(out, srv, (size_t)(c - srv), why, cap)) < 0)
		return r;
	const char *p = srv[0] != '/' && c ? c + 1 : srv;
	if ((r = set_path(out, p, strlen(p), false, why, cap)) < 0)
		return r;
	return opt ? set_opts(out, opt, strlen(opt), why, cap) : 0;
}

/* The first %s of the path becomes WHO. */
int nfs_expand_path(struct nfs_spec *s, const char *who)
{
	char *at = strstr(s->path, "%s"), out[NFS_PATH_MAX];
	if (!at)
		return 0;
	int n = snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - s->path), s->path, who, at + 2);
	if (n < 0 || (size_t)n >= sizeof(out))
		return -ENAMETOOLONG;
	memcpy(s->path, out, (size_t)n + 1);
	return 0;
}

/* Call FN(word, length, ctx) for each comma-separated word of S's options. */
static void each_opt(const struct nfs_spec *s, void (*fn)(const char *w, size_t n, void *ctx), void *ctx)
{
	for (const char *p = s->opts; *p;) {
		size_t n = strcspn(p, ",");
		if (n)
			fn(p, n, ctx);
		p += n + (p[n] == ',');
	}
}

struct vers_ctx {
	char *out;
	size_t cap;
};

/* vers=N, nfsvers=N, v2, v3, v4, v4.N */
static void vers_word(const char *w, size_t n, void *ctx)
{
	struct vers_ctx *c = ctx;
	const char *val = NULL;
	size_t vn = 0;
	if (n > 5 && !strncmp(w, "vers=", 5))
		val = w + 5, vn = n - 5;
	else if (n > 8 && !strncmp(w, "nfsvers=", 8))
		val = w + 8, vn = n - 8;
	else if (n >= 2 && w[0] == 'v' && isdigit((unsigned char)w[1]))
		val = w + 1, vn = n - 1;
	if (val)
		snprintf(c->out, c->cap, "%.*s", (int)vn, val);
}

/* The version asked for. */
void nfs_opt_vers(const struct nfs_spec *s, char *out, size_t cap)
{
	struct vers_ctx c = {out, cap};
	snprintf(out, cap, "%s", s->v4 ? "4" : "");
	each_opt(s, vers_word, &c);
}

struct last_ctx {
	const char *on, *off;
	int last;
};

/* Match a word (or a "name=" prefix) against ON and OFF. */
static void last_word(const char *w, size_t n, void *ctx)
{
	struct last_ctx *c = ctx;
	size_t on = strlen(c->on);
	bool keyed = on && c->on[on - 1] == '=';
	if (keyed ? n >= on && !strncmp(w, c->on, on) : n == on && !strncmp(w, c->on, n))
		c->last = 1;
	else if (c->off && n == strlen(c->off) && !strncmp(w, c->off, n))
		c->last = 0;
}

/* The last of NAME and OFF. */
int nfs_opt_last(const struct nfs_spec *s, const char *name, const char *off)
{
	struct last_ctx c = {name, off, 0};
	each_opt(s, last_word, &c);
	return c.last;
}
