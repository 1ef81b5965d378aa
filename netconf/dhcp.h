/* dhcp.h: the DHCPv4 wire format (RFC 2131/2132), pure C with no Lua and
 * no I/O, so the parser can be fuzzed on its own (tests/fuzz/dhcp_fuzz.c).
 * Addresses are kept in network byte order, times in host order seconds. */
#ifndef LUAINIT_DHCP_H
#define LUAINIT_DHCP_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_MIN_LEN     240   /* BOOTP header (236) + magic cookie */
#define DHCP_MAX_LEN     1500  /* what we build and accept */
#define DHCP_MAX_ROUTERS 4
#define DHCP_MAX_DNS     8
#define DHCP_MAX_PARAMS  32
#define DHCP_MAX_NAME    64    /* hostname, NUL included */
#define DHCP_MAX_DOMAIN  256
#define DHCP_MAX_MESSAGE 256
#define DHCP_MAX_CLIENTID 64

enum dhcp_type {
	DHCP_DISCOVER = 1, DHCP_OFFER, DHCP_REQUEST, DHCP_DECLINE,
	DHCP_ACK, DHCP_NAK, DHCP_RELEASE, DHCP_INFORM
};

/* Which optional fields are present (struct dhcp_msg.have). */
enum {
	DHCP_HAVE_SERVER_ID = 1 << 0, DHCP_HAVE_REQUESTED = 1 << 1,
	DHCP_HAVE_MASK = 1 << 2,      DHCP_HAVE_BROADCAST = 1 << 3,
	DHCP_HAVE_LEASE = 1 << 4,     DHCP_HAVE_T1 = 1 << 5,
	DHCP_HAVE_T2 = 1 << 6,        DHCP_HAVE_MTU = 1 << 7,
	DHCP_HAVE_MAXSIZE = 1 << 8,
};

struct dhcp_msg {
	uint8_t op;                 /* 1 BOOTREQUEST, 2 BOOTREPLY */
	uint8_t type;               /* option 53, enum dhcp_type */
	uint8_t hlen;               /* bytes of chaddr used (6 for Ethernet) */
	uint32_t xid;
	uint16_t secs, flags;       /* flags: 0x8000 asks for a broadcast reply */
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	uint32_t have;              /* DHCP_HAVE_* */
	uint32_t server_id, requested_ip, mask, broadcast;
	uint32_t lease, t1, t2;
	uint16_t mtu, maxsize;
	uint8_t nrouters, ndns, nparams, client_id_len;
	uint32_t routers[DHCP_MAX_ROUTERS];
	uint32_t dns[DHCP_MAX_DNS];
	uint8_t params[DHCP_MAX_PARAMS];
	uint8_t client_id[DHCP_MAX_CLIENTID];
	char hostname[DHCP_MAX_NAME];
	char domain[DHCP_MAX_DOMAIN];
	char message[DHCP_MAX_MESSAGE];
};

/* Encode m into buf (cap bytes, at least DHCP_MIN_LEN + options; padded to
 * the BOOTP minimum of 300 bytes). Returns the length, or -1 if it does not
 * fit or m has no message type. */
int dhcp_build(const struct dhcp_msg *m, uint8_t *buf, size_t cap);

/* dhcp_parse flags */
#define DHCP_ANY_XID    1   /* accept any xid (else only want_xid) */
#define DHCP_REPLY_ONLY 2   /* a client drops BOOTREQUESTs */

/* Decode len bytes into m. Returns 0, or -1 with *why set to a static
 * reason ("wrong xid", "truncated option", ...) for the drop counters. */
int dhcp_parse(const uint8_t *buf, size_t len, uint32_t want_xid, int flags,
               struct dhcp_msg *m, const char **why);

#endif
