/* lx.c: the error and argument conventions shared by every Lua binding. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lx.h"
#include "l_fs.h"

#define E(x) { x, #x }
static const struct { int err; const char *name; } errnames[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(ERANGE), E(ENAMETOOLONG), E(ENOSYS), E(ENOTEMPTY),
	E(ELOOP), E(ENODATA), E(ETIME), E(EPROTO), E(EOVERFLOW), E(EBADMSG),
	E(ENOTSOCK), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ENETUNREACH), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN),
	E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EPROTONOSUPPORT),
	E(ENOKEY), E(EKEYREJECTED), E(ENOMSG), E(EUCLEAN), E(ECANCELED),
};
#undef E

const char *lx_errname(int err)
{
	for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "E?";
}

int lx_fail(lua_State *L, int err, const char *fmt, ...)
{
	char ctx[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	lua_pushnil(L);
	lua_pushfstring(L, "%s: %s", ctx, strerror(err));
	lua_pushinteger(L, err);
	lua_pushstring(L, lx_errname(err));
	return 4;
}

int lx_ok(lua_State *L)
{
	lua_pushboolean(L, 1);
	return 1;
}

uint64_t lx_checkflags(lua_State *L, int arg, const struct lx_flag *tab,
                       char *rest, size_t restlen)
{
	const char *s = lx_optstr(L, arg, "");
	uint64_t bits = 0;
	size_t used = 0;

	if (rest && restlen)
		rest[0] = '\0';
	while (*s) {
		size_t n = strcspn(s, ",");
		const struct lx_flag *f;

		for (f = tab; f->name; f++)
			if (strlen(f->name) == n && memcmp(f->name, s, n) == 0)
				break;
		if (f->name) {
			bits |= f->bits;
		} else if (n > 0) {
			if (!rest)
				luaL_argerror(L, arg, lua_pushfstring(L,
					"unknown flag '%s'", lua_pushlstring(L, s, n)));
			if (used + n + 2 > restlen)
				luaL_argerror(L, arg, "too many options");
			if (used)
				rest[used++] = ',';
			memcpy(rest + used, s, n);
			used += n;
			rest[used] = '\0';
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return bits;
}

#define S(x) { SIG##x, #x }
static const struct { int sig; const char *name; } signames[] = {
	S(HUP), S(INT), S(QUIT), S(ILL), S(TRAP), S(ABRT), S(BUS), S(FPE),
	S(KILL), S(USR1), S(SEGV), S(USR2), S(PIPE), S(ALRM), S(TERM),
	S(STKFLT), S(CHLD), S(CONT), S(STOP), S(TSTP), S(TTIN), S(TTOU),
	S(URG), S(XCPU), S(XFSZ), S(VTALRM), S(PROF), S(WINCH), S(IO),
	S(PWR), S(SYS),
};
#undef S

const char *lx_signame(int sig)
{
	for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++)
		if (signames[i].sig == sig)
			return signames[i].name;
	return NULL;
}

int lx_checksignal(lua_State *L, int arg)
{
	const char *s, *got;

	/* named: a number other than an integer gave "number has no integer
	 * representation", and a table "string expected" */
	if (lua_type(L, arg) != LUA_TSTRING) {
		lua_Integer n = -1;
		if (!lx_getint(L, arg, &n, &got))
			luaL_argerror(L, arg, lua_pushfstring(L, "signal name or number expected, got %s", got));
		luaL_argcheck(L, n >= 0 && n < 65, arg, "signal number out of range");
		return (int)n;
	}
	s = lx_checkstring(L, arg);
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++)
		if (strcmp(signames[i].name, s) == 0)
			return signames[i].sig;
	return luaL_argerror(L, arg, lua_pushfstring(L, "unknown signal '%s'", s));
}

long lx_readfile(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (long)len;
}

void lx_unescape_octal(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

double lx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* For a number in a message, where lua_pushfstring's %f (Lua's %.14g)
 * wrote 2^63 - 1024 and 2^63 alike, and 0.1 + 0.2 as 0.3. Fewer than 15
 * digits need not be tried (lua/float.lua says why). */
char *lx_numtext(char *buf, double d)
{
	for (int p = 15; p <= 17; p++) {
		snprintf(buf, LX_NUMTEXT, "%.*g", p, d);
		if (p == 17 || strtod(buf, NULL) == d)
			break;
	}
	return buf;
}

const char *lx_pushnotint(lua_State *L, double d)
{
	char num[LX_NUMTEXT];

	lx_numtext(num, d);
	if (isfinite(d) && d == floor(d))
		return lua_pushfstring(L, "number %s out of integer range", num);
	return lua_pushfstring(L, "non-integer number %s", num);
}

