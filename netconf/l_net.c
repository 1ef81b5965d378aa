/* l_net.c: luainit.net, network interfaces over rtnetlink (libnl-route):
 * links and addresses (list, add, delete, change) on one synchronous
 * NETLINK_ROUTE socket, and what every request shares (net.h): that
 * socket, its errors, the guard of libnl's objects, how a link or an
 * address is read. Routes are l_route.c, the monitor for link and address
 * events nlmon.c (no libnl), the DHCP codec and socket l_dhcp.c; the
 * policy is lua/network.lua.
 * Errors name the operation and the interface: nil, "addr_add eth0
 * 10.0.2.15/24: File exists", errno, "EEXIST". */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <lauxlib.h>

#include "lx.h"
#include "net.h"

static struct nl_sock *sync_sk;
static int kernel_errno;   /* the errno of the last NLMSG_ERROR, exact */

/* libnl folds kernel errors into its own codes; this error callback keeps
 * the errno the kernel sent, so messages say "File exists", not "Object
 * exists". */
static int on_nlerr(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	(void)who; (void)arg;
	kernel_errno = -e->error;
	return NL_STOP;
}

static int nle_errno(int nle)
{
	static const struct { int nle, err; } map[] = {
		{ NLE_EXIST, EEXIST }, { NLE_OBJ_NOTFOUND, ENOENT }, { NLE_NODEV, ENODEV },
		{ NLE_PERM, EPERM }, { NLE_NOACCESS, EACCES }, { NLE_INVAL, EINVAL },
		{ NLE_NOMEM, ENOMEM }, { NLE_AGAIN, EAGAIN }, { NLE_BUSY, EBUSY },
		{ NLE_RANGE, ERANGE }, { NLE_NOADDR, EADDRNOTAVAIL }, { NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT }, { NLE_MSGSIZE, EMSGSIZE }, { NLE_BAD_SOCK, EBADF },
	};
	if (nle < 0)
		nle = -nle;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].nle == nle)
			return map[i].err;
	return EIO;
}

/* nil, "ctx: strerror", errno, "ENAME" for a libnl result nle < 0. */
int lx_net_nlfail(lua_State *L, int nle, const char *ctx)
{
	int err = kernel_errno ? kernel_errno : nle_errno(nle);
	return lx_fail(L, err, "%s", ctx);
}

/* The request socket, connected on first use. 0 or a libnl error. */
static int sock(void)
{
	int err;

	kernel_errno = 0;
	if (sync_sk)
		return 0;
	if (!(sync_sk = nl_socket_alloc()))
		return -NLE_NOMEM;
	if ((err = nl_connect(sync_sk, NETLINK_ROUTE)) < 0) {
		nl_socket_free(sync_sk);
		sync_sk = NULL;
		return err;
	}
	nl_socket_modify_err_cb(sync_sk, NL_CB_CUSTOM, on_nlerr, NULL);
	return 0;
}

/* sock() for the other files (net.h). */
struct nl_sock *lx_net_sock(int *nle)
{
	return (*nle = sock()) < 0 ? NULL : sync_sk;
}

/* The address without its prefix length: "10.0.2.15", "fe80::1". */
void lx_net_nladdr_str(struct nl_addr *a, char *buf, size_t len)
{
	lx_net_addr_str(nl_addr_get_family(a), nl_addr_get_binary_addr(a), nl_addr_get_len(a), buf, len);
}

/* The guard of a request's libnl objects (struct lx_net_guard, net.h): a
 * userdata whose __gc frees what a raise left. */
#define GUARD_MT "luainit.net.guard"

void lx_net_guard_free(struct lx_net_guard *g)
{
	for (int i = 0; i < 2; i++) {
		if (g->cache[i])
			nl_cache_free(g->cache[i]);
		if (g->link[i])
			rtnl_link_put(g->link[i]);
	}
	if (g->addr)
		rtnl_addr_put(g->addr);
	if (g->nh)
		rtnl_route_nh_free(g->nh);
	if (g->route)
		rtnl_route_put(g->route);
	if (g->naddr)
		nl_addr_put(g->naddr);
	memset(g, 0, sizeof *g);
}

