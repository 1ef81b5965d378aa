/* dhcp_fuzz.c: libFuzzer harness for the DHCP parser (netconf/dhcp.c).
 * Every input must parse or be dropped with a reason; a packet that parses
 * must survive an encode/decode round trip with the same fields.
 *   make fuzz            (clang -fsanitize=fuzzer,address,undefined)
 * The first 4 input bytes choose the expected xid and the parse flags, so
 * the xid check and the BOOTREPLY check are fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_msg m, m2;
	uint8_t out[DHCP_MAX_LEN];
	const char *why;
	uint32_t xid = 0;
	int flags, n;

	if (size < 4)
		return 0;
	memcpy(&xid, data, 4);
	flags = (xid & 1) ? DHCP_ANY_XID : 0;
	flags |= (xid & 2) ? DHCP_REPLY_ONLY : 0;
	data += 4;
	size -= 4;
	if (dhcp_parse(data, size, xid, flags, &m, &why) < 0) {
		if (!why || !*why)
			abort();           /* every drop needs a reason for the counters */
		return 0;
	}
	n = dhcp_build(&m, out, sizeof out);
	if (n < 0)
		return 0;              /* parsed but too large to re-encode: allowed */
	if (dhcp_parse(out, (size_t)n, m.xid, 0, &m2, &why) < 0)
		abort();
	if (m2.type != m.type || m2.xid != m.xid || m2.yiaddr != m.yiaddr ||
	    m2.lease != m.lease || m2.ndns != m.ndns || m2.nrouters != m.nrouters ||
	    strcmp(m2.domain, m.domain) || strcmp(m2.hostname, m.hostname))
		abort();
	return 0;
}