int lx_getint(lua_State *L, int idx, lua_Integer *v, const char **got)
{
	lua_Integer i = 0;
	int ok = 0;

	if (lua_type(L, idx) == LUA_TNUMBER)
		i = lua_tointegerx(L, idx, &ok);
	if (ok)
		*v = i;
	else
		*got = lua_type(L, idx) == LUA_TNUMBER ? lx_pushnotint(L, lua_tonumber(L, idx)) :
		       lua_pushstring(L, luaL_typename(L, idx));
	return ok;
}

int lx_alldigits(const char *s, lua_Integer max, lua_Integer *v)
{
	const char *p = s;
	lua_Integer n = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		if (n <= max)
			n = n * 10 + (*p - '0');
	if (v)
		*v = n;
	return p != s && !*p;
}

/* What was given is made text first ('1x' quoted, a number in digits),
 * and only on a refusal, so that one "expected" and one "out of range"
 * say every case. */
const char *lx_toid(lua_State *L, int idx, const char *what, int flags, lua_Integer *id)
{
	lua_Integer min = flags & LX_ID_KEEP ? -1 : 0;
	const char *name = flags & LX_ID_NAME ? "name or " : "", *got;
	char num[LX_NUMTEXT];
	int range = 1;
	double d;

	idx = lua_absindex(L, idx);  /* lx_getint pushes what it refused */
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *s = lua_tostring(L, idx);
		if ((got = lx_nulbyte(L, idx)))  /* "1000\0x" was 1000 */
			return got;
		range = lx_alldigits(s, LX_ID_MAX, id);
		if (range && *id <= LX_ID_MAX)
			return NULL;
		got = lua_pushfstring(L, "'%s'", s);
	} else if (lx_getint(L, idx, id, &got)) {
		if (*id >= min && *id <= LX_ID_MAX)
			return NULL;
		lua_pushinteger(L, *id);
		got = lua_tostring(L, -1);
	} else {
		d = lua_tonumber(L, idx);
		range = lua_type(L, idx) == LUA_TNUMBER && isfinite(d) && d == floor(d);
		if (range)
			got = lx_numtext(num, d);
	}
	if (range)
		return lua_pushfstring(L, "%s %s out of range %I..%I", what, got, min, LX_ID_MAX);
	return lua_pushfstring(L, "%s%s expected, got %s", name, what, got);
}

lua_Integer lx_checkid(lua_State *L, int arg, const char *what, int flags)
{
	lua_Integer id;
	const char *msg = lx_toid(L, arg, what, flags, &id);

	if (msg)
		luaL_argerror(L, arg, msg);
	return id;
}

const char *lx_tofd(lua_State *L, int idx, int *fd)
{
	int t = lua_type(L, idx), obj = 0;
	const char *got;
	lua_Integer n;

	idx = lua_absindex(L, idx);  /* lx_getint pushes what it refused */
	if (t == LUA_TUSERDATA) {
		/* an open fs.fd, as every spawn passes its pipe: the descriptor
		 * itself, what its fileno method returns, without the method's
		 * lookup and call (~1 000 instructions each). A closed one goes
		 * the way below, whose call raises. */
		struct lx_fd *f = luaL_testudata(L, idx, LX_FD_MT);
		if (f && f->fd >= 0) {
			*fd = f->fd;
			return NULL;
		}
	}
	if (t == LUA_TNUMBER) {
		if (!lx_getint(L, idx, &n, &got))
			return lua_pushfstring(L, "descriptor number expected, got %s", got);
	} else {
		if ((t == LUA_TTABLE || t == LUA_TUSERDATA) &&
		    (obj = luaL_getmetafield(L, idx, "__index") != LUA_TNIL))
			lua_pop(L, 1);
		/* through the object: an __index that is a function is asked too;
		 * a userdata without one cannot be indexed at all */
		if ((!obj && t != LUA_TTABLE) || lua_getfield(L, idx, "fileno") != LUA_TFUNCTION)
			return obj ? lua_pushliteral(L, "object has no fileno method") :
			       lua_pushfstring(L, "descriptor number or object with fileno expected, got %s",
			                       luaL_typename(L, idx));
		lua_pushvalue(L, idx);
		lua_call(L, 1, 1);
		if (!lx_getint(L, -1, &n, &got))
			return lua_pushfstring(L, "fileno returned %s, not a descriptor number", got);
		lua_pop(L, 1);
	}
	if (n < 0 || n > INT_MAX)
		return lua_pushfstring(L, "descriptor %I out of range 0..%d", n, INT_MAX);
	*fd = (int)n;
	return NULL;
}

/* v in octal with its leading 0, in buf (24 bytes), for a message */
static const char *octal(char *buf, lua_Integer v)
{
	snprintf(buf, 24, "0%llo", (unsigned long long)v);
	return buf;
}

