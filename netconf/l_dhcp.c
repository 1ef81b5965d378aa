/* l_dhcp.c: the DHCPv4 part of luainit.net: the packet codec (dhcp.c) as
 * Lua tables, and the client's UDP socket. The state machine is Lua
 * (lua/network.lua); this file only moves bytes and never blocks. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lauxlib.h>

#include "dhcp.h"
#include "lx.h"
#include "net.h"

#define DSOCK_MT "luainit.net.dhcp_socket"

static const char *const types[] = {
	"?", "discover", "offer", "request", "decline", "ack", "nak", "release", "inform", NULL
};

/* A field's string as C reads it (lx_tocstr): one with a NUL inside
 * raises naming the field ("dhcp_build: field 'ciaddr': string without
 * NUL bytes expected, got a NUL at byte 9"), where inet_pton took
 * "10.0.0.1\0x" as 10.0.0.1. */
#define FIELD_FMT "dhcp_build: field '%s'"

/* A field's IPv4 address: a string inet_pton reads, never a number (Lua
 * would coerce 167772161 to a string inet_pton refuses, or 0 to "0",
 * with a message that never said what came). */
static uint32_t checkip(lua_State *L, int idx, const char *key)
{
	const char *got;
	struct in_addr a;

	if (lua_type(L, idx) != LUA_TSTRING)
		got = luaL_typename(L, idx);
	else if (inet_pton(AF_INET, lx_tocstr(L, idx, FIELD_FMT, key), &a) == 1)
		return a.s_addr;
	else
		got = lua_pushfstring(L, "'%s'", lua_tostring(L, idx));
	luaL_error(L, "dhcp_build: field '%s': IPv4 address expected, got %s", key, got);
	return 0;
}

/* A field's integer 0-max: a number (2.0 too: lx_getint), never a string
 * Lua would coerce ("7" was xid 7), as the binding's other integers. */
static lua_Integer checkrange(lua_State *L, int idx, const char *key, lua_Integer max)
{
	lua_Integer v;
	const char *got;

	if (lx_getint(L, idx, &v, &got)) {
		if (v >= 0 && v <= max)
			return v;
		lua_pushinteger(L, v);
		got = lua_tostring(L, -1);
	}
	return luaL_error(L, "dhcp_build: field '%s': integer 0-%I expected, got %s", key, max, got);
}

static void checktext(lua_State *L, int idx, const char *key, char *dst, size_t cap)
{
	const char *s = lx_tocstr(L, idx, FIELD_FMT, key);
	size_t n = s ? lua_rawlen(L, idx) : cap;

	if (n >= cap)
		luaL_error(L, "dhcp_build: field '%s': string under %d bytes expected", key, (int)cap);
	memcpy(dst, s, n + 1);
}

