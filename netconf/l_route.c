/* l_route.c: the routes of luainit.net (the module is l_net.c's, with the
 * request socket, errors and guard this file shares through net.h):
 * routes listed, added and deleted over rtnetlink (libnl-route). What a
 * route is in the network config is lua/netcheck.lua's, which routes it
 * adds lua/network.lua's.
 * Errors name the operation and the route: nil, "route_add default via
 * 10.0.2.2 dev eth0: File exists", errno, "EEXIST". */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <lauxlib.h>

#include "lx.h"
#include "net.h"

/* rtnl_route_str2proto reads /etc/iproute2, which a small system lacks. */
static const struct { const char *name; int proto; } protos[] = {
	{ "redirect", RTPROT_REDIRECT }, { "kernel", RTPROT_KERNEL }, { "boot", RTPROT_BOOT },
	{ "static", RTPROT_STATIC }, { "ra", RTPROT_RA }, { "dhcp", RTPROT_DHCP },
};

static int str2proto(const char *s)
{
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
		if (!strcmp(protos[i].name, s))
			return protos[i].proto;
	return rtnl_route_str2proto(s);
}

static const char *proto2str(int p, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
		if (protos[i].proto == p)
			return protos[i].name;
	return rtnl_route_proto2str(p, buf, len);
}

/* One table per nexthop: libnl merges IPv6 routes that differ only in
 * their device (fe80::/64 on every link) into one multipath object. */
static int push_routes(lua_State *L, struct rtnl_route *r, struct nl_cache *links, int n)
{
	char dst[INET6_ADDRSTRLEN + 8], buf[INET6_ADDRSTRLEN + 8], name[64];
	struct nl_addr *d = rtnl_route_get_dst(r), *src = rtnl_route_get_pref_src(r);
	int nnh = rtnl_route_get_nnexthops(r);

	if (!d || nl_addr_get_prefixlen(d) == 0) {
		strcpy(dst, "default");
	} else {
		size_t len;
		lx_net_nladdr_str(d, dst, sizeof dst);
		len = strlen(dst);
		snprintf(dst + len, sizeof dst - len, "/%u", nl_addr_get_prefixlen(d));
	}
	for (int i = 0; i < (nnh > 0 ? nnh : 1); i++) {
		lua_createtable(L, 0, 9);
		lx_setstr(L, "family", lx_net_family(rtnl_route_get_family(r)));
		lx_setstr(L, "dst", dst);
		if (nnh > 0) {
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
			struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
			if (gw) {
				lx_net_nladdr_str(gw, buf, sizeof buf);
				lx_setstr(L, "gateway", buf);
			}
			if (rtnl_link_i2name(links, rtnl_route_nh_get_ifindex(nh), name, sizeof name))
				lx_setstr(L, "dev", name);
		}
		if (src) {
			lx_net_nladdr_str(src, buf, sizeof buf);
			lx_setstr(L, "src", buf);
		}
		lx_setint(L, "metric", rtnl_route_get_priority(r));
		lx_setint(L, "table", rtnl_route_get_table(r));
		lx_setstr(L, "protocol", proto2str(rtnl_route_get_protocol(r), buf, sizeof buf));
		lx_setstr(L, "scope", rtnl_scope2str(rtnl_route_get_scope(r), buf, sizeof buf));
		lua_rawseti(L, -2, ++n);
	}
	return n;
}

/** routes : (family "inet"|"inet6"|nil, table?) -> {{family, dst ("default"|cidr), gateway?, dev?, src?, metric, table, protocol, scope}, ...} | (nil, string, integer)
 * table: an integer 0-4294967295 (default 254, main) or "all"; anything
 * else raises. Only unicast routes. */
