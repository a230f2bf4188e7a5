/* http.c - fetch the root image over HTTP(S) into a tmpfs, verifying it in the same pass.
 *
 * archiso: <archiso_http_srv><archisobasedir>/<arch>/airootfs.sfs, ${pxeserver} replaced by the
 * DHCP next-server (plain substitution, never a shell). dracut: root=live:<url>. Mirrors
 * (pxeroot.mirror=) stand in for archiso_http_srv=, or for the directory of a live URL. The download and
 * its checks are image_fetch()'s; a refused image is deleted and its tmpfs unmounted. */
#define _GNU_SOURCE
#include "source/http.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fetch/image.h"
#include "url.h"
#include "fsutil.h"
#include "log.h"
#include "meminfo.h"
#include "mount/mount.h"
#include "source/room.h"

/* Copy SRC to OUT replacing every "${pxeserver}" with PXESERVER; -ENAMETOOLONG if it does not fit,
 * -ENXIO if a substitution is needed but no server is known. */
static int expand_pxeserver(const char *src, const char *pxeserver, char *out, size_t cap)
{
	static const char var[] = "${pxeserver}";
	size_t o = 0;
	while (*src) {
		const char *piece = src;
		size_t plen = 1;
		if (!strncmp(src, var, sizeof(var) - 1)) {
			if (!pxeserver || !*pxeserver)
				return -ENXIO;
			piece = pxeserver;
			plen = strlen(pxeserver);
			src += sizeof(var) - 1;
		} else {
			src++;
		}
		if (o + plen >= cap)
			return -ENAMETOOLONG;
		memcpy(out + o, piece, plen);
		o += plen;
	}
	out[o] = '\0';
	return 0;
}

/* Build the image URL; *SPLIT is where the part a mirror replaces ends (after the '/' that ends
 * archiso_http_srv=, or after the last '/' of a live URL's path). */
static int image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap,
		     size_t *split)
{
	const char *raw = plan->live_url ? plan->live_url : plan->http_srv;
	char base[2048];
	int r = expand_pxeserver(raw, pxeserver, base, sizeof(base));
	if (r == -ENXIO)
		return log_err(-EINVAL, "cmdline %s: uses ${pxeserver} but no boot server is known (DHCP next-server or the server field of ip=)", raw);
	if (r < 0)
		return log_err(r, "cmdline %s: URL too long", raw);
	bool slash = base[0] && base[strlen(base) - 1] == '/';
	if (plan->live_url) {
		r = snprintf(url, cap, "%s", base);
		*split = url_dir_len(base);
	} else { /* archiso wants the trailing '/'; supply it when it was left out */
		r = snprintf(url, cap, "%s%s%s/%s/airootfs.sfs", base, slash ? "" : "/", plan->basedir,
			     plan->arch ? plan->arch : machine);
		*split = strlen(base) + !slash;
	}
	if (r < 0 || (size_t)r >= cap)
		return log_err(-ENAMETOOLONG, "cmdline %s: URL too long", raw);
	return 0;
}

/* Build the image URL. */
int http_image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap)
{
	size_t split;
	return image_url(plan, pxeserver, machine, url, cap, &split);
}

/* The image's mirror list into SRC: the base of URL (its first SPLIT bytes), then every
 * pxeroot.mirror= with ${pxeserver} replaced and a '/' ensured at its end. */
static int http_mirrors(const struct plan *plan, const char *pxeserver, const char *url, size_t split,
			struct http_src *src)
{
	src->m = (struct mirrors){.n = 1};
	snprintf(src->base[0], sizeof(src->base[0]), "%.*s", (int)split, url);
	snprintf(src->path, sizeof(src->path), "%s", url + split);
	for (unsigned i = 0; i < plan->nmirrors; i++) {
		char *b = src->base[src->m.n];
		int r = expand_pxeserver(plan->mirrors[i], pxeserver, b, sizeof(src->base[0]) - 1);
		if (r < 0) {
			src->m.n = 0;
			return log_err(-EINVAL, "cmdline pxeroot.mirror=\"%s\": %s", plan->mirrors[i],
				       r == -ENXIO ? "uses ${pxeserver} but no boot server is known" : "URL too long");
		}
		if (b[0] && b[strlen(b) - 1] != '/')
			strcat(b, "/");
		src->m.n++;
	}
	for (unsigned i = 0; i < src->m.n; i++)
		src->m.base[i] = src->base[i];
	return 0;
}

/* RAM budget, called with the size the server announced before any byte is kept: the image
 * must fit in the image tmpfs, and in the memory available with RAM_HEADROOM to spare. */