static void checklist(lua_State *L, int idx, const char *key, uint32_t *dst, uint8_t *n, int max)
{
	luaL_checktype(L, idx, LUA_TTABLE);
	*n = 0;
	for (int i = 1; lua_rawgeti(L, idx, i) != LUA_TNIL; i++) {
		if (i > max)
			luaL_error(L, "dhcp_build: field '%s': at most %d addresses", key, max);
		dst[(*n)++] = checkip(L, -1, key);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* One key of the dhcp_build table (key at -2, value at -1). */
static void build_field(lua_State *L, struct dhcp_msg *m, const char *k)
{
	if (!strcmp(k, "op")) {
		static const char *const ops[] = { "request", "reply", NULL };
		lx_tocstr(L, -1, FIELD_FMT, k);
		m->op = (uint8_t)(luaL_checkoption(L, -1, NULL, ops) + 1);
	} else if (!strcmp(k, "type")) {
		lx_tocstr(L, -1, FIELD_FMT, k);
		m->type = (uint8_t)luaL_checkoption(L, -1, NULL, types);
	} else if (!strcmp(k, "xid")) {
		m->xid = (uint32_t)checkrange(L, -1, k, 0xffffffffLL);
	} else if (!strcmp(k, "secs")) {
		m->secs = (uint16_t)checkrange(L, -1, k, 0xffff);
	} else if (!strcmp(k, "broadcast")) {
		m->flags = lua_toboolean(L, -1) ? 0x8000 : 0;
	} else if (!strcmp(k, "ciaddr")) {
		m->ciaddr = checkip(L, -1, k);
	} else if (!strcmp(k, "yiaddr")) {
		m->yiaddr = checkip(L, -1, k);
	} else if (!strcmp(k, "siaddr")) {
		m->siaddr = checkip(L, -1, k);
	} else if (!strcmp(k, "giaddr")) {
		m->giaddr = checkip(L, -1, k);
	} else if (!strcmp(k, "chaddr")) {
		const char *s = lx_tocstr(L, -1, FIELD_FMT, k);
		int n = s ? lx_net_parse_mac(s, m->chaddr, 16) : -1;
		if (n < 0)
			luaL_error(L, "dhcp_build: field 'chaddr': \"aa:bb:..\" expected");
		m->hlen = (uint8_t)n;
	} else if (!strcmp(k, "server_id")) {
		m->server_id = checkip(L, -1, k); m->have |= DHCP_HAVE_SERVER_ID;
	} else if (!strcmp(k, "requested_ip")) {
		m->requested_ip = checkip(L, -1, k); m->have |= DHCP_HAVE_REQUESTED;
	} else if (!strcmp(k, "subnet_mask")) {
		m->mask = checkip(L, -1, k); m->have |= DHCP_HAVE_MASK;
	} else if (!strcmp(k, "broadcast_address")) {
		m->broadcast = checkip(L, -1, k); m->have |= DHCP_HAVE_BROADCAST;
	} else if (!strcmp(k, "lease")) {
		m->lease = (uint32_t)checkrange(L, -1, k, 0xffffffffLL); m->have |= DHCP_HAVE_LEASE;
	} else if (!strcmp(k, "t1")) {
		m->t1 = (uint32_t)checkrange(L, -1, k, 0xffffffffLL); m->have |= DHCP_HAVE_T1;
	} else if (!strcmp(k, "t2")) {
		m->t2 = (uint32_t)checkrange(L, -1, k, 0xffffffffLL); m->have |= DHCP_HAVE_T2;
	} else if (!strcmp(k, "mtu")) {
		m->mtu = (uint16_t)checkrange(L, -1, k, 0xffff); m->have |= DHCP_HAVE_MTU;
	} else if (!strcmp(k, "max_size")) {
		m->maxsize = (uint16_t)checkrange(L, -1, k, 0xffff); m->have |= DHCP_HAVE_MAXSIZE;
	} else if (!strcmp(k, "routers")) {
		checklist(L, lua_gettop(L), k, m->routers, &m->nrouters, DHCP_MAX_ROUTERS);
	} else if (!strcmp(k, "dns")) {
		checklist(L, lua_gettop(L), k, m->dns, &m->ndns, DHCP_MAX_DNS);
	} else if (!strcmp(k, "hostname")) {
		checktext(L, -1, k, m->hostname, sizeof m->hostname);
	} else if (!strcmp(k, "domain")) {
		checktext(L, -1, k, m->domain, sizeof m->domain);
	} else if (!strcmp(k, "message")) {
		checktext(L, -1, k, m->message, sizeof m->message);
	} else if (!strcmp(k, "client_id")) {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		if (!s || n > DHCP_MAX_CLIENTID)
			luaL_error(L, "dhcp_build: field 'client_id': at most %d bytes", DHCP_MAX_CLIENTID);
		memcpy(m->client_id, s, n);
		m->client_id_len = (uint8_t)n;
	} else if (!strcmp(k, "params")) {
		luaL_checktype(L, -1, LUA_TTABLE);
		for (int i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
			if (i > DHCP_MAX_PARAMS)
				luaL_error(L, "dhcp_build: field 'params': at most %d", DHCP_MAX_PARAMS);
			m->params[m->nparams++] = (uint8_t)checkrange(L, -1, k, 254);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	} else {
		luaL_error(L, "dhcp_build: unknown field '%s'", k);
	}
}

/** dhcp_build : (msg table) -> bytes
 * Raises on an unknown field or a bad value (misuse). Fields as dhcp_parse
 * returns them; type is required, op defaults to "request". */
static int l_dhcp_build(lua_State *L)
{
	struct dhcp_msg m;
	uint8_t buf[DHCP_MAX_LEN];
	int n;

	luaL_checktype(L, 1, LUA_TTABLE);
	memset(&m, 0, sizeof m);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "dhcp_build: field names must be strings");
		/* {["xid\0x"] = 1} set xid */
		build_field(L, &m, lx_tocstr(L, -2, "dhcp_build: field name"));
		lua_pop(L, 1);
	}
	if (!m.type)
		luaL_error(L, "dhcp_build: field 'type' is required");
	if ((n = dhcp_build(&m, buf, sizeof buf)) < 0)
		luaL_error(L, "dhcp_build: options do not fit in %d bytes", DHCP_MAX_LEN);
	lua_pushlstring(L, (const char *)buf, (size_t)n);
	return 1;
}

static void setip(lua_State *L, const char *key, uint32_t a)
{
	char s[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, s, sizeof s);
	lua_pushstring(L, s);
	lua_setfield(L, -2, key);
}

static void setlist(lua_State *L, const char *key, const uint32_t *a, int n)
{
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		char s[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &a[i], s, sizeof s);
		lua_pushstring(L, s);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, key);
}