static int guard_gc(lua_State *L)
{
	lx_net_guard_free(lua_touserdata(L, 1));
	return 0;
}

/* lx_net_nlfail for a request that holds g: its objects go first. */
int lx_net_gfail(lua_State *L, struct lx_net_guard *g, int nle, const char *ctx)
{
	lx_net_guard_free(g);
	return lx_net_nlfail(L, nle, ctx);
}

int lx_net_finish(lua_State *L, struct lx_net_guard *g, int nle, const char *ctx)
{
	lx_net_guard_free(g);
	return nle < 0 ? lx_net_nlfail(L, nle, ctx) : lx_ok(L);
}

/* An empty guard, pushed: it raises only before anything is allocated.
 * It takes the first free stack slot: a request sets its top to its last
 * argument first, or the guard would stand in for an argument left out. */
struct lx_net_guard *lx_net_newguard(lua_State *L)
{
	struct lx_net_guard *g = lua_newuserdatauv(L, sizeof *g, 0);

	memset(g, 0, sizeof *g);
	luaL_setmetatable(L, GUARD_MT);
	return g;
}

static void push_link(lua_State *L, struct rtnl_link *l)
{
	char buf[64];
	unsigned fl = rtnl_link_get_flags(l);
	struct nl_addr *mac = rtnl_link_get_addr(l);
	const char *kind = rtnl_link_get_type(l);

	lua_createtable(L, 0, 8);
	lx_setint(L, "index", rtnl_link_get_ifindex(l));
	lx_setstr(L, "name", rtnl_link_get_name(l) ? rtnl_link_get_name(l) : "");
	lx_net_push_flags(L, fl);
	lua_setfield(L, -2, "flags");
	lx_net_operstate(rtnl_link_get_operstate(l), buf, sizeof buf);
	lx_setstr(L, "operstate", buf);
	lx_setint(L, "mtu", rtnl_link_get_mtu(l));
	if (mac) {
		lx_net_nladdr_str(mac, buf, sizeof buf);
		lx_setstr(L, "mac", buf);
	}
	if (kind)
		lx_setstr(L, "type", kind);
}

static void push_addr(lua_State *L, struct rtnl_addr *a, struct nl_cache *links)
{
	char buf[INET6_ADDRSTRLEN + 8], name[64];
	struct nl_addr *local = rtnl_addr_get_local(a);
	unsigned fl = rtnl_addr_get_flags(a);
	int idx = rtnl_addr_get_ifindex(a);

	lua_createtable(L, 0, 8);
	lx_setint(L, "index", idx);
	if (links && rtnl_link_i2name(links, idx, name, sizeof name))
		lx_setstr(L, "ifname", name);
	else if (rtnl_addr_get_label(a))
		lx_setstr(L, "ifname", rtnl_addr_get_label(a));
	else if (if_indextoname((unsigned)idx, name))
		lx_setstr(L, "ifname", name);
	lx_setstr(L, "family", lx_net_family(rtnl_addr_get_family(a)));
	if (local) {
		lx_net_nladdr_str(local, buf, sizeof buf);
		lx_setstr(L, "address", buf);
	}
	lx_setint(L, "prefixlen", rtnl_addr_get_prefixlen(a));
	switch (rtnl_addr_get_scope(a)) {
	case RT_SCOPE_UNIVERSE: lx_setstr(L, "scope", "global"); break;
	case RT_SCOPE_LINK: lx_setstr(L, "scope", "link"); break;
	case RT_SCOPE_HOST: lx_setstr(L, "scope", "host"); break;
	case RT_SCOPE_SITE: lx_setstr(L, "scope", "site"); break;
	default: lx_setint(L, "scope", rtnl_addr_get_scope(a));
	}
	lua_pushboolean(L, (fl & IFA_F_TENTATIVE) != 0);
	lua_setfield(L, -2, "tentative");
	lua_pushboolean(L, (fl & IFA_F_PERMANENT) != 0);
	lua_setfield(L, -2, "permanent");
	lx_setint(L, "valid_lft", (lua_Integer)rtnl_addr_get_valid_lifetime(a));
}