static int l_routes(lua_State *L)
{
	static const char *const fams[] = { "inet", "inet6", NULL };
	int family = lua_isnoneornil(L, 1) ? AF_UNSPEC :
		(lx_checkoption(L, 1, NULL, fams) == 0 ? AF_INET : AF_INET6);
	int all = lua_type(L, 2) == LUA_TSTRING && !strcmp(lx_checkstring(L, 2), "all");
	uint32_t table = RT_TABLE_MAIN;
	lua_Integer t = 0;
	struct lx_net_guard *g;
	struct nl_cache *links, *c;
	int err, n = 0;
	struct nl_sock *sk = lx_net_sock(&err);

	/* a number only (luaL_optinteger took "254"), and in range (it was
	 * cast: -1 listed table 4294967295) */
	if (!all && !lua_isnoneornil(L, 2)) {
		const char *got;
		if (!lx_getint(L, 2, &t, &got) || t < 0 || t > (lua_Integer)UINT32_MAX)
			return luaL_argerror(L, 2, "table id 0-4294967295 or \"all\" expected");
		table = (uint32_t)t;
	}
	lua_settop(L, 2);
	g = lx_net_newguard(L);

	if (!sk || (err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &g->cache[0])) < 0 ||
	    (err = rtnl_route_alloc_cache(sk, family, 0, &g->cache[1])) < 0)
		return lx_net_gfail(L, g, err, "routes");
	links = g->cache[0];
	c = g->cache[1];
	lua_newtable(L);
	for (struct nl_object *o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		if (rtnl_route_get_type(r) != RTN_UNICAST || (!all && rtnl_route_get_table(r) != table))
			continue;
		n = push_routes(L, r, links, n);
	}
	lx_net_guard_free(g);
	return 1;
}

/* A route's gateway or src (key), an address of the route's family (fam
 * names it) as lx_net_parse_ip reads one, with no prefix length: neither
 * has a use for one, and nl_addr_parse read "10.0.0.1/24" as 10.0.0.1 with
 * a prefix the request never carries: the route went via 10.0.0.1, the
 * "/24" dropped without a word. An address with any prefix length, one
 * lx_net_parse_ip takes or not ("/33"), gets that message. Raises; the
 * address is the caller's to put. */
static struct nl_addr *check_host(lua_State *L, const char *ctx, const char *key, const char *s,
                                  int family, const char *fam)
{
	struct nl_addr *a;
	char why[80];

	if (lx_net_parse_ip(s, family, &a, why, sizeof why) < 0 && !*why)
		luaL_error(L, "%s: %s: %s address expected", ctx, key, fam);
	if (strchr(s, '/')) {
		nl_addr_put(a);   /* NULL after a bad prefix length: a no-op */
		luaL_error(L, "%s: %s: %s address without a prefix length expected, got '%s'", ctx, key,
		           fam, s);
	}
	return a;
}

/* Build a route from the spec table at index 1 into g->route; a
 * description goes to ctx. */
static struct rtnl_route *check_route(lua_State *L, struct lx_net_guard *g, int add, char *ctx,
                                      size_t len, int *nle)
{
	const char *dst = lx_optstring(L, 1, "dst", "default");
	const char *gw = lx_optstring(L, 1, "gateway", NULL);
	const char *src = lx_optstring(L, 1, "src", NULL);
	const char *proto = lx_optstring(L, 1, "protocol", add ? "boot" : NULL);
	const char *dev = NULL, *by, *fam;
	struct lx_net_link ln;
	char why[80] = "";
	int family, p;
	struct rtnl_route *r;
	struct nl_addr *a;

	/* dev: a link name or index, read once (lx_net_get_link below looks
	 * it up); the value stays on the stack, holding the name, until the
	 * request is sent */
	if (lua_getfield(L, 1, "dev") != LUA_TNIL)
		dev = lx_net_link_label(L, lua_gettop(L), "dev", &ln);

	snprintf(ctx, len, "%s %s%s%s%s%s", add ? "route_add" : "route_del", dst,
	         gw ? " via " : "", gw ? gw : "", dev ? " dev " : "", dev ? dev : "");
	/* The family is dst's, or for "default" the gateway's, or src's (an
	 * IPv6 default route through a point-to-point link has only src),
	 * else IPv4; a gateway or src of the other family is its error. */
	by = strcmp(dst, "default") ? dst : gw ? gw : src;
	family = by && strchr(by, ':') ? AF_INET6 : AF_INET;
	fam = family == AF_INET6 ? "IPv6" : "IPv4";
	if (!(r = g->route = rtnl_route_alloc())) {
		*nle = -NLE_NOMEM;
		return NULL;
	}
	rtnl_route_set_family(r, (uint8_t)family);
	/* "default" only, of nl_addr_parse's words (lx_net_parse_ip): "any/24" was a
	 * route to 0.0.0.0/24; a bad prefix length is named ("dst: prefix
	 * length 33 out of range 0..32") */
	if ((strcmp(dst, "default") ? lx_net_parse_ip(dst, family, &a, why, sizeof why) :
	     nl_addr_parse(dst, family, &a)) < 0)
		luaL_error(L, "%s: dst: %s", ctx, *why ? why : "\"default\" or an address expected");
	rtnl_route_set_dst(r, a);
	nl_addr_put(a);
	if (src) {
		a = check_host(L, ctx, "src", src, family, fam);
		rtnl_route_set_pref_src(r, a);
		nl_addr_put(a);
	}
	rtnl_route_set_table(r, lx_net_opt_u32(L, 1, "table", RT_TABLE_MAIN));
	rtnl_route_set_priority(r, lx_net_opt_u32(L, 1, "metric", 0));
	/* a delete must not filter on the protocol unless asked */
	p = proto ? str2proto(proto) : RTPROT_UNSPEC;
	if (p < 0)
		luaL_error(L, "%s: unknown protocol '%s'", ctx, proto);
	rtnl_route_set_protocol(r, (uint8_t)p);
	if (gw || dev) {
		struct rtnl_nexthop *nh = g->nh = rtnl_route_nh_alloc();
		if (!nh) {
			*nle = -NLE_NOMEM;
			return NULL;
		}
		if (gw) {
			a = check_host(L, ctx, "gateway", gw, family, fam);
			rtnl_route_nh_set_gateway(nh, a);
			nl_addr_put(a);
		}
		if (dev) {
			if (!(g->link[0] = lx_net_get_link(&ln, nle)))
				return NULL;
			rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(g->link[0]));
		}
		rtnl_route_add_nexthop(r, nh);
		g->nh = NULL;   /* the route's now */
	}
	return r;
}