/** dhcp_parse : (bytes, xid?) -> msg table | (nil, reason)
 * With xid, only a BOOTREPLY carrying that xid is accepted (a client's
 * view); without, any well-formed packet. reason is a short fixed string
 * ("wrong xid", "truncated option", "bad magic cookie", ...). */
static int l_dhcp_parse(lua_State *L)
{
	size_t len;
	const uint8_t *b = (const uint8_t *)luaL_checklstring(L, 1, &len);
	int anyxid = lua_isnoneornil(L, 2);
	uint32_t xid = anyxid ? 0 : (uint32_t)luaL_checkinteger(L, 2);
	struct dhcp_msg m;
	const char *why;
	char mac[16 * 3 + 1];

	if (dhcp_parse(b, len, xid, anyxid ? DHCP_ANY_XID : DHCP_REPLY_ONLY, &m, &why)) {
		lua_pushnil(L);
		lua_pushstring(L, why);
		return 2;
	}
	lua_createtable(L, 0, 24);
	lua_pushstring(L, m.op == 2 ? "reply" : "request");
	lua_setfield(L, -2, "op");
	lua_pushstring(L, types[m.type]);
	lua_setfield(L, -2, "type");
	lx_setint(L, "xid", m.xid);
	lx_setint(L, "secs", m.secs);
	lua_pushboolean(L, (m.flags & 0x8000) != 0);
	lua_setfield(L, -2, "broadcast");
	setip(L, "ciaddr", m.ciaddr);
	setip(L, "yiaddr", m.yiaddr);
	setip(L, "siaddr", m.siaddr);
	setip(L, "giaddr", m.giaddr);
	/* as links() writes a link's address, which the client compares */
	lx_net_addr_str(AF_UNSPEC, m.chaddr, m.hlen, mac, sizeof mac);
	lx_setstr(L, "chaddr", mac);
	if (m.have & DHCP_HAVE_SERVER_ID) setip(L, "server_id", m.server_id);
	if (m.have & DHCP_HAVE_REQUESTED) setip(L, "requested_ip", m.requested_ip);
	if (m.have & DHCP_HAVE_MASK) setip(L, "subnet_mask", m.mask);
	if (m.have & DHCP_HAVE_BROADCAST) setip(L, "broadcast_address", m.broadcast);
	if (m.have & DHCP_HAVE_LEASE) lx_setint(L, "lease", m.lease);
	if (m.have & DHCP_HAVE_T1) lx_setint(L, "t1", m.t1);
	if (m.have & DHCP_HAVE_T2) lx_setint(L, "t2", m.t2);
	if (m.have & DHCP_HAVE_MTU) lx_setint(L, "mtu", m.mtu);
	if (m.have & DHCP_HAVE_MAXSIZE) lx_setint(L, "max_size", m.maxsize);
	if (m.nrouters) setlist(L, "routers", m.routers, m.nrouters);
	if (m.ndns) setlist(L, "dns", m.dns, m.ndns);
	if (m.hostname[0]) { lua_pushstring(L, m.hostname); lua_setfield(L, -2, "hostname"); }
	if (m.domain[0]) { lua_pushstring(L, m.domain); lua_setfield(L, -2, "domain"); }
	if (m.message[0]) { lua_pushstring(L, m.message); lua_setfield(L, -2, "message"); }
	if (m.client_id_len) {
		lua_pushlstring(L, (const char *)m.client_id, m.client_id_len);
		lua_setfield(L, -2, "client_id");
	}
	if (m.nparams) {
		lua_createtable(L, m.nparams, 0);
		for (int i = 0; i < m.nparams; i++) {
			lua_pushinteger(L, m.params[i]);
			lua_rawseti(L, -2, i + 1);
		}
		lua_setfield(L, -2, "params");
	}
	return 1;
}