/* A link as a request takes it (argument arg, or option opt of a table
 * when opt is not NULL: a route's dev). A number is the link's index:
 * an integer, or a float with an integral value (2.0), as the binding's
 * other integer arguments (mtu, metric, table) take one; returns 1 with
 * *idx set. A string is its name; returns 0. Anything else, a float such
 * as 2.5 included, raises "link name or index expected, got ...", never
 * Lua's generic "number has no integer representation". Never
 * lua_tostring on the value: it would turn a number into a string in
 * place, and the request would look for a link named "2". */
static int link_error(lua_State *L, int arg, const char *opt, const char *msg)
{
	return opt ? lx_opterror(L, opt, "%s", msg) : luaL_argerror(L, arg, msg);
}

static int link_arg(lua_State *L, int arg, const char *opt, lua_Integer *idx)
{
	const char *got;

	if (lua_type(L, arg) == LUA_TSTRING) {
		/* if_nametoindex stops at a NUL: "lo\0x" was lo */
		if (!(got = lx_nulbyte(L, arg)))
			return 0;
		return link_error(L, arg, opt, got);
	}
	if (!opt && lua_type(L, arg) != LUA_TNUMBER)
		return luaL_typeerror(L, arg, "link name or index");
	if (lx_getint(L, arg, idx, &got))
		return 1;
	return link_error(L, arg, opt, lua_pushfstring(L, "link name or index expected, got %s", got));
}

/* An integer option of a 32-bit field of the kernel's (a route's metric
 * and table, an address's lifetimes), def when left out; out of
 * 0-4294967295 it raises "option 'metric': integer 0-4294967295 expected,
 * got -1", where a cast wrapped -1 to 4294967295 (a metric's last choice)
 * and 2^32 + 254 to 254 (the main table). */
uint32_t lx_net_opt_u32(lua_State *L, int idx, const char *key, uint32_t def)
{
	lua_Integer v = lx_optinteger(L, idx, key, def);

	if (v < 0 || v > (lua_Integer)UINT32_MAX)
		lx_opterror(L, key, "integer 0-4294967295 expected, got %I", v);
	return (uint32_t)v;
}

/* link_arg's reading of the link at arg (and opt), kept in *ln for the
 * message and the request alike (net.h). */
const char *lx_net_link_label(lua_State *L, int arg, const char *opt, struct lx_net_link *ln)
{
	if (!link_arg(L, arg, opt, &ln->index)) {
		ln->index = 0;
		return ln->name = lua_tostring(L, arg);
	}
	ln->name = NULL;
	snprintf(ln->num, sizeof ln->num, "%lld", (long long)ln->index);
	return ln->num;
}

/* The link lx_net_link_label read, as a request names it: its index (a
 * number is one), and its name when given one. Returns NULL with *nle
 * set when no link has that name. */
struct rtnl_link *lx_net_get_link(const struct lx_net_link *ln, int *nle)
{
	struct rtnl_link *l;
	unsigned idx;
	const char *name = ln->name;

	if (!name)
		idx = ln->index > 0 && ln->index <= 0x7fffffff ? (unsigned)ln->index : 0;
	else
		idx = if_nametoindex(name);
	if ((*nle = sock()) < 0)
		return NULL;
	/* The requests that name a link need only its index: no RTM_GETLINK
	 * and no parse of every attribute the kernel would send back. An
	 * index that is gone is the kernel's ENODEV on the request itself. */
	if (idx == 0 || !(l = rtnl_link_alloc())) {
		kernel_errno = idx == 0 ? ENODEV : ENOMEM;
		*nle = idx == 0 ? -NLE_OBJ_NOTFOUND : -NLE_NOMEM;
		return NULL;
	}
	rtnl_link_set_ifindex(l, (int)idx);
	if (name)
		rtnl_link_set_name(l, name);
	return l;
}

/** links : () -> {{index, name, flags = {up=true,...}, operstate, mtu, mac, type?}, ...} | (nil, string, integer) */
static int l_links(lua_State *L)
{
	struct lx_net_guard *g;
	int err = sock(), n = 0;

	lua_settop(L, 0);
	g = lx_net_newguard(L);
	if (err < 0 || (err = rtnl_link_alloc_cache(sync_sk, AF_UNSPEC, &g->cache[0])) < 0)
		return lx_net_gfail(L, g, err, "links");
	lua_newtable(L);
	for (struct nl_object *o = nl_cache_get_first(g->cache[0]); o; o = nl_cache_get_next(o)) {
		push_link(L, (struct rtnl_link *)o);
		lua_rawseti(L, -2, ++n);
	}
	lx_net_guard_free(g);
	return 1;
}

