/* fuzz_cmdline.c - libFuzzer target for the command-line tokenizer, the option table (plan) and
 * the image URLs composed from it. The input, cut at its first NUL, is the command line. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "cmdline.h"
#include "plan.h"
#include "url.h"
#include "source/http.h"
#include "source/local.h"
#include "source/memdisk.h"
#include "source/nfs.h"
#include "url.h"

/* Drop the agent's log lines (see fuzz_quiet_stderr). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_stderr(argc, argv);
	return 0;
}

/* S points into BUF (SIZE bytes) and its string ends inside it. */
static void inside(const char *s, const char *buf, size_t size)
{
	REQUIRE(s != NULL);
	REQUIRE(s >= buf && s < buf + size);
	REQUIRE(memchr(s, '\0', (size_t)(buf + size - s)) != NULL);
}

/* A value from cmdline_get: NULL, "" for a bare word, or a string inside BUF. */
static void got(const char *v, const char *buf, size_t size)
{
	if (v && !(v >= buf && v < buf + size))
		REQUIRE(*v == '\0');
	else if (v)
		inside(v, buf, size);
}

/* The URL functions on a plan that has an HTTP source. */
static void urls(const struct plan *p)
{
	char url[2048], sha[2100], name[256];
	struct source_ctx ctx = plan_ctx(p, NULL);
	int r = http_image_url(&ctx, "10.0.2.2", "x86_64", url, sizeof(url), NULL);
	if (r == 0) {
		REQUIRE(strlen(url) < sizeof(url));
		if (url_basename(url, name, sizeof(name)) == 0)
			REQUIRE(strlen(name) > 0 && !strchr(name, '/'));
		if (image_sha512_url(url, sha, sizeof(sha)) == 0) { /* the query, if any, follows the name */
			size_t end = strcspn(sha, "?#");
			REQUIRE(end >= 7 && strncmp(sha + end - 7, ".sha512", 7) == 0 && !strchr(sha, '#'));
		}
	}
	char small[24];
	r = http_image_url(&ctx, NULL, "x86_64", small, sizeof(small), NULL);
	REQUIRE(r == 0 ? strlen(small) < sizeof(small) : r < 0);
}

/* Check a plan that plan_from_cmdline accepted against the documented rules. */
static void check_plan(const struct plan *p, const struct cmdline *cl)
{
	REQUIRE(p->layout.basedir && *p->layout.basedir && p->mount.cow_size);
	REQUIRE(!p->layout.arch || *p->layout.arch);
	REQUIRE(!p->init || p->init[0] == '/');
	REQUIRE(p->retries <= 100 && p->netcfg.carrier_timeout_s <= 3600 && p->netcfg.dhcp_timeout_s <= 3600);
	REQUIRE(p->ninit_args == cl->ninit);
	REQUIRE(p->onerror <= ONERR_POWEROFF);
	if (p->source == &http_source) {
		REQUIRE(p->net == NET_UP && http_opts(&p->src_opts)->spc);
		REQUIRE(http_opts(&p->src_opts)->live_url || (http_opts(&p->src_opts)->srv && *http_opts(&p->src_opts)->srv));
		if (http_opts(&p->src_opts)->live_url)
			REQUIRE(!strncmp(http_opts(&p->src_opts)->live_url, "http://", 7) || !strncmp(http_opts(&p->src_opts)->live_url, "https://", 8));
		urls(p);
	} else if (p->source == &nfs_source) {
		const struct nfs_opts *o = (const struct nfs_opts *)p->src_opts.b;
		REQUIRE(p->net == NET_UP && o->form <= NFS_ARCHISO && o->timeout_s >= 1);
		REQUIRE(o->form == NFS_KERNEL || o->form == NFS_DHCP || (o->value && *o->value));
	} else if (p->source == &memdisk_source) {
		REQUIRE(p->net == NET_UP || p->net == NET_NONE);
		REQUIRE(((const struct memdisk_opts *)p->src_opts.b)->ram_size);
	} else if (p->source == &local_source) {
		const struct local_opts *o = (const struct local_opts *)p->src_opts.b;
		REQUIRE(p->net == NET_UP || p->net == NET_NONE);
		REQUIRE((o->has_dev || o->search) && o->ram_size && o->option);
	} else {
		REQUIRE(!p->source && !http_opts(&p->src_opts)->srv && !http_opts(&p->src_opts)->live_url);
	}
	plan_explain(p);
}

/* One input: tokenize, check every pointer, read options, build the plan and its URLs. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	REQUIRE(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	size_t bsize = strlen(text) + 1;

	struct cmdline *cl = malloc(sizeof(*cl));
	REQUIRE(cl != NULL);
	int r = cmdline_parse(text, cl);
	REQUIRE(r == 0 || r == -E2BIG || r == -ENOMEM);
	if (r == -ENOMEM)
		goto out;
	REQUIRE(cl->nwords <= CMDLINE_MAX_WORDS && cl->ninit <= CMDLINE_MAX_WORDS);
	for (size_t i = 0; i < cl->nwords; i++) {
		inside(cl->words[i].key, cl->buf, bsize);
		if (cl->words[i].value)
			inside(cl->words[i].value, cl->buf, bsize);
		REQUIRE(cmdline_has(cl, cl->words[i].key));
		got(cmdline_get(cl, cl->words[i].key), cl->buf, bsize);
	}
	for (size_t i = 0; i < cl->ninit; i++)
		inside(cl->init_args[i], cl->buf, bsize);

	static const char *const keys[] = {"ip", "root", "archiso_http_srv", "archisobasedir", "init",
					   "checksum", "pxeroot.debug", "pxeroot.onerror", ""};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		got(cmdline_get(cl, keys[i]), cl->buf, bsize);
	const char *all[8];
	size_t n = cmdline_get_all(cl, "pxeroot.mirror", all, 8);
	REQUIRE(n <= 8);
	for (size_t i = 0; i < n; i++)
		inside(all[i], cl->buf, bsize);

	if (r == 0) {
		struct plan p;
		if (plan_from_cmdline(cl, &p) == 0)
			check_plan(&p, cl);
	}
out:
	cmdline_free(cl);
	REQUIRE(cl->buf == NULL);
	free(cl);
	free(text);
	return 0;
}
