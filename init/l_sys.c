/* l_sys.c: luainit.sys, the machine-wide kernel state PID 1 reads and sets:
 * identity (hostname, uname), the kernel command line, sysctls, clocks,
 * randomness, the kernel log, the console, and the final reboot(2).
 * Thin wrappers: a system failure comes back as nil, "context: strerror",
 * errno, "ENAME"; misuse raises. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/swap.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lx.h"
#include "pid1.h"

#define HOSTNAME_MAX 64  /* the kernel's __NEW_UTS_LEN */

/** hostname : () -> string */
static int l_hostname(lua_State *L)
{
	struct utsname u;

	uname(&u);
	lua_pushstring(L, u.nodename);
	return 1;
}

/** sethostname : (name) -> true | (nil, string, integer)
 * Raises on a name over 64 bytes or with a NUL byte. */
static int l_sethostname(lua_State *L)
{
	size_t n;
	const char *name = lx_checklstring(L, 1, &n);

	luaL_argcheck(L, n <= HOSTNAME_MAX, 1, "hostname longer than 64 bytes");
	if (sethostname(name, n) < 0)
		return lx_fail(L, errno, "sethostname %s", name);
	return lx_ok(L);
}

/** uname : () -> {sysname, nodename, release, version, machine} */
static int l_uname(lua_State *L)
{
	struct utsname u;

	uname(&u);
	lua_createtable(L, 0, 5);
	lx_setstr(L, "sysname", u.sysname);
	lx_setstr(L, "nodename", u.nodename);
	lx_setstr(L, "release", u.release);
	lx_setstr(L, "version", u.version);
	lx_setstr(L, "machine", u.machine);
	return 1;
}

/** sysinfo : () -> {uptime, loads = {1, 5, 15}, totalram, freeram, sharedram, bufferram, totalswap, freeswap, procs}
 * Memory sizes in bytes. */
static int l_sysinfo(lua_State *L)
{
	struct sysinfo si;
	lua_Integer unit;

	if (sysinfo(&si) < 0)
		return lx_fail(L, errno, "sysinfo");
	unit = si.mem_unit ? (lua_Integer)si.mem_unit : 1;
	lua_createtable(L, 0, 9);
	lx_setint(L, "uptime", (lua_Integer)si.uptime);
	lua_createtable(L, 3, 0);
	for (int i = 0; i < 3; i++) {
		/* fixed point with SI_LOAD_SHIFT (16) fraction bits */
		lua_pushnumber(L, (lua_Number)si.loads[i] / 65536.0);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "loads");
	lx_setint(L, "totalram", (lua_Integer)si.totalram * unit);
	lx_setint(L, "freeram", (lua_Integer)si.freeram * unit);
	lx_setint(L, "sharedram", (lua_Integer)si.sharedram * unit);
	lx_setint(L, "bufferram", (lua_Integer)si.bufferram * unit);
	lx_setint(L, "totalswap", (lua_Integer)si.totalswap * unit);
	lx_setint(L, "freeswap", (lua_Integer)si.freeswap * unit);
	lx_setint(L, "procs", (lua_Integer)si.procs);
	return 1;
}

static const char *const levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", NULL
};

/* Kept open across calls; dropped and reopened when a write fails, e.g.
 * after /dev was remounted under us. */
static int kmsg_fd = -1;

static int kmsg_write(const char *buf, size_t len)
{
	int err = 0;

	for (int tries = 0; tries < 2; tries++) {
		ssize_t w;
		if (kmsg_fd < 0)
			kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (kmsg_fd < 0)
			return errno;
		do
			w = write(kmsg_fd, buf, len);
		while (w < 0 && errno == EINTR);
		if (w >= 0)
			return 0;
		err = errno;
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	return err;
}

/** console_write : (text) -> bytes written
 * Writes text to PID 1's console, waiting 200 ms at most: what a stuck
 * console (flow control, a pipe nobody reads) does not take is dropped.
 * console_open : () -> nil   (again once /proc is mounted; see log.c)
 * console_dropped : () -> writes cut short so far */
static int l_console_write(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);

	lua_pushinteger(L, (lua_Integer)lx_console_write(s, len));
	return 1;
}

static int l_console_open(lua_State *L)
{
	(void)L;
	lx_console_open();
	return 0;
}

static int l_console_dropped(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)lx_console_dropped());
	return 1;
}

