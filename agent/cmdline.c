/* cmdline.c - kernel command-line tokenizer.
 *
 * Mirrors the kernel's next_arg(): a word ends at unquoted white space; '"' toggles quoting
 * anywhere; a word that starts with '"' loses that quote and a matching one at its end; a value
 * that starts with '"' loses it and the word's final '"'. A word "--" ends the kernel's part; the
 * rest are init's arguments. The last occurrence of a key wins. */
#define _GNU_SOURCE
#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Cut the next word out of *P (modified in place); fill KEY/VALUE. Returns 0 at the end. */
static int next_word(char **p, char **key, char **value)
{
	char *s = *p;
	while (*s && isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;

	int quoted = 0, in_quote = 0;
	if (*s == '"') {
		s++;
		quoted = in_quote = 1;
	}
	size_t i, eq = 0;
	for (i = 0; s[i]; i++) {
		if (isspace((unsigned char)s[i]) && !in_quote)
			break;
		if (eq == 0 && s[i] == '=')
			eq = i;
		if (s[i] == '"')
			in_quote = !in_quote;
	}
	char *end = s + i;
	*p = *end ? end + 1 : end;
	*end = '\0';

	*key = s;
	*value = NULL;
	if (eq) {
		s[eq] = '\0';
		*value = s + eq + 1;
		if (**value == '"') {
			(*value)++;
			if (i > 0 && s[i - 1] == '"' && s + i - 1 >= *value)
				s[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && s[i - 1] == '"')
		s[i - 1] = '\0';
	return 1;
}

/* Split TEXT into CL. */
int cmdline_parse(const char *text, struct cmdline *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->buf = strdup(text);
	if (!cl->buf)
		return -ENOMEM;

	char *p = cl->buf, *key, *value;
	int after_dashes = 0;
	while (next_word(&p, &key, &value)) {
		if (after_dashes) {
			if (cl->ninit == CMDLINE_MAX_WORDS)
				return -E2BIG;
			/* init sees key=value joined again, a quote around the value dropped (the
			 * kernel's repair_env_string) */
			if (value && value[-1] == '\0') {
				value[-1] = '=';
			} else if (value) {
				value[-2] = '=';
				memmove(value - 1, value, strlen(value) + 1);
			}
			cl->init_args[cl->ninit++] = key;
			continue;
		}
		if (!value && strcmp(key, "--") == 0) {
			after_dashes = 1;
			continue;
		}
		if (cl->nwords == CMDLINE_MAX_WORDS)
			return -E2BIG;
		cl->words[cl->nwords].key = key;
		cl->words[cl->nwords].value = value;
		cl->nwords++;
	}
	return 0;
}

/* Free the owned buffer. */
void cmdline_free(struct cmdline *cl)
{
	free(cl->buf);
	cl->buf = NULL;
	cl->nwords = cl->ninit = 0;
}

/* Index of the last word named KEY, or -1. */
static long find_last(const struct cmdline *cl, const char *key)
{
	for (size_t i = cl->nwords; i-- > 0;)
		if (strcmp(cl->words[i].key, key) == 0)
			return (long)i;
	return -1;
}

/* Last value of KEY ("" when bare, NULL when absent). */
const char *cmdline_get(const struct cmdline *cl, const char *key)
{
	long i = find_last(cl, key);
	if (i < 0)
		return NULL;
	return cl->words[i].value ? cl->words[i].value : "";
}

/* Whether KEY occurs. */
int cmdline_has(const struct cmdline *cl, const char *key)
{
	return find_last(cl, key) >= 0;
}

/* Index of the last bare word KEY, or -1. */
long cmdline_flag_pos(const struct cmdline *cl, const char *key)
{
	for (size_t i = cl->nwords; i-- > 0;)
		if (!cl->words[i].value && strcmp(cl->words[i].key, key) == 0)
			return (long)i;
	return -1;
}

/* All values of a repeatable KEY in command-line order. */
size_t cmdline_get_all(const struct cmdline *cl, const char *key, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cl->nwords && n < max; i++)
		if (cl->words[i].value && strcmp(cl->words[i].key, key) == 0)
			out[n++] = cl->words[i].value;
	return n;
}

/* Read the command line file at PATH and parse it. */
int cmdline_read(const char *path, struct cmdline *cl)
{
	char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return cmdline_parse(buf, cl);
}
