/* nlmon.c: net.monitor, link and address events read straight from an
 * rtnetlink socket. The events arrive while PID 1 runs (a carrier change,
 * a link that appears, IPv6 addresses after DAD), so this is plain
 * parsing of ifinfomsg and ifaddrmsg with their attributes, in the part of
 * the binary PID 1 keeps (see init/cold.c), not libnl's object parsers:
 * l_net.c (libnl) configures links, this file only listens. The tables it
 * pushes have the fields of net.links() and net.addresses(); the field
 * helpers are shared with l_net.c through net.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <lauxlib.h>

#include "lx.h"
#include "net.h"

#define MON_MT "luainit.net.monitor"
#define MON_BATCH 64             /* datagrams per recv: the loop has other work */

static const struct { unsigned bit; const char *name; } ifflags[] = {
	{ IFF_UP, "up" }, { IFF_BROADCAST, "broadcast" }, { IFF_LOOPBACK, "loopback" },
	{ IFF_POINTOPOINT, "pointopoint" }, { IFF_RUNNING, "running" }, { IFF_NOARP, "noarp" },
	{ IFF_PROMISC, "promisc" }, { IFF_ALLMULTI, "allmulti" }, { IFF_MULTICAST, "multicast" },
	{ IFF_LOWER_UP, "lower_up" }, { IFF_DORMANT, "dormant" }, { IFF_MASTER, "master" },
	{ IFF_SLAVE, "slave" },
};

static const char *const operstates[] = {
	"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up",
};

void lx_net_push_flags(lua_State *L, unsigned fl)
{
	lua_createtable(L, 0, 4);
	for (size_t i = 0; i < sizeof ifflags / sizeof ifflags[0]; i++)
		if (fl & ifflags[i].bit) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, ifflags[i].name);
		}
}

const char *lx_net_family(int f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : "other";
}

void lx_net_operstate(unsigned st, char *buf, size_t len)
{
	if (st < sizeof operstates / sizeof operstates[0])
		snprintf(buf, len, "%s", operstates[st]);
	else
		snprintf(buf, len, "0x%x", st);
}

void lx_net_addr_str(int family, const uint8_t *b, unsigned n, char *buf, size_t len)
{
	buf[0] = '\0';
	if ((family == AF_INET && n == 4) || (family == AF_INET6 && n == 16)) {
		inet_ntop(family, b, buf, (socklen_t)len);
		return;
	}
	for (unsigned i = 0; i < n && 3 * i + 3 <= len; i++)
		snprintf(buf + 3 * i, 4, "%02x:", b[i]);
	if (n && 3 * n <= len)
		buf[3 * n - 1] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int lx_net_parse_mac(const char *s, uint8_t *out, int max)
{
	int n = 0;

	if (!*s)
		return 0;
	/* s[1] is read only after a hex digit, s[3] only after a colon */
	for (;; s += 3) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0 || n == max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		if (!s[2])
			return n;
		if (s[2] != ':')
			return -1;
	}
}

struct mon {
	int fd;   /* -1: closed */
};

static struct mon *check_mon(lua_State *L, int idx)
{
	struct mon *m = luaL_checkudata(L, idx, MON_MT);
	if (m->fd < 0)
		luaL_error(L, "net monitor used after close");
	return m;
}

static int mon_close(lua_State *L)
{
	struct mon *m = luaL_checkudata(L, 1, MON_MT);
	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
	return 0;
}

static int mon_tostring(lua_State *L)
{
	struct mon *m = luaL_checkudata(L, 1, MON_MT);
	lua_pushfstring(L, "net.monitor (fd %d)", m->fd);
	return 1;
}

static int mon_fileno(lua_State *L)
{
	lua_pushinteger(L, check_mon(L, 1)->fd);
	return 1;
}

/* rta[type] = the attribute, for every type below max; later ones win. */
static void attrs(struct rtattr *rta, int len, struct rtattr **tb, int max)
{
	memset(tb, 0, sizeof *tb * (size_t)max);
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type < max)
			tb[rta->rta_type] = rta;
}

