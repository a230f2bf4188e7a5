/* tftp.h - one small file over TFTP (the script= hook's tftp:// URLs) */
#ifndef PXEROOT_TFTP_H
#define PXEROOT_TFTP_H

#include <stdint.h>

#include "fetch/fetch.h"

/* Fetch the tftp:// URL into the file PATH (created or truncated per attempt), at most MAX bytes,
 * under CFG's timeouts and attempts (TFTP cannot resume: each attempt starts over). 0, or a
 * negative errno after the line naming the URL and the cause (-ENOENT: no such file). */
int tftp_fetch(const char *url, const struct fetch_config *cfg, const char *path, uint64_t max);

#endif
