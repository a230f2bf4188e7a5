/* http.c - fetch the root image over HTTP(S) into a tmpfs, verifying it in the same pass.
 *
 * archiso: <archiso_http_srv><archisobasedir>/<arch>/airootfs.sfs, ${pxeserver} replaced by the
 * DHCP next-server (plain substitution, never a shell). dracut: root=live:<url>. The download and
 * its checks are image_fetch()'s; a refused image is deleted and its tmpfs unmounted. */
#define _GNU_SOURCE
#include "http.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../image.h"
#include "../log.h"
#include "../mount.h"

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

/* Build the image URL. */
int http_image_url(const struct plan *plan, const char *pxeserver, const char *machine, char *url, size_t cap)
{
	const char *raw = plan->live_url ? plan->live_url : plan->http_srv;
	char base[2048];
	int r = expand_pxeserver(raw, pxeserver, base, sizeof(base));
	if (r == -ENXIO)
		return log_err(-EINVAL, "cmdline %s: uses ${pxeserver} but no boot server is known (DHCP next-server or the server field of ip=)", raw);
	if (r < 0)
		return log_err(r, "cmdline %s: URL too long", raw);
	if (plan->live_url)
		r = snprintf(url, cap, "%s", base);
	else /* archiso wants the trailing '/'; supply it when it was left out */
		r = snprintf(url, cap, "%s%s%s/%s/airootfs.sfs", base, base[0] && base[strlen(base) - 1] == '/' ? "" : "/",
			     plan->basedir, plan->arch ? plan->arch : machine);
	if (r < 0 || (size_t)r >= cap)
		return log_err(-ENAMETOOLONG, "cmdline %s: URL too long", raw);
	return 0;
}

/* The HTTP source stage. */
int http_get_root(const struct plan *plan, const struct net_result *net, char *path, size_t cap)
{
	char url[2048], name[256];
	struct utsname uts;
	uname(&uts);
	int r = http_image_url(plan, net->pxeserver, uts.machine, url, sizeof(url));
	if (r < 0)
		return r;
	if (url_basename(url, name, sizeof(name)) < 0)
		return log_err(-EINVAL, "fetch %s: no file name in the URL", url);
	if ((r = mount_tmpfs(IMG_DIR, plan->http_spc, "image")) < 0)
		return r;
	snprintf(path, cap, "%s/%s", IMG_DIR, name);
	r = image_fetch(url, &plan->trust, path, name);
	if (r < 0)
		umount_quiet(IMG_DIR);
	return r;
}