static int attr_u32(struct rtattr *a, uint32_t *v)
{
	if (!a || RTA_PAYLOAD(a) < sizeof *v)
		return 0;
	memcpy(v, RTA_DATA(a), sizeof *v);
	return 1;
}

/* A string attribute, bounded by its payload even without a NUL. */
static void set_attr_str(lua_State *L, const char *k, struct rtattr *a)
{
	const char *s = RTA_DATA(a);
	lua_pushlstring(L, s, strnlen(s, RTA_PAYLOAD(a)));
	lua_setfield(L, -2, k);
}

static void push_link_msg(lua_State *L, struct nlmsghdr *nh)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct rtattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	char buf[64];
	uint32_t mtu = 0;

	attrs(IFLA_RTA(ifi), (int)IFLA_PAYLOAD(nh), tb, IFLA_MAX + 1);
	lua_createtable(L, 0, 9);
	lx_setint(L, "index", ifi->ifi_index);
	if (tb[IFLA_IFNAME])
		set_attr_str(L, "name", tb[IFLA_IFNAME]);
	else
		lx_setstr(L, "name", "");
	lx_net_push_flags(L, ifi->ifi_flags);
	lua_setfield(L, -2, "flags");
	lx_net_operstate(tb[IFLA_OPERSTATE] && RTA_PAYLOAD(tb[IFLA_OPERSTATE]) >= 1
	                 ? *(uint8_t *)RTA_DATA(tb[IFLA_OPERSTATE]) : 0, buf, sizeof buf);
	lx_setstr(L, "operstate", buf);
	attr_u32(tb[IFLA_MTU], &mtu);
	lx_setint(L, "mtu", mtu);
	if (tb[IFLA_ADDRESS]) {
		unsigned n = (unsigned)RTA_PAYLOAD(tb[IFLA_ADDRESS]);
		lx_net_addr_str(n == 4 ? AF_INET : n == 16 ? AF_INET6 : AF_UNSPEC,
		                RTA_DATA(tb[IFLA_ADDRESS]), n, buf, sizeof buf);
		lx_setstr(L, "mac", buf);
	}
	if (tb[IFLA_LINKINFO]) {
		attrs(RTA_DATA(tb[IFLA_LINKINFO]), (int)RTA_PAYLOAD(tb[IFLA_LINKINFO]),
		      info, IFLA_INFO_MAX + 1);
		if (info[IFLA_INFO_KIND])
			set_attr_str(L, "type", info[IFLA_INFO_KIND]);
	}
	lx_setstr(L, "kind", "link");
}

static void push_addr_msg(lua_State *L, struct nlmsghdr *nh)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	struct rtattr *tb[IFA_MAX + 1], *local;
	char buf[INET6_ADDRSTRLEN + 8], name[IF_NAMESIZE];
	uint32_t fl = ifa->ifa_flags;

	attrs(IFA_RTA(ifa), (int)IFA_PAYLOAD(nh), tb, IFA_MAX + 1);
	attr_u32(tb[IFA_FLAGS], &fl);   /* the full 32 bits, when sent */
	lua_createtable(L, 0, 11);
	lx_setint(L, "index", (lua_Integer)ifa->ifa_index);
	if (tb[IFA_LABEL])
		set_attr_str(L, "ifname", tb[IFA_LABEL]);
	else if (if_indextoname(ifa->ifa_index, name))
		lx_setstr(L, "ifname", name);
	lx_setstr(L, "family", lx_net_family(ifa->ifa_family));
	/* IPv6 sends its address as IFA_ADDRESS only; IPv4 as IFA_LOCAL
	 * (IFA_ADDRESS is then the peer on a point-to-point link) */
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (local) {
		lx_net_addr_str(ifa->ifa_family, RTA_DATA(local), (unsigned)RTA_PAYLOAD(local),
		                buf, sizeof buf);
		lx_setstr(L, "address", buf);
	}
	lx_setint(L, "prefixlen", ifa->ifa_prefixlen);
	switch (ifa->ifa_scope) {
	case RT_SCOPE_UNIVERSE: lx_setstr(L, "scope", "global"); break;
	case RT_SCOPE_LINK: lx_setstr(L, "scope", "link"); break;
	case RT_SCOPE_HOST: lx_setstr(L, "scope", "host"); break;
	case RT_SCOPE_SITE: lx_setstr(L, "scope", "site"); break;
	default: lx_setint(L, "scope", ifa->ifa_scope);
	}
	lua_pushboolean(L, (fl & IFA_F_TENTATIVE) != 0);
	lua_setfield(L, -2, "tentative");
	lua_pushboolean(L, (fl & IFA_F_PERMANENT) != 0);
	lua_setfield(L, -2, "permanent");
	if (tb[IFA_CACHEINFO] && RTA_PAYLOAD(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		struct ifa_cacheinfo ci;
		memcpy(&ci, RTA_DATA(tb[IFA_CACHEINFO]), sizeof ci);
		lx_setint(L, "valid_lft", (lua_Integer)ci.ifa_valid);
	} else {
		lx_setint(L, "valid_lft", 0);
	}
	lx_setstr(L, "kind", "addr");
}