/** kmsg : (level, message) -> true | (nil, string, integer)
 * level: "emerg" .. "debug" or 0-7. Writes "<24+level>luainit: message"
 * (facility daemon) to /dev/kmsg, cut to one kernel record. In script mode
 * (luainit --lua) it writes nothing and returns true: a test must not fill
 * the host's kernel log. */
static int l_kmsg(lua_State *L)
{
	int level;
	size_t len;
	const char *msg;
	char buf[1024];
	int n, err;

	if (lua_type(L, 1) == LUA_TSTRING) {
		level = lx_checkoption(L, 1, NULL, levels);
	} else {
		/* a level that is no string nor integer said "string expected" */
		lua_Integer l = -1;
		const char *got;
		if (!lx_getint(L, 1, &l, &got))
			luaL_argerror(L, 1, lua_pushfstring(L, "level name or number expected, got %s", got));
		luaL_argcheck(L, l >= 0 && l <= 7, 1, "level out of range 0-7");
		level = (int)l;
	}
	msg = luaL_checklstring(L, 2, &len);
	if (lx_script_mode)
		return lx_ok(L);
	while (len > 0 && msg[len - 1] == '\n')
		len--;
	/* older kernels refuse a write over 992 bytes (LOG_LINE_MAX) */
	if (len > 960)
		len = 960;
	n = snprintf(buf, sizeof buf, "<%d>luainit: %.*s", 24 + level, (int)len, msg);
	if ((err = kmsg_write(buf, (size_t)n)))
		return lx_fail(L, err, "kmsg");
	return lx_ok(L);
}

/** getrandom : (n, flags?) -> string | (nil, string, integer)
 * n: 0-4096 bytes (raises otherwise); flags: "nonblock", "insecure". */
static int l_getrandom(lua_State *L)
{
	static const struct lx_flag flags[] = {
		{ "nonblock", GRND_NONBLOCK }, { "insecure", GRND_INSECURE },
		{ NULL, 0 }
	};
	lua_Integer n = luaL_checkinteger(L, 1);
	unsigned fl = (unsigned)lx_checkflags(L, 2, flags, NULL, 0);
	char buf[4096];
	size_t got = 0;

	luaL_argcheck(L, n >= 0 && n <= 4096, 1, "size out of range 0-4096");
	while (got < (size_t)n) {
		ssize_t r = getrandom(buf + got, (size_t)n - got, fl);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return lx_fail(L, errno, "getrandom");
		got += (size_t)r;
	}
	lua_pushlstring(L, buf, got);
	return 1;
}

/** clock : (name?) -> seconds (float)
 * name: "monotonic" (default), "boottime" (counts suspend), "realtime". */
static int l_clock(lua_State *L)
{
	static const char *const names[] = { "monotonic", "boottime", "realtime", NULL };
	static const clockid_t ids[] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME };
	struct timespec ts;

	if (clock_gettime(ids[lx_checkoption(L, 1, "monotonic", names)], &ts) < 0)
		return lx_fail(L, errno, "clock_gettime");
	lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
	return 1;
}

/* /proc/sys path of the key at arg, as sysctl(8) and systemd-sysctl map
 * it: the first separator decides. A key whose first one is a slash is a
 * path, dots and all ("net/ipv4/conf/eth0.1/rp_filter"); in one whose
 * first one is a dot, dots become slashes and slashes dots, so that
 * sysctl.d(5)'s "net.ipv4.conf.eth0/1.rp_filter" names eth0.1 too (any
 * slash made the key a path: that was "net.ipv4.conf.eth0/1.rp_filter"
 * under /proc/sys, ENOENT). Neither may leave /proc/sys: no '/' first and
 * no ".." in the key or in the path made of it ("a.//.b" is a/../b). */
static const char *sysctl_path(lua_State *L, int arg, char *buf, size_t size)
{
	size_t n;
	const char *key = lx_checklstring(L, arg, &n);
	size_t sep = strcspn(key, "./");
	int swap = key[sep] == '.';

	luaL_argcheck(L, n > 0, arg, "empty sysctl key");
	luaL_argcheck(L, n + 10 < size, arg, "sysctl key too long");
	memcpy(buf, "/proc/sys/", 10);
	for (size_t i = 0; i <= n; i++)
		buf[10 + i] = !swap ? key[i] : key[i] == '.' ? '/' : key[i] == '/' ? '.' : key[i];
	luaL_argcheck(L, key[0] != '/' && !strstr(key, "..") && !strstr(buf + 10, ".."), arg,
	              "sysctl key must not start with '/' or hold '..'");
	return key;
}