/** link_set : (name | index, {up?, mtu?, name?, mac?}) -> true | (nil, string, integer)
 * A number names the link by its index (link_arg: 2 or 2.0; 2.5 raises).
 * mac is "aa:bb:cc:dd:ee:ff", six pairs of hex digits (lx_net_parse_mac:
 * nl_addr_parse took a prefix length and dropped it, "52:54:00:12:34:56/24"
 * set 52:54:00:12:34:56, and a seventh group), and raises as anything else.
 * Unknown keys raise. */
static int l_link_set(lua_State *L)
{
	static const char *const keys[] = { "up", "mtu", "name", "mac", NULL };
	struct lx_net_guard *g;
	struct rtnl_link *orig, *chg;
	struct lx_net_link ln;
	char ctx[96];
	const char *ifname = lx_net_link_label(L, 1, NULL, &ln);
	int err;

	lx_checkkeys(L, 2, keys, NULL);   /* before settop: "got no value" */
	lua_settop(L, 2);
	g = lx_net_newguard(L);
	snprintf(ctx, sizeof ctx, "link_set %s", ifname);
	if (!(orig = g->link[0] = lx_net_get_link(&ln, &err)))
		return lx_net_gfail(L, g, err, ctx);
	if (!(chg = g->link[1] = rtnl_link_alloc()))
		return lx_net_gfail(L, g, -NLE_NOMEM, ctx);
	if (lua_getfield(L, 2, "up") != LUA_TNIL) {
		if (lua_toboolean(L, -1))
			rtnl_link_set_flags(chg, IFF_UP);
		else
			rtnl_link_unset_flags(chg, IFF_UP);
	}
	if (lua_getfield(L, 2, "mtu") != LUA_TNIL) {
		lua_Integer mtu = lx_optinteger(L, 2, "mtu", 0);
		if (mtu < 68 || mtu > 65535)
			return luaL_argerror(L, 2, "mtu out of range 68-65535");
		rtnl_link_set_mtu(chg, (unsigned)mtu);
	}
	if (lua_getfield(L, 2, "name") != LUA_TNIL)
		rtnl_link_set_name(chg, lx_optstring(L, 2, "name", NULL));
	if (lua_getfield(L, 2, "mac") != LUA_TNIL) {
		struct nl_addr *a;
		uint8_t b[6];
		const char *mac = lx_optstring(L, 2, "mac", "");
		if (lx_net_parse_mac(mac, b, 6) != 6)
			return luaL_argerror(L, 2, lua_pushfstring(L, "mac: \"aa:bb:cc:dd:ee:ff\" expected, got '%s'", mac));
		if (!(a = nl_addr_build(AF_LLC, b, 6)))
			return lx_net_gfail(L, g, -NLE_NOMEM, ctx);
		rtnl_link_set_addr(chg, a);
		nl_addr_put(a);
	}
	return lx_net_finish(L, g, rtnl_link_change(sync_sk, orig, chg, 0), ctx);
}

/** addresses : (ifname | index?) -> {{ifname, index, family "inet"|"inet6", address, prefixlen, scope, tentative, permanent, valid_lft}, ...} | (nil, string, integer) */
static int l_addresses(lua_State *L)
{
	lua_Integer only_index = 0;
	int by_index = !lua_isnoneornil(L, 1) && link_arg(L, 1, NULL, &only_index);
	const char *only = by_index || lua_isnoneornil(L, 1) ? NULL : lua_tostring(L, 1);
	struct lx_net_guard *g;
	struct nl_cache *links, *c;
	int err = sock(), n = 0;
	char name[64];

	lua_settop(L, 1);
	g = lx_net_newguard(L);

	if (err < 0 || (err = rtnl_link_alloc_cache(sync_sk, AF_UNSPEC, &g->cache[0])) < 0 ||
	    (err = rtnl_addr_alloc_cache(sync_sk, &g->cache[1])) < 0)
		return lx_net_gfail(L, g, err, "addresses");
	links = g->cache[0];
	c = g->cache[1];
	lua_newtable(L);
	for (struct nl_object *o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		if (only && (!rtnl_link_i2name(links, rtnl_addr_get_ifindex(a), name, sizeof name) ||
		             strcmp(name, only)))
			continue;
		if (by_index && rtnl_addr_get_ifindex(a) != only_index)
			continue;
		push_addr(L, a, links);
		lua_rawseti(L, -2, ++n);
	}
	lx_net_guard_free(g);
	return 1;
}