static int route_change(lua_State *L, int add)
{
	/* a delete takes no replace (it was ignored); protocol, when given,
	 * is a filter */
	static const char *const add_keys[] = { "dst", "gateway", "dev", "metric", "table",
		"src", "protocol", "replace", "append", NULL };
	static const char *const del_keys[] = { "dst", "gateway", "dev", "metric", "table",
		"src", "protocol", NULL };
	char ctx[200];
	struct lx_net_guard *g;
	struct nl_sock *sk;
	struct rtnl_route *r;
	int err, flags;

	lx_checkkeys(L, 1, add ? add_keys : del_keys, NULL);
	flags = !add ? 0 : lx_optboolean(L, 1, "replace", 0) ? NLM_F_REPLACE : NLM_F_EXCL;
	/* append: beside the routes to the same dst with the same metric (an
	 * IPv4 replace takes the first of them, another link's default
	 * route; without either it is EEXIST), as `ip route append` */
	if (add && lx_optboolean(L, 1, "append", 0)) {
		if (flags == NLM_F_REPLACE)
			luaL_argerror(L, 1, "replace and append exclude each other");
		flags = NLM_F_APPEND;
	}
	lua_settop(L, 1);
	g = lx_net_newguard(L);
	if (!(sk = lx_net_sock(&err)))
		return lx_net_gfail(L, g, err, add ? "route_add" : "route_del");
	if (!(r = check_route(L, g, add, ctx, sizeof ctx, &err)))
		return lx_net_gfail(L, g, err, ctx);
	err = add ? rtnl_route_add(sk, r, flags) : rtnl_route_delete(sk, r, 0);
	return lx_net_finish(L, g, err, ctx);
}

/** route_add : ({dst = "default"|cidr, gateway?, dev?, metric?, table?, src?, protocol? ("boot"), replace?, append?}) -> true | (nil, string, integer)
 * dev: a link name or index, as l_net.c's link_arg takes it. The family
 * is dst's, or for "default" the gateway's or src's (a gateway or src of
 * the other raises); an existing route is EEXIST unless replace (which,
 * for IPv4, replaces the first route to dst with that metric, whatever
 * its gateway and dev) or append (added after those; EEXIST only for the
 * very same route). dst is
 * "default", written so, or an address; gateway and src addresses
 * without a prefix length ("10.0.0.1/24" raises, check_host):
 * nl_addr_parse's other words ("any", "all", "none", "DEFAULT",
 * "default/8") raise in each. String fields take strings only (a number
 * raises). Unknown keys raise. */
static int l_route_add(lua_State *L) { return route_change(L, 1); }

/** route_del : ({dst, gateway?, dev?, metric?, table?, src?, protocol?}) -> true | (nil, string, integer)
 * Fields left out match any value; those given are read, and raise, as
 * route_add's. Unknown keys raise, replace and append among
 * them. */
static int l_route_del(lua_State *L) { return route_change(L, 0); }

static const luaL_Reg funcs[] = {
	{ "routes", l_routes }, { "route_add", l_route_add }, { "route_del", l_route_del },
	{ NULL, NULL }
};

void lx_net_open_routes(lua_State *L)
{
	luaL_setfuncs(L, funcs, 0);
}