struct dsock {
	int fd;            /* -1: closed */
	char ifname[IF_NAMESIZE];
};

static struct dsock *check_dsock(lua_State *L, int idx)
{
	struct dsock *s = luaL_checkudata(L, idx, DSOCK_MT);
	if (s->fd < 0)
		luaL_error(L, "dhcp socket used after close");
	return s;
}

static int dsock_close(lua_State *L)
{
	struct dsock *s = luaL_checkudata(L, 1, DSOCK_MT);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}

static int dsock_tostring(lua_State *L)
{
	struct dsock *s = luaL_checkudata(L, 1, DSOCK_MT);
	lua_pushfstring(L, "net.dhcp_socket (%s, fd %d)", s->ifname, s->fd);
	return 1;
}

/** dhcp_socket : (ifname) -> socket | (nil, string, integer)
 * UDP 0.0.0.0:68 bound to the interface (SO_BINDTODEVICE), broadcast
 * allowed, non-blocking. Replies reach it while the interface has no
 * address because requests ask for a broadcast reply. */
static int l_dhcp_socket(lua_State *L)
{
	size_t n;
	const char *ifname = lx_checklstring(L, 1, &n);
	struct dsock *s;
	struct sockaddr_in sa;
	int one = 1, err;

	luaL_argcheck(L, n > 0 && n < IF_NAMESIZE, 1, "interface name empty or too long");
	s = lua_newuserdatauv(L, sizeof *s, 0);
	s->fd = -1;
	memcpy(s->ifname, ifname, n + 1);
	luaL_setmetatable(L, DSOCK_MT);
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return lx_fail(L, errno, "dhcp %s: socket", ifname);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(68);
	if (setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)n + 1) < 0 ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err = errno;
		close(s->fd);
		s->fd = -1;
		return lx_fail(L, err, "dhcp %s: bind port 68", ifname);
	}
	return 1;
}

/** socket:send : (bytes, dest_ip?) -> true | (nil, string, integer)
 * To dest_ip:67 (default 255.255.255.255). */
static int dsock_send(lua_State *L)
{
	struct dsock *s = check_dsock(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	const char *dest = lx_optstr(L, 3, "255.255.255.255");
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(67);
	luaL_argcheck(L, inet_pton(AF_INET, dest, &sa.sin_addr) == 1, 3, "IPv4 address expected");
	if (sendto(s->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof sa) < 0)
		return lx_fail(L, errno, "dhcp %s: send to %s", s->ifname, dest);
	return lx_ok(L);
}

/** socket:recv : () -> bytes, src_ip | (nil, string, integer)
 * One datagram; EAGAIN when none is queued. */
static int dsock_recv(lua_State *L)
{
	struct dsock *s = check_dsock(L, 1);
	uint8_t buf[DHCP_MAX_LEN + 1];   /* +1: tell an oversized packet apart */
	struct sockaddr_in sa;
	socklen_t alen = sizeof sa;
	char ip[INET_ADDRSTRLEN];
	ssize_t n;

	n = recvfrom(s->fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&sa, &alen);
	if (n < 0)
		return lx_fail(L, errno, "dhcp %s: recv", s->ifname);
	if ((size_t)n > sizeof buf)
		n = sizeof buf;
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
	lua_pushlstring(L, (const char *)buf, (size_t)n);
	lua_pushstring(L, ip);
	return 2;
}

static int dsock_fileno(lua_State *L)
{
	lua_pushinteger(L, check_dsock(L, 1)->fd);
	return 1;
}

static const luaL_Reg dsock_methods[] = {
	{ "send", dsock_send }, { "recv", dsock_recv }, { "fileno", dsock_fileno },
	{ "close", dsock_close },
	{ NULL, NULL }
};

static const luaL_Reg funcs[] = {
	{ "dhcp_build", l_dhcp_build }, { "dhcp_parse", l_dhcp_parse },
	{ "dhcp_socket", l_dhcp_socket },
	{ NULL, NULL }
};

void lx_net_open_dhcp(lua_State *L)
{
	lx_newtype(L, DSOCK_MT, dsock_methods, dsock_close, dsock_close, dsock_tostring);
	luaL_setfuncs(L, funcs, 0);
}