/* nl_addr_parse for an IP address of family (AF_UNSPEC: either), into *a.
 * nl_addr_parse also takes the words "default", "all", "any" and "none",
 * in any case and with a prefix ("any/24"), as an address of no bytes: a
 * route's dst of 0.0.0.0/0 or 0.0.0.0/24 (of IPv4 whatever its gateway),
 * an address, gateway or src libnl could not put in a request (ERANGE).
 * They are no address here; a route's dst takes "default" itself.
 * A prefix length is decimal digits, up to the address's bits, as the
 * network config's check reads it: nl_addr_parse reads it with strtol in
 * base 0 and stops where it likes, so "10.0.2.15/024" was a /20 (octal),
 * "/0x18" a /24, and "/24junk", "/ 24" and "/+24" a /24, none of them a
 * word; "/33" went to the kernel, which said EINVAL. So the address is
 * parsed without it, and the prefix length here, once the address's bits
 * are known. Returns 0 or a libnl error, with *a NULL on an error; when
 * the address was read and its prefix length is what is wrong, why (len
 * bytes) says so ("prefix length 33 out of range 0..32", "decimal prefix
 * length 0..32 expected, got '0x18'"), and is empty otherwise. */
int lx_net_parse_ip(const char *s, int family, struct nl_addr **a, char *why, size_t len)
{
	const char *slash = strchr(s, '/'), *dots;
	char ip[64];
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	lua_Integer plen;
	unsigned bits;
	int err;

	*a = NULL;
	*why = '\0';
	if (n >= sizeof ip)
		return -NLE_INVAL;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if ((err = nl_addr_parse(ip, family, a)) < 0) {
		*a = NULL;
		return err;
	}
	bits = nl_addr_get_len(*a) * 8;
	if (!bits || (nl_addr_get_family(*a) != AF_INET && nl_addr_get_family(*a) != AF_INET6))
		goto bad;
	if (!slash)
		return 0;
	/* the caller's message quotes s whole: a long tail is cut here */
	dots = strlen(slash + 1) > 24 ? "..." : "";
	if (!lx_alldigits(slash + 1, bits, &plen))
		snprintf(why, len, "decimal prefix length 0..%u expected, got '%.24s%s'", bits, slash + 1, dots);
	else if (plen > bits)
		snprintf(why, len, "prefix length %.24s%s out of range 0..%u", slash + 1, dots, bits);
	else {
		nl_addr_set_prefixlen(*a, (int)plen);
		return 0;
	}
bad:
	nl_addr_put(*a);
	*a = NULL;
	return -NLE_INVAL;
}

/* Parse "10.0.2.15/24" (argument arg) into g->naddr; raises on a malformed
 * address, one of another family ("aa:bb:cc:dd:ee:ff" parses too) or one
 * of nl_addr_parse's words ("any/24"), and names a bad prefix length
 * ("'10.0.0.1/33': prefix length 33 out of range 0..32"). */
static struct nl_addr *check_cidr(lua_State *L, int arg, struct lx_net_guard *g)
{
	const char *s = lx_checkstring(L, arg);
	char why[80];

	if (lx_net_parse_ip(s, AF_UNSPEC, &g->naddr, why, sizeof why) < 0) {
		luaL_argerror(L, arg, *why ? lua_pushfstring(L, "'%s': %s", s, why) :
		              lua_pushfstring(L, "IPv4 or IPv6 address expected, got '%s'", s));
		return NULL;
	}
	return g->naddr;
}

