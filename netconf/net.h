/* net.h: the pieces of luainit.net spread over netconf/l_*.c. */
#ifndef LUAINIT_NET_H
#define LUAINIT_NET_H

#include <lua.h>

#include <stddef.h>
#include <stdint.h>

struct nl_addr;
struct nl_cache;
struct nl_sock;
struct rtnl_addr;
struct rtnl_link;
struct rtnl_nexthop;
struct rtnl_route;

/* Add routes(), route_add() and route_del() (l_route.c) to the module
 * table at the top. */
void lx_net_open_routes(lua_State *L);
/* Add the DHCP functions (l_dhcp.c) to the module table at the top. */
void lx_net_open_dhcp(lua_State *L);
/* Add monitor() (nlmon.c) to the module table at the top. */
void lx_net_open_monitor(lua_State *L);

/* Fields shared by net.links()/addresses() and the monitor's events
 * (nlmon.c): the IFF_* flags as a table of true values; "inet", "inet6" or
 * "other"; an IF_OPER_* state by name; an address as text ("10.0.2.15",
 * "fe80::1"; other lengths as "52:54:00:12:34:56"). */
void lx_net_push_flags(lua_State *L, unsigned flags);
const char *lx_net_family(int family);
void lx_net_operstate(unsigned state, char *buf, size_t len);
void lx_net_addr_str(int family, const uint8_t *b, unsigned n, char *buf, size_t len);
/* A link-layer address as lx_net_addr_str writes one, into out: pairs of
 * hex digits separated by colons ("52:54:00:12:34:56"), at most max of
 * them, and nothing else. Returns how many (0 for ""), or -1. link_set's
 * mac (6 exactly) and dhcp_build's chaddr (up to 16) read it so;
 * nl_addr_parse and sscanf's %2x took "2:54:0:12:34:56", a seventh
 * group, a prefix length or any tail. */
int lx_net_parse_mac(const char *s, uint8_t *out, int max);

/* What the libnl requests share (l_net.c; l_route.c uses them). */

/* The synchronous request socket, connected on first use, with the errno
 * of the kernel's last error cleared for a new request; NULL with *nle a
 * libnl error. */
struct nl_sock *lx_net_sock(int *nle);
/* nil, "ctx: strerror", errno, "ENAME" for a libnl result nle < 0, with
 * the errno the kernel sent when it sent one. */
int lx_net_nlfail(lua_State *L, int nle, const char *ctx);

/* The libnl objects a request holds while it can still raise (an argument
 * check, a push that runs out of memory): libnl's memory is not Lua's, and
 * a raise would leak them. They live in a userdata made before the first
 * of them (lx_net_newguard), whose __gc frees what is left; a request that
 * gets to its end frees them itself (lx_net_guard_free), not leaving it to
 * the collector, and one that fails frees them with lx_net_gfail. */
struct lx_net_guard {
	struct nl_cache *cache[2];
	struct rtnl_link *link[2];
	struct rtnl_addr *addr;
	struct rtnl_route *route;
	struct rtnl_nexthop *nh;      /* until the route owns it */
	struct nl_addr *naddr;
};
struct lx_net_guard *lx_net_newguard(lua_State *L);
void lx_net_guard_free(struct lx_net_guard *g);
int lx_net_gfail(lua_State *L, struct lx_net_guard *g, int nle, const char *ctx);
/* The end of a request, given what its send returned (nle): its objects
 * freed, then true, or for nle < 0 lx_net_nlfail's four values. The
 * kernel's errno needs no clearing before the send: lx_net_sock (or
 * lx_net_get_link) cleared it, and a request sends nothing else in
 * between (a link is looked up by if_nametoindex). */
int lx_net_finish(lua_State *L, struct lx_net_guard *g, int nle, const char *ctx);

/* An address without its prefix length: "10.0.2.15", "fe80::1". */
void lx_net_nladdr_str(struct nl_addr *a, char *buf, size_t len);
/* An IP address of family (AF_UNSPEC: either) as nl_addr_parse reads it,
 * but none of its words ("any", "default/8"), and a prefix length of
 * decimal digits up to its bits: 0 or a libnl error, with what is wrong
 * with the prefix length in why (empty when the address is). */
int lx_net_parse_ip(const char *s, int family, struct nl_addr **a, char *why, size_t len);
/* An integer option of a 32-bit field of the kernel's, def when left out;
 * raises out of 0-4294967295. */
uint32_t lx_net_opt_u32(lua_State *L, int idx, const char *key, uint32_t def);
/* A link a request names (argument arg, or when opt is not NULL the value
 * at arg is option opt's), read once by lx_net_link_label into *ln: its
 * name (NULL for an index) or index, and returned as a message gives it,
 * the name or the index in digits (in ln->num); it raises for anything
 * but a name or an integer. The name stays valid while the value at arg
 * is referenced: the caller keeps it on the stack until the request is
 * sent. lx_net_get_link: the link as a request takes it, a link object
 * holding its index (NULL with *nle set when no link has that name). */
struct lx_net_link {
	const char *name;
	lua_Integer index;
	char num[24];
};
const char *lx_net_link_label(lua_State *L, int arg, const char *opt, struct lx_net_link *ln);
struct rtnl_link *lx_net_get_link(const struct lx_net_link *ln, int *nle);

#endif