/** sysctl_get : (key) -> string | (nil, string, integer)
 * key: "net.ipv4.ip_forward" or "net/ipv4/ip_forward"; the value comes
 * back without its trailing newline. */
static int l_sysctl_get(lua_State *L)
{
	char path[256], val[8192];
	const char *key = sysctl_path(L, 1, path, sizeof path);
	long n = lx_readfile(path, val, sizeof val);

	if (n < 0)
		return lx_fail(L, (int)-n, "sysctl %s", key);
	while (n > 0 && val[n - 1] == '\n')
		n--;
	lua_pushlstring(L, val, (size_t)n);
	return 1;
}

/** sysctl_set : (key, value) -> true | (nil, string, integer)
 * value: a string or number, written in one write(2). */
static int l_sysctl_set(lua_State *L)
{
	char path[256];
	const char *key = sysctl_path(L, 1, path, sizeof path);
	size_t len;
	const char *val = luaL_checklstring(L, 2, &len);
	/* no O_CREAT: a mistyped key must fail with ENOENT */
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t w;

	if (fd < 0)
		return lx_fail(L, errno, "sysctl %s", key);
	do
		w = write(fd, val, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		err = errno;
	else if ((size_t)w < len)
		err = EIO;
	close(fd);
	if (err)
		return lx_fail(L, err, "sysctl %s", key);
	return lx_ok(L);
}

/* Append v to the array at index t. */
static void append(lua_State *L, int t)
{
	lua_rawseti(L, t, (lua_Integer)lua_rawlen(L, t) + 1);
}

/** cmdline : (str?) -> table, warning? | (nil, string, integer)
 * Splits str (default: /proc/cmdline) as the kernel's next_arg() does.
 * t[key] = last value ("key=value") or true (a bare word); t.all[key] =
 * every value in order; t.words = every word before "--" ("key=value",
 * quotes removed); t.init_args = the words after "--". An unterminated
 * quote runs to the end of the line, as in the kernel (which has already
 * applied the line that way), and adds the warning
 * "cmdline: unterminated quote at column N: it runs to the end of the line". */
static int l_cmdline(lua_State *L)
{
	size_t len;
	const char *src;
	char *a, *p;
	int dashes = 0;
	size_t unterminated = 0;  /* column of an unterminated quote */

	if (lua_isnoneornil(L, 1)) {
		char buf[8192];
		long n = lx_readfile("/proc/cmdline", buf, sizeof buf);
		if (n < 0)
			return lx_fail(L, (int)-n, "cmdline: read /proc/cmdline");
		lua_settop(L, 0);
		lua_pushlstring(L, buf, (size_t)n);
	}
	/* the words are split up to a NUL: "a=1\0b=2" was a=1 alone */
	src = lx_checklstring(L, 1, &len);
	lua_settop(L, 1);
	a = lua_newuserdatauv(L, len + 1, 0);  /* 2: a copy to cut in place */
	memcpy(a, src, len + 1);
	lua_newtable(L);  /* 3: result */
	lua_newtable(L);  /* 4: words */
	lua_newtable(L);  /* 5: all */
	lua_newtable(L);  /* 6: init_args */
	for (p = a;;) {
		char *w, *val = NULL;
		size_t i, equals = 0, qcol = 0;
		int in_quote = 0, quoted = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w = p;
		if (*w == '"') {
			qcol = (size_t)(w - a) + 1;
			w++;
			in_quote = quoted = 1;
		}
		for (i = 0; w[i]; i++) {
			if (isspace((unsigned char)w[i]) && !in_quote)
				break;
			if (equals == 0 && w[i] == '=')
				equals = i;
			if (w[i] == '"') {
				in_quote = !in_quote;
				if (in_quote)
					qcol = (size_t)(w + i - a) + 1;
			}
		}
		if (in_quote) {
			/* the word ran to the end: drop the newline /proc/cmdline
			 * adds (not the kernel's), and any blanks before it */
			unterminated = qcol;
			while (i > 0 && isspace((unsigned char)w[i - 1]))
				i--;
			if (i == 0)
				break;
		}
		p = w[i] ? w + i + 1 : w + i;
		w[i] = '\0';
		/* the kernel strips a quote pair around the value or the word */
		if (equals) {
			w[equals] = '\0';
			val = w + equals + 1;
			if (*val == '"') {
				val++;
				if (w[i - 1] == '"')
					w[i - 1] = '\0';
			}
		}
		if (quoted && i > 0 && w[i - 1] == '"')
			w[i - 1] = '\0';
		if (val)
			lua_pushfstring(L, "%s=%s", w, val);
		else
			lua_pushstring(L, w);
		if (dashes) {
			append(L, 6);
			continue;
		}
		if (!val && strcmp(w, "--") == 0) {
			lua_pop(L, 1);
			dashes = 1;
			continue;
		}
		append(L, 4);
		if (val)
			lua_pushstring(L, val);
		else
			lua_pushboolean(L, 1);
		lua_pushvalue(L, -1);
		lua_setfield(L, 3, w);
		if (lua_getfield(L, 5, w) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_newtable(L);
			lua_pushvalue(L, -1);
			lua_setfield(L, 5, w);
		}
		lua_insert(L, -2);
		append(L, -2);
		lua_pop(L, 1);
	}
	lua_pushvalue(L, 4);
	lua_setfield(L, 3, "words");
	lua_pushvalue(L, 5);
	lua_setfield(L, 3, "all");
	lua_pushvalue(L, 6);
	lua_setfield(L, 3, "init_args");
	lua_settop(L, 3);
	if (!unterminated)
		return 1;
	lua_pushfstring(L, "cmdline: unterminated quote at column %d: it runs to the end of the line",
	                (int)unterminated);
	return 2;
}

/** reboot : (cmd "poweroff"|"reboot"|"halt"|"cad_on"|"cad_off") -> true | (nil, string, integer)
 * Does not sync: the caller does. Refused (EPERM) in script mode, where it
 * would act on the host. */
static int l_reboot(lua_State *L)
{
	static const char *const cmds[] = {
		"poweroff", "reboot", "halt", "cad_on", "cad_off", NULL
	};
	static const int rb[] = {
		RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM, RB_ENABLE_CAD, RB_DISABLE_CAD
	};
	int i = lx_checkoption(L, 1, NULL, cmds);

	if (lx_script_mode)
		return lx_fail(L, EPERM, "reboot %s: script mode", cmds[i]);
	if (reboot(rb[i]) < 0)
		return lx_fail(L, errno, "reboot %s", cmds[i]);
	return lx_ok(L);
}

/** console : (path) -> true | (nil, string, integer)
 * Opens path (O_RDWR|O_NOCTTY) as stdin, stdout and stderr. */
static int l_console(lua_State *L)
{
	const char *path = lx_checkstring(L, 1);
	/* O_NONBLOCK: a serial line without carrier (no CLOCAL) would hold
	 * PID 1 in open() until the carrier came; the children that inherit
	 * fds 0-2 expect them blocking, so it is cleared again at once. */
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), err = 0;

	if (fd < 0)
		return lx_fail(L, errno, "console %s", path);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		err = errno;
	for (int i = 0; i <= 2 && !err; i++) {
		/* dup2 clears FD_CLOEXEC on i; a no-op dup2 would not */
		if (fd == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(fd, i) < 0)
			err = errno;
	}
	if (fd > 2)
		close(fd);
	if (err)
		return lx_fail(L, err, "console %s", path);
	lx_console_reset(); /* the non-blocking writer follows fd 2 */
	return lx_ok(L);
}