static int fits_in_ram(void *ctx, const char *url, uint64_t size)
{
	const struct plan *plan = ctx;
	struct statvfs vfs;
	uint64_t total, avail, mib = 1024 * 1024;
	uint64_t need = size + RAM_HEADROOM;
	if (meminfo(&total, &avail) == 0 && need > avail * 1024)
		return log_err(-EFBIG, "fetch %s: the image is %" PRIu64 " MiB; it needs %" PRIu64 " MiB of RAM (the image and %d MiB for the overlay and buffers) but %" PRIu64 " MiB are available",
			       url, (size + mib - 1) / mib, (need + mib - 1) / mib, (int)(RAM_HEADROOM / mib), avail / 1024);
	if (statvfs(IMG_DIR, &vfs) == 0 && size > (uint64_t)vfs.f_bavail * vfs.f_frsize)
		return log_err(-EFBIG, "fetch %s: the image is %" PRIu64 " MiB but the image tmpfs (archiso_http_spc=%s) has %" PRIu64 " MiB free",
			       url, (size + mib - 1) / mib, plan->http_spc, (uint64_t)vfs.f_bavail * vfs.f_frsize / mib);
	return 0;
}

/* archiso's fallback: when airootfs.sfs is missing (404 from every base) and airootfs.erofs is
 * there, switch SRC's path and PATH (CAP bytes) to it. Asked only after the .sfs fetch failed
 * (its companions come first, so the failure may name them), so a normal boot makes no extra
 * request. */
static bool erofs_instead(struct http_src *src, char *path, size_t cap)
{
	size_t n = strlen(src->path), ext = sizeof(".sfs") - 1;
	struct fetch_req sfs = {.m = &src->m, .path = src->path, .head = true};
	if (n < ext || strcmp(src->path + n - ext, ".sfs") || n - ext + sizeof(".erofs") > sizeof(src->path) ||
	    fetch_file(&sfs) != -ENOENT)
		return false;
	char erofs[sizeof(src->path)];
	snprintf(erofs, sizeof(erofs), "%.*s.erofs", (int)(n - ext), src->path);
	struct fetch_req probe = {.m = &src->m, .path = erofs, .head = true};
	if (fetch_file(&probe) < 0)
		return false;
	log_info("fetch: no airootfs.sfs, using %s", probe.url);
	memcpy(src->path, erofs, sizeof(erofs));
	char *slash = strrchr(path, '/');
	if (slash)
		snprintf(slash + 1, cap - (size_t)(slash + 1 - path), "airootfs.erofs");
	return true;
}

/* The HTTP source stage. */
int http_get_root(const struct plan *plan, const struct net_result *net, char *path, size_t cap)
{
	char url[2048], name[256];
	struct utsname uts;
	size_t split;
	static struct http_src src; /* mirror marks persist across retries of the stage */
	uname(&uts);
	int r = image_url(plan, net->pxeserver, uts.machine, url, sizeof(url), &split);
	if (r < 0 || (!src.m.n && (r = http_mirrors(plan, net->pxeserver, url, split, &src)) < 0))
		return r;
	if (url_basename(src.path, name, sizeof(name)) < 0) /* src.path: the .erofs after a fallback */
		return log_err(-EINVAL, "fetch %s: no file name in the URL", url);
	uint64_t idle_kb = mem_used_kb();
	if ((r = mount_tmpfs(IMG_DIR, plan->http_spc, "image")) < 0)
		return r;
	snprintf(path, cap, "%s/%s", IMG_DIR, name);
	struct fetch_req rq = {.m = &src.m, .path = src.path, .label = name, .on_size = fits_in_ram,
			       .on_unpacked = http_unpacked_fits, .ctx = (void *)plan};
	r = image_fetch(&rq, &plan->trust, path);
	if (r < 0 && !plan->live_url && erofs_instead(&src, path, cap)) {
		url_basename(src.path, name, sizeof(name));
		r = image_fetch(&rq, &plan->trust, path);
	}
	if (r < 0) {
		umount_quiet(IMG_DIR);
		return r;
	}
	struct stat st; /* the image as kept: unpacked, when it came compressed */
	uint64_t img = (stat(path, &st) == 0 ? (uint64_t)st.st_size : rq.size) / 1024;
	uint64_t peak = rq.mem_peak_kb > idle_kb ? rq.mem_peak_kb - idle_kb : 0;
	log_info("memory: %" PRIu64 " KiB in use before the download, %" PRIu64 " KiB more at most during it, for a %" PRIu64 " KiB image (%+" PRId64 " KiB over the image)",
		 idle_kb, peak, img, (int64_t)peak - (int64_t)img);
	return 0;
}
