/* no_io.c - link stand-ins for the I/O a root source does in its get stage, for the tests of the
 * command line, the plan and the URLs: those never reach a get, so each stand-in aborts. Linking
 * it instead of the transfer, check and mount code keeps these tests to the code they test. */
#include <stdlib.h>

#include "fetch/image.h"
#include "fetch/tftp.h"
#include "fsutil.h"
#include "meminfo.h"
#include "modules.h"
#include "verify/file.h"

/* Not reached by a parser test. */
int image_fetch(struct fetch_req *rq, const struct trust *t, const char *file)
{
	(void)rq, (void)t, (void)file;
	abort();
}

/* Not reached by a parser test. */
int fetch_file(struct fetch_req *rq)
{
	(void)rq;
	abort();
}

/* Not reached by a parser test. */
int mount_tmpfs(const char *dir, const char *size, const char *what)
{
	(void)dir, (void)size, (void)what;
	abort();
}

/* Not reached by a parser test. */
void umount_quiet(const char *dir)
{
	(void)dir;
	abort();
}

/* Not reached by a parser test. */
uint64_t mem_used_kb(void)
{
	abort();
}

/* Not reached by a parser test. */
int image_fits_ram(const char *who, uint64_t size, const char *tmpfs_opt)
{
	(void)who, (void)size, (void)tmpfs_opt;
	abort();
}

/* Not reached by a parser test. */
int meminfo(uint64_t *total_kb, uint64_t *avail_kb)
{
	(void)total_kb, (void)avail_kb;
	abort();
}

/* Not reached by a parser test. */
int mkdir_p(const char *path)
{
	(void)path;
	abort();
}

/* Not reached by a parser test. */
int mod_load(const char *name)
{
	(void)name;
	abort();
}

/* Not reached by a parser test. */
int verify_file(const char *path, const struct trust *t, struct sink *out, const char *label)
{
	(void)path, (void)t, (void)out, (void)label;
	abort();
}

/* Not reached by a parser test. */
int mod_load_opts(const char *name, const char *options)
{
	(void)name, (void)options;
	abort();
}

/* Not reached by a parser test. */
int mod_coldplug(void)
{
	abort();
}

/* Not reached by a parser test. */
void mod_load_fs(const char *type)
{
	(void)type;
	abort();
}

/* Not reached by a parser test. */
int tftp_fetch(const char *url, const struct fetch_config *cfg, const char *path, uint64_t max)
{
	(void)url, (void)cfg, (void)path, (void)max;
	abort();
}