/** is_container : () -> name | false
 * From PID 1's "container" environment variable, else "docker" for
 * /.dockerenv, "podman" for /run/.containerenv, else false. */
static int l_is_container(lua_State *L)
{
	char env[16384];
	long n = lx_readfile("/proc/1/environ", env, sizeof env);
	const char *v = NULL;

	for (char *p = env; n > 0 && p < env + n; p += strlen(p) + 1)
		if (strncmp(p, "container=", 10) == 0 && p[10])
			v = p + 10;
	if (!v && n < 0 && getpid() == 1)
		v = getenv("container");  /* /proc is not mounted yet */
	if (v && *v)
		lua_pushstring(L, v);
	else if (access("/.dockerenv", F_OK) == 0)
		lua_pushliteral(L, "docker");
	else if (access("/run/.containerenv", F_OK) == 0)
		lua_pushliteral(L, "podman");
	else
		lua_pushboolean(L, 0);
	return 1;
}

/** getpid : () -> integer */
static int l_getpid(lua_State *L)
{
	lua_pushinteger(L, getpid());
	return 1;
}

/** swapoff_all : (swaps_path?) -> count, {error_string, ...}
 * swapoff(2) every entry of /proc/swaps (or the given file, for tests).
 * No /proc/swaps (a kernel without swap) is 0, {}. */