/* addr_add's lifetimes (options table at idx), into *valid and *preferred;
 * returns whether the request is to carry them. valid left out is
 * forever (4294967295), as in ip-address(8), and preferred left out is
 * valid (ip makes it forever, and then refuses it as above valid); a
 * preferred alone was ignored. Forever for both is what the kernel takes
 * for a request without lifetimes (IPv4 and IPv6, a new address or one
 * replaced), so they go only when one is not: each option is read once,
 * with no look beforehand at whether either is given. A valid of 0 and a
 * preferred above valid raise: the kernel answered both with a bare
 * EINVAL, once the request was sent. */
static int check_lifetimes(lua_State *L, int idx, uint32_t *valid, uint32_t *preferred)
{
	lua_Integer v = lx_optinteger(L, idx, "valid", UINT32_MAX);

	if (v < 1 || v > (lua_Integer)UINT32_MAX)
		lx_opterror(L, "valid", "integer 1-4294967295 expected, got %I", v);
	*valid = (uint32_t)v;
	*preferred = lx_net_opt_u32(L, idx, "preferred", *valid);
	if (*preferred > *valid)
		lx_opterror(L, "preferred", "at most 'valid' (%I) expected, got %I",
		            (lua_Integer)*valid, (lua_Integer)*preferred);
	return *valid != UINT32_MAX || *preferred != UINT32_MAX;
}

/* addr_add's broadcast (options at idx, or nil) for the address local,
 * into *brd (network order); returns whether there is one. nil or false:
 * none. true: every host bit set, but none on a /31 or /32, as ip's
 * "brd +" (a /31's other address is its peer, RFC 3021). A string: an
 * IPv4 address as inet_pton takes it (no prefix, none of nl_addr_parse's
 * "any"), where one nl_addr_parse refused was dropped. IPv4 only: the
 * kernel drops IFA_BROADCAST on IPv6 without a word, so true or a string
 * raises there, as any other type does anywhere. */
static int check_broadcast(lua_State *L, int idx, struct nl_addr *local, uint32_t *brd)
{
	const char *s;
	struct in_addr in;
	int t;

	if (lua_isnil(L, idx))
		return 0;
	t = lua_getfield(L, idx, "broadcast");
	if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
		lua_pop(L, 1);
		return 0;
	}
	if (t != LUA_TBOOLEAN && t != LUA_TSTRING)
		lx_opterror(L, "broadcast", "true, false or an IPv4 address expected, got %s",
		            luaL_typename(L, -1));
	if (nl_addr_get_family(local) != AF_INET)
		lx_opterror(L, "broadcast", "false or nil expected for an IPv6 address "
		            "(broadcast is IPv4 only), got %s",
		            t == LUA_TBOOLEAN ? "true" : lua_pushfstring(L, "'%s'", lua_tostring(L, -1)));
	if (t == LUA_TSTRING) {
		/* the string at -1, as lx_optstring takes one: no NUL, where
		 * inet_pton would stop */
		s = lx_tocstr(L, -1, LX_OPT_FMT, "broadcast");
		if (inet_pton(AF_INET, s, &in) != 1)
			lx_opterror(L, "broadcast", "IPv4 address expected, got '%s'", s);
		*brd = in.s_addr;
	} else {
		int plen = nl_addr_get_prefixlen(local);
		uint32_t mask = plen ? htonl(~0u << (32 - plen)) : 0;

		lua_pop(L, 1);
		if (plen >= 31)
			return 0;
		memcpy(brd, nl_addr_get_binary_addr(local), 4);
		*brd |= ~mask;
		return 1;
	}
	lua_pop(L, 1);
	return 1;
}

