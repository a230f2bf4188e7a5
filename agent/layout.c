/* layout.c - archiso's layout rule */
#include "layout.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "log.h"

const struct layout_image layout_images[LAYOUT_IMAGES] = {{"airootfs.sfs", "squashfs"}, {"airootfs.erofs", "erofs"}};

/* uname's machine, asked once. */
const char *layout_machine(void)
{
	static struct utsname uts;
	if (!uts.machine[0] && uname(&uts) < 0)
		snprintf(uts.machine, sizeof(uts.machine), "unknown");
	return uts.machine;
}

/* <basedir>/<arch or machine> into OUT. */
int layout_dir(const struct layout *l, char *out, size_t cap)
{
	const char *arch = l->arch ? l->arch : layout_machine();
	int n = snprintf(out, cap, "%s/%s", l->basedir, arch);
	if (n < 0 || (size_t)n >= cap)
		return log_err(-ENAMETOOLONG, "cmdline archisobasedir=\"%s\" arch=\"%s\": path too long", l->basedir, arch);
	return 0;
}

/* The directory as the plan says it. */
const char *layout_shown(const struct layout *l)
{
	static char text[600];
	snprintf(text, sizeof(text), "%s/%s", l->basedir, l->arch ? l->arch : "<machine>");
	return text;
}

/* The first image of the layout that is there. */
int layout_find(const char *top, const char *dir, char *path, size_t cap)
{
	for (int i = 0; i < LAYOUT_IMAGES; i++) {
		struct stat st;
		int n = snprintf(path, cap, "%s/%s/%s", top, dir, layout_images[i].name);
		if (n < 0 || (size_t)n >= cap)
			return -ENAMETOOLONG;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return i;
	}
	return -ENOENT;
}
