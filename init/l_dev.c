/* l_dev.c: luainit.dev, devices without udev: the modaliases of devices
 * present at boot (coldplug, by bus or by tree walk), the kernel's uevent netlink socket (hotplug;
 * the Lua side watches it with event.watch), and sysfs attributes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>

#include <lauxlib.h>

#include "lx.h"

#define UEVENT_MT   "luainit.dev.uevent"
#define UEVENT_BUF  8192            /* the kernel's limit is 2048 */
#define UEVENT_RCVBUF (4 << 20)     /* a coldplug burst must not overflow */
#define WALK_DEPTH  64
#define ATTR_MAX    4096

/* ---- coldplug ---- */

struct walk {
	lua_State *L;
	int set;        /* stack index of the seen-set */
	int list;       /* stack index of the result array */
	lua_Integer n;
	DIR **dirs;     /* one stream per depth, closed by the collector if a push raises */
};

static size_t trim(char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'
	       || s[n - 1] == '\r' || s[n - 1] == '\0'))
		n--;
	s[n] = '\0';
	return n;
}

static void add_modalias(struct walk *w, int dirfd)
{
	char buf[ATTR_MAX];
	int fd = openat(dirfd, "modalias", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0 || trim(buf, (size_t)n) == 0)
		return;
	lua_pushstring(w->L, buf);
	if (lua_rawget(w->L, w->set) == LUA_TNIL) {
		lua_pushboolean(w->L, 1);
		lua_setfield(w->L, w->set, buf);
		lua_pushstring(w->L, buf);
		lua_rawseti(w->L, w->list, ++w->n);
	}
	lua_pop(w->L, 1);
}

/* Depth-first over real directories only: sysfs links (subsystem, driver,
 * device) point back into the tree and would loop. Takes fd. */
static void walk(struct walk *w, int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	w->dirs[depth] = d;
	while ((de = readdir(d))) {
		unsigned char type = de->d_type;
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1]
		    || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		if (type == DT_REG && strcmp(de->d_name, "modalias") == 0) {
			add_modalias(w, dirfd(d));
		} else if (type == DT_DIR && depth < WALK_DEPTH) {
			int sub = openat(dirfd(d), de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk(w, sub, depth + 1);
		}
	}
	closedir(d);
	w->dirs[depth] = NULL;
}

/** coldplug : (root?) -> {modalias, ...} | (nil, string, integer)
 * Unique contents of every file named "modalias" under root (default
 * /sys/devices), in tree order; symlinks are not followed, unreadable
 * files are skipped. Feed each to kmod.lookup/kmod.load. */
static int l_coldplug(lua_State *L)
{
	const char *root = lx_optstr(L, 1, "/sys/devices");
	struct walk w = { L, 0, 0, 0, NULL };
	int fd;

	lua_settop(L, 1);
	lua_newtable(L);
	lua_newtable(L);
	w.set = 2;
	w.list = 3;
	w.dirs = lx_dirs(L, WALK_DEPTH + 1);  /* index 4 */
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return lx_fail(L, errno, "coldplug %s", root);
	walk(&w, fd, 0);
	lua_settop(L, 3);
	return 1;
}

/** bus_modaliases : (seen, root?) -> {modalias, ...} | (nil, string, integer)
 * The modalias of each device root/BUS/devices/DEV (root defaults to
 * /sys/bus: every device some bus knows, what udev's coldplug visits)
 * whose "BUS/DEV" is not a key of the table seen yet. Each device visited
 * is added to seen, so a later call reports only the devices that appeared
 * since (a bus driver such as virtio_pci brings new ones). Aliases are
 * unique within a call; devices without one are skipped. */