/* A string is octal digits and nothing else (strtol took " 755", "+755"
 * and "-0"). */
const char *lx_tomode(lua_State *L, int idx, lua_Integer max, lua_Integer *m)
{
	const char *got;
	char oct[24];

	if (lua_type(L, idx) == LUA_TSTRING) {
		size_t len, i;
		const char *s = lua_tolstring(L, idx, &len);
		if (len > 0 && strspn(s, "01234567") == len) {
			for (*m = 0, i = 0; i < len; i++)
				if ((*m = *m * 8 + (s[i] - '0')) > max)
					return lua_pushfstring(L, "'%s' out of range 0..%s", s, octal(oct, max));
			return NULL;
		}
		got = lua_pushfstring(L, "'%s'", s);
	} else if (lx_getint(L, idx, m, &got)) {
		if (*m < 0)
			return lua_pushfstring(L, "%I out of range 0..%I (0..%s in octal)", *m, max,
			                       octal(oct, max));
		/* the number is shown as Lua has it, in decimal, and so is the
		 * range: "660 out of range 0..0777" read as if 660 were below it */
		if (*m > max)
			return lua_pushfstring(L, "%I out of range 0..%I (0..%s in octal; Lua has no "
			                       "octal literals: write \"0644\" or 420)", *m, max,
			                       octal(oct, max));
		return NULL;
	}
	/* what was given is made text first, as lx_toid does: one message */
	return lua_pushfstring(L, "octal string or integer expected, got %s", got);
}

mode_t lx_checkmode(lua_State *L, int arg, lua_Integer def, lua_Integer max)
{
	lua_Integer m = def;
	const char *msg;

	if (lua_isnoneornil(L, arg) && def >= 0)
		return (mode_t)def;
	if ((msg = lx_tomode(L, arg, max, &m)))
		luaL_argerror(L, arg, lua_pushfstring(L, "mode: %s", msg));
	return (mode_t)m;
}

/* lua_tostring would change a number key in place, under lua_next: such
 * a key is named by its type. */
void lx_checkkeys(lua_State *L, int idx, const char *const keys[], const char *what)
{
	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx)) {
		if (!what)
			luaL_typeerror(L, idx, "table");
		luaL_error(L, "%s: table expected, got %s", what, luaL_typename(L, idx));
	}
	/* keys as a set, made once per list and kept in the registry: spawn
	 * checks ~20 keys at every start, a strcmp walk of its 23 names each */
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, keys) != LUA_TTABLE) {
		int n = 0;
		lua_pop(L, 1);
		while (keys[n])
			n++;
		lua_createtable(L, 0, n);
		while (n--) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, keys[n]);
		}
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, keys);
	}
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING) {
			lua_pushvalue(L, -1);
			if (lua_rawget(L, -3) != LUA_TNIL) {
				lua_pop(L, 1);
				continue;
			}
			lua_pushfstring(L, "unknown key '%s'", lua_tostring(L, -2));
		} else {
			lua_pushfstring(L, "unknown key (a %s)", luaL_typename(L, -1));
		}
		if (!what)
			luaL_argerror(L, idx, lua_tostring(L, -1));
		luaL_error(L, "%s: %s", what, lua_tostring(L, -1));
	}
	lua_pop(L, 1);
}

void lx_checkoptkeys(lua_State *L, int idx, const char *const keys[])
{
	if (!lua_isnoneornil(L, idx))
		lx_checkkeys(L, idx, keys, NULL);
}

void lx_newtype(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc,
                lua_CFunction close, lua_CFunction tostring)
{
	if (luaL_newmetatable(L, name)) {
		int n = 0;
		while (methods[n].name)
			n++;
		lua_createtable(L, 0, n);
		luaL_setfuncs(L, methods, 0);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, close);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_pop(L, 1);
}

const char *lx_nulbyte(lua_State *L, int idx)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len), *z = s ? memchr(s, '\0', len) : NULL;

	return z ? lua_pushfstring(L, "string without NUL bytes expected, got a NUL at byte %I",
	                           (lua_Integer)(z - s) + 1) : NULL;
}

/* Read once (each argv and env string of a spawn comes here); lx_nulbyte
 * makes the message, on the error alone. */
const char *lx_tocstr(lua_State *L, int idx, const char *fmt, ...)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len), *msg;
	va_list ap;

	if (s && memchr(s, '\0', len)) {
		msg = lx_nulbyte(L, idx);
		va_start(ap, fmt);
		lua_pushvfstring(L, fmt, ap);
		va_end(ap);
		luaL_error(L, "%s: %s", lua_tostring(L, -1), msg);
	}
	return s;
}

/* The string is read once, its length with it; lx_nulbyte makes the
 * message, on the error alone. */