static int addr_change(lua_State *L, int add)
{
	static const char *const keys[] = { "broadcast", "valid", "preferred", "replace", "nodad", NULL };
	struct lx_net_link ln;
	char ctx[160];
	const char *ifname = lx_net_link_label(L, 1, NULL, &ln);
	const char *cidr = lx_checkstring(L, 2);
	struct lx_net_guard *g;
	struct nl_addr *local;
	struct rtnl_link *link;
	struct rtnl_addr *a;
	uint32_t valid = 0, preferred = 0, brd = 0;
	int err, flags = 0, lifetimes = 0, has_brd = 0;

	/* addr_del takes no options: a table there (addr_add's, say) would
	 * look as if it filtered the delete, and was ignored */
	if (!lua_isnoneornil(L, 3)) {
		if (!add)
			return luaL_argerror(L, 3, lua_pushfstring(L, "no options expected, got %s",
			                                           luaL_typename(L, 3)));
		luaL_checktype(L, 3, LUA_TTABLE);
	}
	lua_settop(L, 3);
	g = lx_net_newguard(L);
	local = check_cidr(L, 2, g);
	/* libnl leaves a prefix length of 0 out of the request (it takes 0
	 * for "not set") and then refuses to send it: an EIO said nothing */
	if (nl_addr_get_prefixlen(local) == 0)
		return luaL_argerror(L, 2, lua_pushfstring(L, "a prefix length of 1 or more expected, got '%s'", cidr));
	lx_checkoptkeys(L, 3, keys);
	/* before the link is looked up: a bad option raises whether or not
	 * the link is there */
	if (add) {
		lifetimes = check_lifetimes(L, 3, &valid, &preferred);
		has_brd = check_broadcast(L, 3, local, &brd);
	}
	snprintf(ctx, sizeof ctx, "%s %s %s", add ? "addr_add" : "addr_del", ifname, cidr);
	if (!(link = g->link[0] = lx_net_get_link(&ln, &err)))
		return lx_net_gfail(L, g, err, ctx);
	if (!(a = g->addr = rtnl_addr_alloc()))
		return lx_net_gfail(L, g, -NLE_NOMEM, ctx);
	rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
	rtnl_addr_set_local(a, local);
	if (has_brd) {
		struct nl_addr *b = nl_addr_build(AF_INET, &brd, 4);
		if (!b)
			return lx_net_gfail(L, g, -NLE_NOMEM, ctx);
		rtnl_addr_set_broadcast(a, b);
		nl_addr_put(b);
	}
	if (add) {
		if (lifetimes) {
			rtnl_addr_set_valid_lifetime(a, valid);
			rtnl_addr_set_preferred_lifetime(a, preferred);
		}
		if (lx_optboolean(L, 3, "nodad", 0))
			rtnl_addr_set_flags(a, IFA_F_NODAD);
		flags = lx_optboolean(L, 3, "replace", 0) ? NLM_F_REPLACE : NLM_F_EXCL;
	}
	err = add ? rtnl_addr_add(sync_sk, a, flags) : rtnl_addr_delete(sync_sk, a, 0);
	return lx_net_finish(L, g, err, ctx);
}

/** addr_add : (ifname | index, "10.0.2.15/24", {broadcast = true | "ip", valid = s, preferred = s, replace = bool, nodad = bool}?) -> true | (nil, string, integer)
 * The address is IPv4 or IPv6 with a prefix length of 1 or more, in
 * decimal digits up to the address's bits; one of nl_addr_parse's words
 * ("any/24", lx_net_parse_ip) raises, as does anything else.
 * Unknown keys raise. broadcast is IPv4 only (check_broadcast): true,
 * false or an IPv4 address, and raises otherwise or on an IPv6 address.
 * Without replace an existing address is EEXIST. valid is 1-4294967295
 * (forever), preferred 0-valid, and either raises otherwise; valid
 * defaults to forever, preferred to valid. */
static int l_addr_add(lua_State *L) { return addr_change(L, 1); }

/** addr_del : (ifname | index, "10.0.2.15/24") -> true | (nil, string, integer)
 * The prefix length must match the address's. A third argument other
 * than nil raises: there are no options. */
static int l_addr_del(lua_State *L) { return addr_change(L, 0); }

static const luaL_Reg funcs[] = {
	{ "links", l_links }, { "link_set", l_link_set },
	{ "addresses", l_addresses }, { "addr_add", l_addr_add }, { "addr_del", l_addr_del },
	{ NULL, NULL }
};

int luaopen_luainit_net(lua_State *L);
int luaopen_luainit_net(lua_State *L)
{
	if (luaL_newmetatable(L, GUARD_MT)) {
		lua_pushcfunction(L, guard_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_pop(L, 1);
	luaL_newlib(L, funcs);
	lx_net_open_routes(L);
	lx_net_open_monitor(L);
	lx_net_open_dhcp(L);
	return 1;
}