static int l_bus_modaliases(lua_State *L)
{
	const char *root = lx_optstr(L, 2, "/sys/bus");
	DIR *buses, **dirs;
	struct dirent *b;
	lua_Integer n = 0;
	int fd;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	lua_newtable(L); /* 3: aliases seen in this call */
	lua_newtable(L); /* 4: the result */
	dirs = lx_dirs(L, 2); /* 5: the streams, closed by the collector if a push raises */
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || !(buses = fdopendir(fd))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return lx_fail(L, e, "bus_modaliases %s", root);
	}
	dirs[0] = buses;
	while ((b = readdir(buses))) {
		char sub[NAME_MAX + 16];
		DIR *devs;
		struct dirent *d;

		if (b->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s/devices", b->d_name);
		if ((fd = openat(dirfd(buses), sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (!(devs = fdopendir(fd))) {
			close(fd);
			continue;
		}
		dirs[1] = devs;
		while ((d = readdir(devs))) {
			char key[2 * NAME_MAX + 2], attr[NAME_MAX + 16], buf[ATTR_MAX];
			ssize_t len;
			int afd;

			if (d->d_name[0] == '.')
				continue;
			snprintf(key, sizeof key, "%s/%s", b->d_name, d->d_name);
			if (lua_getfield(L, 1, key) != LUA_TNIL) {
				lua_pop(L, 1);
				continue;
			}
			lua_pop(L, 1);
			lua_pushboolean(L, 1);
			lua_setfield(L, 1, key);
			snprintf(attr, sizeof attr, "%s/modalias", d->d_name);
			if ((afd = openat(dirfd(devs), attr, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			len = read(afd, buf, sizeof buf - 1);
			close(afd);
			if (len <= 0 || trim(buf, (size_t)len) == 0)
				continue;
			if (lua_getfield(L, 3, buf) == LUA_TNIL) {
				lua_pushboolean(L, 1);
				lua_setfield(L, 3, buf);
				lua_pushstring(L, buf);
				lua_rawseti(L, 4, ++n);
			}
			lua_pop(L, 1);
		}
		closedir(devs);
		dirs[1] = NULL;
	}
	closedir(buses);
	dirs[0] = NULL;
	lua_settop(L, 4);
	return 1;
}

/* ---- uevent messages ---- */

static void setfield_str(lua_State *L, const char *k, const char *v)
{
	if (v) {
		lua_pushstring(L, v);
		lua_setfield(L, -2, k);
	}
}

/* Push the event table of "ACTION@DEVPATH\0KEY=VALUE\0..." and return
 * NULL, or push nothing and return why the message is malformed. */
static const char *parse_uevent(lua_State *L, const char *buf, size_t len)
{
	const char *end = buf + len, *hdr_end = memchr(buf, '\0', len), *at, *p;
	const char *subsystem = NULL, *devname = NULL, *devtype = NULL;
	const char *modalias = NULL, *seqnum = NULL, *driver = NULL;

	if (len == 0)
		return "empty message";
	if (!hdr_end)
		return "truncated header";
	if (!(at = memchr(buf, '@', (size_t)(hdr_end - buf))) || at == buf || at[1] != '/')
		return "header is not ACTION@DEVPATH";
	/* check every field before building anything */
	for (p = hdr_end + 1; p < end;) {
		const char *z = memchr(p, '\0', (size_t)(end - p)), *eq;
		if (!z)
			return "truncated field";
		eq = memchr(p, '=', (size_t)(z - p));
		if (z > p && (!eq || eq == p))
			return "field is not KEY=VALUE";
		p = z + 1;
	}
	lua_createtable(L, 0, 12);
	lua_pushlstring(L, buf, (size_t)(at - buf));
	lua_setfield(L, -2, "action");
	lua_pushstring(L, at + 1);
	lua_setfield(L, -2, "devpath");
	lua_createtable(L, 0, 8);
	for (p = hdr_end + 1; p < end; p += strlen(p) + 1) {
		const char *eq = strchr(p, '=');
		if (!eq)
			continue;               /* an empty field */
		lua_pushlstring(L, p, (size_t)(eq - p));
		lua_pushstring(L, eq + 1);
		lua_rawset(L, -3);
#define KEY(name, var) if ((size_t)(eq - p) == sizeof name - 1 && \
		memcmp(p, name, sizeof name - 1) == 0) var = eq + 1
		KEY("SUBSYSTEM", subsystem);
		KEY("DEVNAME", devname);
		KEY("DEVTYPE", devtype);
		KEY("MODALIAS", modalias);
		KEY("SEQNUM", seqnum);
		KEY("DRIVER", driver);
#undef KEY
	}
	lua_setfield(L, -2, "env");
	setfield_str(L, "subsystem", subsystem);
	setfield_str(L, "devname", devname);
	setfield_str(L, "devtype", devtype);
	setfield_str(L, "modalias", modalias);
	setfield_str(L, "driver", driver);
	if (seqnum) {
		char *e;
		unsigned long long v = strtoull(seqnum, &e, 10);
		if (*seqnum && !*e) {
			lua_pushinteger(L, (lua_Integer)v);
			lua_setfield(L, -2, "seqnum");
		}
	}
	return NULL;
}

/** parse_uevent : (buf) -> ev | (nil, string)
 * ev = {action, devpath, subsystem?, devname?, devtype?, modalias?,
 * driver?, seqnum?, env = {KEY = VALUE, ...}}. Truncated or malformed
 * messages give nil and the reason. */
static int l_parse_uevent(lua_State *L)
{
	size_t len;
	const char *buf = luaL_checklstring(L, 1, &len);
	const char *why = parse_uevent(L, buf, len);

	if (!why)
		return 1;
	lua_pushnil(L);
	lua_pushfstring(L, "uevent: %s", why);
	return 2;
}

/* ---- the uevent socket ---- */

struct uev {
	int fd;         /* -1: closed */
	lua_Integer received, dropped, overruns;
};

static struct uev *check_uev(lua_State *L)
{
	struct uev *u = luaL_checkudata(L, 1, UEVENT_MT);

	if (u->fd < 0)
		luaL_error(L, "uevent socket used after close");
	return u;
}

static int uev_close(lua_State *L)
{
	struct uev *u = luaL_checkudata(L, 1, UEVENT_MT);

	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
	return 0;
}

static int uev_tostring(lua_State *L)
{
	struct uev *u = luaL_checkudata(L, 1, UEVENT_MT);

	if (u->fd < 0)
		lua_pushliteral(L, "dev.uevent (closed)");
	else
		lua_pushfstring(L, "dev.uevent (fd %d)", u->fd);
	return 1;
}

/** uevent : () -> sock | (nil, string, integer)
 * A non-blocking NETLINK_KOBJECT_UEVENT socket bound to the kernel's
 * group. Serve it with event.watch(sock, "r", fn) and drain sock:recv(). */
static int l_uevent(lua_State *L)
{
	struct uev *u = lua_newuserdatauv(L, sizeof *u, 0);
	struct sockaddr_nl sa;
	int size = UEVENT_RCVBUF, err;

	memset(u, 0, sizeof *u);
	u->fd = -1;             /* closed until the socket exists */
	luaL_setmetatable(L, UEVENT_MT);
	u->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	               NETLINK_KOBJECT_UEVENT);
	if (u->fd < 0)
		return lx_fail(L, errno, "uevent socket");
	/* FORCE passes rmem_max (we are root); the plain one is the fallback */
	if (setsockopt(u->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1;
	if (bind(u->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err = errno;
		close(u->fd);
		u->fd = -1;
		return lx_fail(L, err, "uevent bind");
	}
	return 1;
}

/** sock:fileno : () -> integer */
static int uev_fileno(lua_State *L)
{
	lua_pushinteger(L, check_uev(L)->fd);
	return 1;
}

/** sock:recv : () -> ev | (nil, string, integer)
 * The next kernel uevent (see parse_uevent). Messages not sent by the
 * kernel to group 1, truncated or malformed ones are dropped and counted.
 * nil with EAGAIN when none is waiting; a receive-buffer overflow
 * (ENOBUFS: events were lost) is counted in stats().overruns and skipped. */
static int uev_recv(lua_State *L)
{
	struct uev *u = check_uev(L);
	char buf[UEVENT_BUF];

	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg;
		ssize_t n;

		memset(&msg, 0, sizeof msg);
		msg.msg_name = &sa;
		msg.msg_namelen = sizeof sa;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		n = recvmsg(u->fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			u->overruns++;
			continue;
		}
		if (n < 0)
			return lx_fail(L, errno, "uevent recv");
		u->received++;
		/* only the kernel (port 0) multicasting to group 1; udevd's
		 * rebroadcasts go to group 2 and are someone else's */
		if ((msg.msg_flags & MSG_TRUNC) || msg.msg_namelen < sizeof sa
		    || sa.nl_pid != 0 || sa.nl_groups != 1
		    || parse_uevent(L, buf, (size_t)n)) {
			u->dropped++;
			continue;
		}
		return 1;
	}
}

/** sock:stats : () -> {received = n, dropped = n, overruns = n}
 * received counts every datagram, dropped the ones recv refused. */
static int uev_stats(lua_State *L)
{
	struct uev *u = check_uev(L);

	lua_createtable(L, 0, 3);
	lua_pushinteger(L, u->received);
	lua_setfield(L, -2, "received");
	lua_pushinteger(L, u->dropped);
	lua_setfield(L, -2, "dropped");
	lua_pushinteger(L, u->overruns);
	lua_setfield(L, -2, "overruns");
	return 1;
}

/* ---- sysfs attributes ---- */

/* No ".." component: a device rule must not read outside /sys. */
static int has_dotdot(const char *s)
{
	for (const char *p = s; (p = strstr(p, "..")); p += 2)
		if ((p == s || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
	return 0;
}

/** sysattr : (devpath, name) -> string | (nil, string, integer)
 * /sys<devpath>/<name> with trailing blanks and newlines trimmed, e.g.
 * sysattr("/devices/virtual/net/lo", "address"). */
static int l_sysattr(lua_State *L)
{
	const char *devpath = lx_checkstring(L, 1), *name = lx_checkstring(L, 2);
	char path[1024], buf[ATTR_MAX];
	long n;

	luaL_argcheck(L, devpath[0] == '/' && !has_dotdot(devpath), 1,
	              "absolute sysfs device path without '..' expected");
	luaL_argcheck(L, name[0] && name[0] != '/' && !has_dotdot(name), 2,
	              "relative attribute name without '..' expected");
	if ((size_t)snprintf(path, sizeof path, "/sys%s/%s", devpath, name) >= sizeof path)
		return lx_fail(L, ENAMETOOLONG, "sysattr %s/%s", devpath, name);
	if ((n = lx_readfile(path, buf, sizeof buf)) < 0)
		return lx_fail(L, (int)-n, "sysattr %s", path);
	lua_pushlstring(L, buf, trim(buf, (size_t)n));
	return 1;
}

static const luaL_Reg uev_methods[] = {
	{ "fileno", uev_fileno }, { "recv", uev_recv }, { "stats", uev_stats },
	{ "close", uev_close },
	{ NULL, NULL }
};

static const luaL_Reg funcs[] = {
	{ "coldplug", l_coldplug }, { "bus_modaliases", l_bus_modaliases }, { "uevent", l_uevent },
	{ "parse_uevent", l_parse_uevent }, { "sysattr", l_sysattr },
	{ NULL, NULL }
};

int luaopen_luainit_dev(lua_State *L);
int luaopen_luainit_dev(lua_State *L)
{
	lx_newtype(L, UEVENT_MT, uev_methods, uev_close, uev_close, uev_tostring);
	luaL_newlib(L, funcs);
	return 1;
}