static int l_swapoff_all(lua_State *L)
{
	const char *path = lx_optstr(L, 1, "/proc/swaps");
	char buf[16384], *line, *next;
	long n = lx_readfile(path, buf, sizeof buf);
	lua_Integer count = 0;

	lua_settop(L, 1);
	lua_newtable(L);  /* 2: errors */
	if (n < 0) {
		if (n != -ENOENT) {
			lua_pushfstring(L, "read %s: %s", path, strerror((int)-n));
			append(L, 2);
		}
		n = 0;
		buf[0] = '\0';
	}
	/* the first line is the header: Filename Type Size Used Priority */
	line = strchr(buf, '\n');
	for (line = line ? line + 1 : buf + n; *line; line = next) {
		size_t w;
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		w = strcspn(line, " \t");
		if (w == 0)
			continue;
		line[w] = '\0';
		lx_unescape_octal(line);
		if (swapoff(line) < 0) {
			int err = errno;
			lua_pushfstring(L, "swapoff %s: %s", line, strerror(err));
			append(L, 2);
		} else {
			count++;
		}
	}
	lua_pushinteger(L, count);
	lua_insert(L, 2);
	return 2;
}

/* A malloc'd buffer the collector frees: a push that raises part-way
 * (out of memory) must not leak it. */
static int buffer_gc(lua_State *L)
{
	char **b = lua_touserdata(L, 1);

	free(*b);
	*b = NULL;
	return 0;
}

/** mount_points : (path?) -> {dir, ...} | (nil, string, integer)
 * The mount points of /proc/self/mounts (or of a file in its format, for
 * tests), escapes decoded, last mounted first: what the C fallback shutdown
 * (init/reap.c) unmounts, in its order. It is that fallback's own reader
 * (lx_mounts_read, lx_mounts_prev), shown to Lua so that tests can check
 * it, and not a second mount table for policy: mount.mountinfo (libmount,
 * every field) is that. The two stay apart on purpose: the fallback runs
 * in plain C when the Lua side has failed, so it cannot go through a
 * binding, and it keeps to one buffer and a few syscalls rather than
 * libmount's parser; mountinfo cannot read another file, which a test of
 * 4,000 lines and every escape needs. */
static int l_mount_points(lua_State *L)
{
	const char *path = lx_optstr(L, 1, "/proc/self/mounts");
	char **buf = lua_newuserdatauv(L, sizeof *buf, 0), *dir;
	size_t end;
	int err, n = 0;

	*buf = NULL;
	if (luaL_newmetatable(L, "luainit.sys.buffer")) {
		lua_pushcfunction(L, buffer_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	if ((err = lx_mounts_read(path, buf, &end)))
		return lx_fail(L, err, "read %s", path);
	lua_newtable(L);
	while ((dir = lx_mounts_prev(*buf, &end))) {
		lua_pushstring(L, dir);
		lua_rawseti(L, -2, ++n);
	}
	free(*buf);
	*buf = NULL;
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "hostname", l_hostname }, { "sethostname", l_sethostname },
	{ "uname", l_uname }, { "sysinfo", l_sysinfo }, { "kmsg", l_kmsg },
	{ "console_write", l_console_write }, { "console_open", l_console_open },
	{ "console_dropped", l_console_dropped },
	{ "getrandom", l_getrandom }, { "clock", l_clock },
	{ "sysctl_get", l_sysctl_get }, { "sysctl_set", l_sysctl_set },
	{ "cmdline", l_cmdline }, { "reboot", l_reboot }, { "console", l_console },
	{ "is_container", l_is_container }, { "getpid", l_getpid },
	{ "swapoff_all", l_swapoff_all }, { "mount_points", l_mount_points },
	{ NULL, NULL }
};

int luaopen_luainit_sys(lua_State *L);
int luaopen_luainit_sys(lua_State *L)
{
	luaL_newlib(L, funcs);
	return 1;
}
