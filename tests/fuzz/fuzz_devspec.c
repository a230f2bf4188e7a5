/* fuzz_devspec.c - libFuzzer target for the device a command line names (archisodevice=,
 * root=live:…). The input, cut at its first NUL, is parsed; a success must give a terminated,
 * non-empty value without NULs, a node under /dev/ for DEV_PATH, and match itself. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "source/devspec.h"

/* V into the field DST of CAP bytes; false when it does not fit. */
static int put(char *dst, size_t cap, const char *v)
{
	size_t len = strlen(v);
	if (len >= cap)
		return 0;
	memcpy(dst, v, len + 1);
	return 1;
}

/* Parse one input and check what a success promises. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1024], buf[300];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	struct devspec d;
	if (devspec_parse(text, &d) != 0)
		return 0;
	REQUIRE(memchr(d.value, '\0', sizeof(d.value)) && d.value[0]);
	struct devinfo self = {.type = "iso9660"};
	int fits = 0;
	switch (d.kind) {
	case DEV_PATH:
		REQUIRE(!strncmp(d.value, "/dev/", 5));
		REQUIRE(put(self.dev, sizeof(self.dev), d.value));
		fits = 1;
		break;
	case DEV_LABEL:
		fits = put(self.label, sizeof(self.label), d.value);
		break;
	case DEV_UUID:
		fits = put(self.uuid, sizeof(self.uuid), d.value);
		break;
	case DEV_PARTUUID:
		fits = put(self.partuuid, sizeof(self.partuuid), d.value);
		break;
	case DEV_PARTLABEL:
		fits = put(self.partlabel, sizeof(self.partlabel), d.value);
		break;
	}
	REQUIRE(!fits || devspec_match(&d, &self));
	devspec_str(&d, buf, sizeof(buf));
	REQUIRE(memchr(buf, '\0', sizeof(buf)));
	return 0;
}