/* Push one event per link or address message of the datagram. */
static int push_events(lua_State *L, char *buf, size_t len, int n)
{
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		int t = nh->nlmsg_type;
		if ((t == RTM_NEWLINK || t == RTM_DELLINK) && nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg)))
			push_link_msg(L, nh);
		else if ((t == RTM_NEWADDR || t == RTM_DELADDR) && nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
			push_addr_msg(L, nh);
		else
			continue;
		lx_setstr(L, "action", t == RTM_NEWLINK || t == RTM_NEWADDR ? "new" : "del");
		lua_rawseti(L, -2, ++n);
	}
	return n;
}

/** monitor:recv : () -> {{kind = "link"|"addr"|"overrun", action = "new"|"del", ...link or address fields}, ...}
 * Everything queued, never blocking; {} when nothing is. "overrun" means
 * the kernel dropped events (ENOBUFS): re-read the state with links(). */
static int mon_recv(lua_State *L)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct mon *m = check_mon(L, 1);
	int n = 0;

	lua_newtable(L);
	for (int i = 0; i < MON_BATCH; i++) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof from;
		ssize_t len = recvfrom(m->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == ENOBUFS) {
			lua_createtable(L, 0, 1);
			lx_setstr(L, "kind", "overrun");
			lua_rawseti(L, -2, ++n);
			continue;
		}
		if (len <= 0)
			break;
		if (from.nl_pid != 0)   /* only the kernel speaks on these groups */
			continue;
		n = push_events(L, buf, (size_t)len, n);
	}
	return 1;
}

/** monitor : () -> monitor | (nil, string, integer)
 * A non-blocking socket for link and address events (IPv4 and IPv6);
 * watch it with event.watch(mon, "r", fn) and read with mon:recv(). */
static int l_monitor(lua_State *L)
{
	struct mon *m = lua_newuserdatauv(L, sizeof *m, 0);
	struct sockaddr_nl sa;
	int rcvbuf = 1 << 20, err;

	m->fd = -1;
	luaL_setmetatable(L, MON_MT);
	m->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (m->fd < 0)
		return lx_fail(L, errno, "monitor");
	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(m->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err = errno;
		close(m->fd);
		m->fd = -1;
		return lx_fail(L, err, "monitor");
	}
	/* a burst (many links at once) must not overrun a small buffer:
	 * past rmem_max when we may, else as far as it allows */
	if (setsockopt(m->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	return 1;
}

static const luaL_Reg mon_methods[] = {
	{ "fileno", mon_fileno }, { "recv", mon_recv }, { "close", mon_close },
	{ NULL, NULL }
};

void lx_net_open_monitor(lua_State *L)
{
	lx_newtype(L, MON_MT, mon_methods, mon_close, mon_close, mon_tostring);
	lua_pushcfunction(L, l_monitor);
	lua_setfield(L, -2, "monitor");
}