const char *lx_checklstring(lua_State *L, int arg, size_t *len)
{
	size_t n;
	const char *s;

	if (!len)
		len = &n;
	s = luaL_checklstring(L, arg, len);
	if (memchr(s, '\0', *len))
		luaL_argerror(L, arg, lx_nulbyte(L, arg));
	return s;
}

const char *lx_checkstring(lua_State *L, int arg)
{
	return lx_checklstring(L, arg, NULL);
}

const char *lx_optstr(lua_State *L, int arg, const char *def)
{
	return lua_isnoneornil(L, arg) ? def : lx_checkstring(L, arg);
}

int lx_checkoption(lua_State *L, int arg, const char *def, const char *const lst[])
{
	lx_optstr(L, arg, NULL);
	return luaL_checkoption(L, arg, def, lst);
}

/* Whether the options at idx are given: nil or none is no options; a
 * table is; anything else raises, where lua_getfield on a string read the
 * string library's fields (every option its default, without a word) and
 * on a number raised "attempt to index a number value". */
static int opts_given(lua_State *L, int idx)
{
	if (lua_isnoneornil(L, idx))
		return 0;
	if (!lua_istable(L, idx))
		luaL_typeerror(L, idx, "table");
	return 1;
}

int lx_opterror(lua_State *L, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	return luaL_error(L, LX_OPT_FMT ": %s", key, lua_tostring(L, -1));
}

const char *lx_optstring(lua_State *L, int idx, const char *key, const char *def)
{
	const char *s = def;

	if (!opts_given(L, idx))
		return def;
	/* A string only: a number would need lua_tostring, whose text lives
	 * only on the stack (the pop below would free it) unless written back
	 * into the caller's table, which changed the caller's value (and a
	 * link index became a link name). A field that also takes a number
	 * reads it itself (l_route.c's dev). */
	idx = lua_absindex(L, idx);
	if (lua_getfield(L, idx, key) != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TSTRING)
			lx_opterror(L, key, "%s expected, got %s", "string", luaL_typename(L, -1));
		s = lx_tocstr(L, -1, LX_OPT_FMT, key);
		/* The pop below leaves the string to the options table: one that
		 * only a metatable's __index gave would be collected while the
		 * caller still reads it. */
		lua_pushstring(L, key);
		if (lua_rawget(L, idx) != LUA_TSTRING || !lua_rawequal(L, -1, -2))
			lx_opterror(L, key, "a string in the table itself expected, not one from its metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return s;
}

lua_Integer lx_optinteger(lua_State *L, int idx, const char *key, lua_Integer def)
{
	lua_Integer v = def;
	const char *got;

	if (!opts_given(L, idx))
		return def;
	/* no string: mtu = "1500" was taken, and a writefile mode = "0644"
	 * was the decimal 644 */
	if (lua_getfield(L, idx, key) != LUA_TNIL && !lx_getint(L, -1, &v, &got))
		lx_opterror(L, key, "%s expected, got %s", "integer", got);
	lua_pop(L, 1);
	return v;
}

mode_t lx_optmode(lua_State *L, int idx, const char *key, lua_Integer def, lua_Integer max)
{
	lua_Integer m = def;
	const char *msg;

	if (!opts_given(L, idx))
		return (mode_t)def;
	if (lua_getfield(L, idx, key) != LUA_TNIL && (msg = lx_tomode(L, -1, max, &m)))
		lx_opterror(L, key, "%s", msg);
	lua_pop(L, 1);
	return (mode_t)m;
}

int lx_optboolean(lua_State *L, int idx, const char *key, int def)
{
	int v = def;

	if (!opts_given(L, idx))
		return def;
	if (lua_getfield(L, idx, key) != LUA_TNIL) {
		if (!lua_isboolean(L, -1))
			lx_opterror(L, key, "%s expected, got %s", "boolean", luaL_typename(L, -1));
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

int lx_failmsg(lua_State *L, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lua_pushnil(L);
	lua_pushstring(L, msg);
	lua_pushinteger(L, err);
	lua_pushstring(L, lx_errname(err));
	return 4;
}

void lx_setstr(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

void lx_setint(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

void lx_setbool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

static int dirs_gc(lua_State *L)
{
	DIR **d = lua_touserdata(L, 1);
	size_t n = lua_rawlen(L, 1) / sizeof *d;

	for (size_t i = 0; i < n; i++) {
		if (d[i])
			closedir(d[i]);
		d[i] = NULL;
	}
	return 0;
}

DIR **lx_dirs(lua_State *L, int n)
{
	DIR **d = lua_newuserdatauv(L, (size_t)n * sizeof *d, 0);

	memset(d, 0, (size_t)n * sizeof *d);
	if (luaL_newmetatable(L, "luainit.dirs")) {
		lua_pushcfunction(L, dirs_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	return d;
}
