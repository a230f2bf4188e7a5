/* devspec.c - the device a command line names, as a tag or a node, and matching it against
 * what libblkid found. udev's /dev/disk/by-* links are read as their tags: without udev in the
 * initramfs they do not exist, and the tag is what they stand for. */
#define _GNU_SOURCE
#include "source/devspec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The tags and by-* links, and the kind each names. */
static const struct {
	const char *prefix;
	enum devspec_kind kind;
	bool escaped; /* a udev link name: \xHH stands for a byte */
} forms[] = {
	{"LABEL=", DEV_LABEL, false},
	{"CDLABEL=", DEV_LABEL, false},
	{"UUID=", DEV_UUID, false},
	{"PARTUUID=", DEV_PARTUUID, false},
	{"PARTLABEL=", DEV_PARTLABEL, false},
	{"/dev/disk/by-label/", DEV_LABEL, true},
	{"/dev/disk/by-uuid/", DEV_UUID, true},
	{"/dev/disk/by-partuuid/", DEV_PARTUUID, true},
	{"/dev/disk/by-partlabel/", DEV_PARTLABEL, true},
};

/* The value of a hex digit, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copy S into OUT (CAP bytes), undoing udev's \xHH escapes when ESCAPED; -EINVAL if it does not fit. */
static int copy_value(const char *s, bool escaped, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s; s++) {
		int hi, lo;
		char c = *s;
		if (escaped && c == '\\' && s[1] == 'x' && (hi = hexval(s[2])) >= 0 && (lo = hexval(s[3])) >= 0) {
			c = (char)(hi << 4 | lo);
			s += 3;
		}
		if (c == '\0' || n + 1 >= cap)
			return -EINVAL;
		out[n++] = c;
	}
	out[n] = '\0';
	return n ? 0 : -EINVAL;
}

/* Tag, by-* link or node. */
int devspec_parse(const char *s, struct devspec *d)
{
	*d = (struct devspec){0};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = strlen(forms[i].prefix);
		if (!strncmp(s, forms[i].prefix, n)) {
			d->kind = forms[i].kind;
			return copy_value(s + n, forms[i].escaped, d->value, sizeof(d->value));
		}
	}
	if (strncmp(s, "/dev/", 5) || !s[5] || strstr(s, "/../") || strlen(s) >= 64)
		return -EINVAL;
	d->kind = DEV_PATH;
	return copy_value(s, false, d->value, sizeof(d->value));
}

/* Compare by kind. */
bool devspec_match(const struct devspec *spec, const struct devinfo *d)
{
	switch (spec->kind) {
	case DEV_PATH:
		return !strcmp(spec->value, d->dev);
	case DEV_LABEL:
		return d->type[0] && !strcmp(spec->value, d->label);
	case DEV_UUID:
		return d->type[0] && !strcasecmp(spec->value, d->uuid);
	case DEV_PARTUUID:
		return d->partuuid[0] && !strcasecmp(spec->value, d->partuuid);
	case DEV_PARTLABEL:
		return d->partlabel[0] && !strcmp(spec->value, d->partlabel);
	}
	return false;
}

/* KIND=value, or the node. */
const char *devspec_str(const struct devspec *spec, char *buf, size_t cap)
{
	static const char *const tag[] = {[DEV_PATH] = "", [DEV_LABEL] = "LABEL=", [DEV_UUID] = "UUID=",
					  [DEV_PARTUUID] = "PARTUUID=", [DEV_PARTLABEL] = "PARTLABEL="};
	snprintf(buf, cap, "%s%s", tag[spec->kind], spec->value);
	return buf;
}
