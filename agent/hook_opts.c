/* hook_opts.c - the script= hook's options: script=, pxeroot.script_sha512=,
 * pxeroot.script_required=. No I/O: getting, checking and arming the script is hook.c's. */
#include "hook.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "options.h"

/* Whether V starts with one of the schemes a script may come by. */
static bool script_url(const char *v)
{
	return !strncasecmp(v, "http://", 7) || !strncasecmp(v, "https://", 8) || !strncasecmp(v, "tftp://", 7);
}

/* Parse 128 hex digits into OUT; 0 or -EINVAL. */
static int parse_sha512(const char *v, uint8_t out[64])
{
	if (strlen(v) != 128)
		return -EINVAL;
	for (int i = 0; i < 64; i++) {
		unsigned b;
		if (!isxdigit((unsigned char)v[2 * i]) || !isxdigit((unsigned char)v[2 * i + 1]) || sscanf(v + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = (uint8_t)b;
	}
	return 0;
}

/* script=, pxeroot.script_sha512=, pxeroot.script_required=. */
int hook_claim(const struct cmdline *cl, struct hook_plan *h)
{
	const char *pin = opt_get(cl, OPT_SCRIPT_SHA512);
	int r;
	*h = (struct hook_plan){.script = opt_get(cl, OPT_SCRIPT)};
	if (h->script && !*h->script)
		h->script = NULL; /* archiso reads an empty script= as none */
	if ((r = opt_bool(cl, OPT_SCRIPT_REQUIRED, &h->required)) < 0)
		return r;
	if (h->script) {
		h->url = script_url(h->script);
		for (const char *p = h->script; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return log_err(-EINVAL, "cmdline script=\"%s\": holds a control character", h->script);
		if (!h->url && (h->script[0] != '/' || strstr(h->script, "/../")))
			return log_err(-EINVAL, "cmdline script=\"%s\": not an http://, https:// or tftp:// URL nor an absolute path in the new root",
				       h->script);
	}
	if (pin && !h->script)
		return log_err(-EINVAL, "cmdline pxeroot.script_sha512=: there is no script= to check");
	if (pin && parse_sha512(pin, h->sha512) < 0)
		return log_err(-EINVAL, "cmdline pxeroot.script_sha512=\"%s\": not 128 hexadecimal digits", pin);
	h->pinned = pin != NULL;
	if (h->required && !h->script)
		return log_err(-EINVAL, "cmdline pxeroot.script_required=1: there is no script=");
	return 0;
}

/* The plan line. */
void hook_explain(const struct hook_plan *h)
{
	if (h->script)
		log_info("plan: script %s (%s%s), run once in the booted system%s", h->script, h->url ? "fetched" : "in the new root",
			 h->pinned ? ", sha512 pinned" : "", h->required ? "; required" : "; optional");
}
