/* fuzz_ipconf.c - libFuzzer target for ip= and BOOTIF= parsing. The input, cut at its first NUL,
 * is one ip= value; the same bytes are also tried as a BOOTIF= value. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "net/ipconf.h"


/* Parse one input and check what a success promises. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1024], why[160];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';

	struct ip_conf c;
	int r = ipconf_parse(text, &c, why, sizeof(why));
	REQUIRE(memchr(why, '\0', sizeof(why)) != NULL);
	if (r == 0) {
		REQUIRE(c.method == IPC_DHCP || c.method == IPC_STATIC || c.method == IPC_OFF);
		REQUIRE(memchr(c.device, '\0', sizeof(c.device)) != NULL);
		REQUIRE(memchr(c.hostname, '\0', sizeof(c.hostname)) != NULL);
		REQUIRE(c.method != IPC_STATIC || c.client.s_addr != 0);
		REQUIRE(c.mtu == 0 || (c.mtu >= 68 && c.mtu <= 65535));
	} else {
		REQUIRE(why[0] != '\0'); /* every refusal says why */
	}
	uint8_t mac[6];
	bootif_parse(text, mac);
	return 0;
}
