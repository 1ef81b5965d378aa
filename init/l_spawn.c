/* l_spawn.c: luainit.process's spawn: the spec table resolved, here in
 * the parent, into a struct lx_spawn that spawn.c replays in the child
 * (argv, environment and PATH search, stdio and passed descriptors,
 * rlimits, capabilities, user and groups, cgroup), and process.RLIMITS,
 * the rlimit names it takes. l_process.c opens the module and calls
 * lx_spawn_register. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lx.h"
#include "l_process.h"
#include "pid1.h"
#include "spawn.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Stack slots of l_spawn: the spec, and a table anchoring every string and
 * buffer the struct points to until the child has exec'd. */
#define SPAWN_ARGV_MAX 65536
#define SPEC   1
#define ANCHOR 2

/* Pop the value at the top into the anchor table. */
static void anchor(lua_State *L)
{
	lua_rawseti(L, ANCHOR, (lua_Integer)lua_rawlen(L, ANCHOR) + 1);
}

static const char *anchor_top(lua_State *L)
{
	const char *s = lua_tostring(L, -1);

	anchor(L);
	return s;
}

/* Raise msg naming field, and its index i when not 0 ("spawn:
 * groups[2]: ..."). The name is made here, on the error, never on the
 * way of a start that succeeds. */
static void field_error(lua_State *L, const char *field, lua_Integer i, const char *msg)
{
	if (i)
		luaL_error(L, "spawn: %s[%I]: %s", field, i, msg);
	luaL_error(L, "spawn: %s: %s", field, msg);
}

/* The string at idx as exec, open and getpwnam read it, up to its first
 * NUL byte: lx_tocstr, which raises for one with a NUL inside naming
 * field[i] as field_error does ("spawn: argv[1]: string without NUL bytes
 * expected, got a NUL at byte 3"), where argv {"ls\0-la"} ran ls. */
static const char *cstr(lua_State *L, int idx, const char *field, lua_Integer i)
{
	if (i)
		return lx_tocstr(L, idx, "spawn: %s[%I]", field, i);
	return lx_tocstr(L, idx, "spawn: %s", field);
}

static void *anchored_buffer(lua_State *L, size_t size)
{
	void *p = lua_newuserdatauv(L, size ? size : 1, 0);

	lua_rawseti(L, ANCHOR, (lua_Integer)lua_rawlen(L, ANCHOR) + 1);
	return p;
}

/* The descriptor of field[i]: lx_tofd's, or it raises naming the field
 * ("spawn: fds[3]: descriptor -1 out of range 0..2147483647"). */
static int tofd(lua_State *L, int idx, const char *field, lua_Integer i)
{
	int fd;
	const char *msg = lx_tofd(L, idx, &fd);

	if (msg)
		field_error(L, field, i, msg);
	return fd;
}

static const char *const io_names[] = { "stdin", "stdout", "stderr" };

/* A mode or umask field of table t, as every mode is read (lx_tomode):
 * an integer (420.0 too) or an octal string ("027"), since Lua has no
 * octal literals. The permission bits only (lx.h's rule: setuid, setgid
 * and sticky mean nothing on a service's output file or in a umask), so
 * that a decimal 644 meant as 0644 raises instead of giving a strange
 * mode. */
static mode_t opt_mode(lua_State *L, int t, const char *key, mode_t def)
{
	lua_Integer v = def;
	const char *msg;

	if (lua_getfield(L, t, key) != LUA_TNIL && (msg = lx_tomode(L, -1, LX_MODE_PERM, &v)))
		field_error(L, key, 0, msg);
	lua_pop(L, 1);
	return (mode_t)v;
}

/* stdin/stdout/stderr: "null" | "inherit" | "console" | "stdout" (stderr
 * only) | fd | object with fileno | {file=, append=, create=, mode=}; any
 * other key of the file table raises ("spawn: stdout: unknown key
 * 'apend'", which truncated the file). */
static void check_io(lua_State *L, int i, struct lx_spawn_io *io)
{
	static const char *const kinds[] = { "inherit", "null", "console", "stdout", NULL };
	static const char *const file_keys[] = { "file", "append", "create", "mode", NULL };
	static const char *const wheres[] = { "spawn: stdin", "spawn: stdout", "spawn: stderr" };
	const char *what = io_names[i];
	int t = lua_getfield(L, SPEC, what);

	memset(io, 0, sizeof *io);
	io->kind = i == 0 ? LX_IO_NULL : LX_IO_INHERIT;
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (t == LUA_TSTRING) {
		const char *s = cstr(L, -1, what, 0);
		int k;
		for (k = 0; kinds[k]; k++)
			if (strcmp(kinds[k], s) == 0)
				break;
		if (!kinds[k] || (k == 3 && i != 2))
			luaL_error(L, "spawn: %s: unknown value '%s'", what, s);
		io->kind = k == 0 ? LX_IO_INHERIT : k == 1 ? LX_IO_NULL :
		           k == 2 ? LX_IO_CONSOLE : LX_IO_STDOUT;
		lua_pop(L, 1);
		return;
	}
	if (t == LUA_TTABLE && lua_getfield(L, -1, "file") != LUA_TNIL) {
		int tab = lua_gettop(L) - 1, create, append;
		if (!lua_isstring(L, -1))
			luaL_error(L, "spawn: %s: file must be a path", what);
		lx_tocstr(L, -1, "%s: file", wheres[i]);
		io->kind = LX_IO_FILE;
		io->path = anchor_top(L);
		lx_checkkeys(L, tab, file_keys, wheres[i]);
		create = lx_optboolean(L, tab, "create", 1);
		append = lx_optboolean(L, tab, "append", 0);
		io->mode = opt_mode(L, tab, "mode", 0644);
		if (i == 0)
			io->oflags = O_RDONLY;
		else
			io->oflags = O_WRONLY | (create ? O_CREAT : 0) |
			             (append ? O_APPEND : O_TRUNC);
		lua_pop(L, 1);
		return;
	}
	if (t == LUA_TTABLE)
		lua_pop(L, 1); /* the nil "file" */
	io->kind = LX_IO_FD;
	io->fd = tofd(L, -1, what, 0);
	lua_pop(L, 1);
}

/* The resource names spawn takes; also process.RLIMITS, which
 * services.lua checks definitions against, so this is the one list. */
static const struct { const char *name; int res; } rlimit_names[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS }, { "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS }, { "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME }, { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};
#define NRLIMITS (sizeof rlimit_names / sizeof rlimit_names[0])

static const char *rlimit_name(int res)
{
	for (size_t i = 0; i < NRLIMITS; i++)
		if (rlimit_names[i].res == res)
			return rlimit_names[i].name;
	return "?";
}

/* A limit: "infinity" or an integer >= 0 (1024.0 too: lx_getint). */
static rlim_t check_rlim(lua_State *L, int idx, const char *name)
{
	lua_Integer v = -1;
	const char *got;

	if (lua_type(L, idx) == LUA_TSTRING) {
		/* "infinity\0x" was infinity */
		const char *s = lx_tocstr(L, idx, "spawn: rlimit %s", name);
		if (strcmp(s, "infinity") == 0)
			return RLIM_INFINITY;
		got = lua_pushfstring(L, "'%s'", s);
	} else if (lx_getint(L, idx, &v, &got) && v < 0) {
		got = lua_pushfstring(L, "%I", v);
	}
	if (v < 0)
		luaL_error(L, "spawn: rlimit %s: integer >= 0 or \"infinity\" expected, got %s",
		           name, got);
	return (rlim_t)v;
}

static int unknown_rlimit(lua_State *L, const char *name)
{
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (size_t i = 0; i < NRLIMITS; i++) {
		if (i > 0)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, rlimit_names[i].name);
	}
	luaL_pushresult(&b);
	return luaL_error(L, "spawn: unknown rlimit '%s' (expected one of %s)", name, lua_tostring(L, -1));
}

/* A child gets the descriptor limit PID 1 started with, not the one PID 1
 * raised for itself (programs that use select() expect 1024), unless its
 * spec sets nofile. */
static void child_nofile(struct lx_spawn *s)
{
	for (int i = 0; i < s->nrlimits; i++)
		if (s->rlimits[i].resource == RLIMIT_NOFILE)
			return;
	if (lx_nofile_raised && s->nrlimits < LX_SPAWN_MAXRLIM) {
		s->rlimits[s->nrlimits].resource = RLIMIT_NOFILE;
		s->rlimits[s->nrlimits++].lim = lx_nofile_children;
	}
}

/* rlimits = {nofile = 1024 | "infinity" | {soft, hard}, ...} */
static void check_rlimits(lua_State *L, struct lx_spawn *s)
{
	if (lua_getfield(L, SPEC, "rlimits") == LUA_TNIL) {
		lua_pop(L, 1);
		child_nofile(s);
		return;
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
		struct rlimit *r;
		size_t k;
		for (k = 0; k < NRLIMITS; k++)
			if (strcmp(rlimit_names[k].name, name) == 0)
				break;
		if (k == NRLIMITS || lua_type(L, -2) != LUA_TSTRING)
			unknown_rlimit(L, name);
		cstr(L, -2, "rlimits: key", 0);  /* {["nofile\0x"] = 8} set nofile */
		s->rlimits[s->nrlimits].resource = rlimit_names[k].res;
		r = &s->rlimits[s->nrlimits++].lim;
		if (lua_istable(L, -1)) {
			lua_geti(L, -1, 1);
			lua_geti(L, -2, 2);
			r->rlim_cur = check_rlim(L, -2, name);
			r->rlim_max = check_rlim(L, -1, name);
			lua_pop(L, 2);
			if (r->rlim_cur > r->rlim_max)
				luaL_error(L, "spawn: rlimit %s: soft limit above hard limit", name);
		} else {
			r->rlim_cur = r->rlim_max = check_rlim(L, -1, name);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	child_nofile(s);
}

static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
	"SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

/* A list of capability names ("CAP_NET_RAW", "net_raw") as a bit mask;
 * an unknown name raises. */
static int check_caps(lua_State *L, const char *field, uint64_t *mask)
{
	lua_Integer n;

	*mask = 0;
	if (lua_getfield(L, SPEC, field) == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "spawn: %s: list of capability names expected", field);
	n = luaL_len(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		const char *c;
		size_t k;
		lua_geti(L, -1, i);
		if (!(c = lua_tostring(L, -1)))
			luaL_error(L, "spawn: %s: capability name expected", field);
		cstr(L, -1, field, i);
		if (strncasecmp(c, "CAP_", 4) == 0)
			c += 4;
		for (k = 0; k < sizeof cap_names / sizeof cap_names[0]; k++)
			if (strcasecmp(cap_names[k], c) == 0)
				break;
		if (k == sizeof cap_names / sizeof cap_names[0])
			luaL_error(L, "spawn: %s: unknown capability '%s'", field,
			           lua_tostring(L, -1));
		*mask |= 1ULL << k;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 1;
}

static int cap_last(void)
{
	char buf[16];
	int n;

	if (lx_readfile("/proc/sys/kernel/cap_last_cap", buf, sizeof buf) <= 0)
		return (int)(sizeof cap_names / sizeof cap_names[0]) - 1;
	n = atoi(buf);
	return n < 0 ? 0 : n > 63 ? 63 : n;
}

/* "KEY=v" strings: the array part in order, then map entries sorted by key
 * (so the environment does not depend on table iteration order). */
static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A number in the map is written as services.lua writes one (its
 * env_number; a service's env comes here as "NAME=value" strings the
 * supervisor made, so this rule is for direct callers, a boot file's),
 * not as lua_tostring did (PORT=8080.0): an integral float as
 * the integer (8080, -0.0 as 0, 2^70 in all its digits: %.0f of the
 * largest double is 309 of them, hence num's size), any other in the
 * fewest digits that read back (lx_numtext: 0.1); inf and nan raise
 * naming the variable, as the definition check refuses them. */
static char **check_env(lua_State *L)
{
	static char default_env[] = "PATH=" DEFAULT_PATH;
	lua_Integer n, total = 0, i = 0;
	char **envp, num[320];

	if (lua_getfield(L, SPEC, "env") == LUA_TNIL) {
		lua_pop(L, 1);
		envp = anchored_buffer(L, 2 * sizeof *envp);
		envp[0] = default_env;
		envp[1] = NULL;
		return envp;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "spawn: env: table expected, got %s", luaL_typename(L, -1));
	n = (lua_Integer)lua_rawlen(L, -1);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		total++;
		lua_pop(L, 1);
	}
	envp = anchored_buffer(L, (size_t)(total + 1) * sizeof *envp);
	for (i = 0; i < n; i++) {
		const char *s = lua_rawgeti(L, -1, i + 1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		if (!s || !strchr(s, '='))
			luaL_error(L, "spawn: env[%d]: \"KEY=value\" string expected", (int)i + 1);
		cstr(L, -1, "env", i + 1);
		envp[i] = (char *)s;
		anchor(L);
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const char *key, *val = num;
		lua_Integer k;
		if (lua_isinteger(L, -2) && (k = lua_tointeger(L, -2)) >= 1 && k <= n) {
			lua_pop(L, 1);
			continue;
		}
		key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		if (!key || strchr(key, '=') || !key[0])
			luaL_error(L, "spawn: env: keys must be variable names or array indices");
		/* %s below stops at a NUL: {A = "1\0B=2"} gave A=1 */
		cstr(L, -2, "env: key", 0);
		switch (lua_type(L, -1)) {
		case LUA_TNUMBER: {
			int isint;
			lua_Integer iv = lua_tointegerx(L, -1, &isint);
			double d;
			if (isint)
				snprintf(num, sizeof num, "%lld", (long long)iv);
			else if (!isfinite(d = lua_tonumber(L, -1)))
				luaL_error(L, "spawn: env.%s: a string or a finite number expected, got %s",
				           key, lx_numtext(num, d));
			else if (d == floor(d))
				snprintf(num, sizeof num, "%.0f", d);
			else
				lx_numtext(num, d);
			break;
		}
		case LUA_TSTRING:
			val = lx_tocstr(L, -1, "spawn: env.%s", key);
			break;
		default:
			luaL_error(L, "spawn: env.%s: a string or a number expected, got %s", key,
			           luaL_typename(L, -1));
		}
		lua_pushfstring(L, "%s=%s", key, val);
		envp[i++] = (char *)anchor_top(L);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	qsort(envp + n, (size_t)(i - n), sizeof *envp, cmpstr);
	envp[i] = NULL;
	return envp;
}

/* Search name in the PATH of the child's environment, here in the parent,
 * so "not found" is a plain ENOENT. */
static int search_path(const char *name, char *const *envp, char *out, size_t size)
{
	const char *path = DEFAULT_PATH;
	int err = ENOENT;

	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0) {
			path = *e + 5;
			break;
		}
	while (*path) {
		size_t len = strcspn(path, ":");
		struct stat st;
		if (len > 0 && (size_t)snprintf(out, size, "%.*s/%s", (int)len, path, name) < size) {
			if (access(out, X_OK) == 0 && stat(out, &st) == 0 && S_ISREG(st.st_mode))
				return 0;
			if (errno == EACCES)
				err = EACCES;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return err;
}

/* The uid or gid (what) of field[i], a number or a digit string:
 * lx_toid's rule, or it raises naming the field ("spawn: group: gid
 * 4294967296 out of range 0..4294967294"). Without the range 4294967296
 * became 0 in the cast, root; and 4294967295 is (uid_t)-1, which set*id
 * calls take as "no change". */
static lua_Integer id_arg(lua_State *L, int idx, const char *field, lua_Integer i,
                          const char *what)
{
	lua_Integer id;
	const char *msg = lx_toid(L, idx, what, LX_ID_NAME, &id);

	if (msg)
		field_error(L, field, i, msg);
	return id;
}

/* Resolve the group name or number of field[i]. 0 or ENOENT. */
static int lookup_gid(lua_State *L, int idx, const char *field, lua_Integer i, gid_t *gid)
{
	const char *g = lua_type(L, idx) == LUA_TSTRING ? cstr(L, idx, field, i) : NULL;
	struct group *gr;

	if (g && (gr = getgrnam(g))) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (g && !lx_alldigits(g, 0, NULL))
		return ENOENT;
	*gid = (gid_t)id_arg(L, idx, field, i, "gid");
	return 0;
}

/* user, group, groups -> ids. Returns 0, or pushes the failure (4 values). */
static int check_ids(lua_State *L, struct lx_spawn *s, const char *name)
{
	char uname[256] = "";
	int have_pw = 0;
	gid_t pw_gid = 0;

	if (lua_getfield(L, SPEC, "user") != LUA_TNIL) {
		const char *u = lua_type(L, -1) == LUA_TSTRING ? cstr(L, -1, "user", 0) : NULL;
		struct passwd *pw = u ? getpwnam(u) : NULL;
		if (u && !pw && !lx_alldigits(u, 0, NULL))
			return lx_failmsg(L, ENOENT, "spawn %s: unknown user '%s'", name, u);
		if (pw) {
			s->uid = pw->pw_uid;
		} else {
			s->uid = (uid_t)id_arg(L, -1, "user", 0, "uid");
			pw = getpwuid(s->uid);
		}
		s->set_uid = 1;
		if (pw) {
			have_pw = 1;
			pw_gid = pw->pw_gid;
			snprintf(uname, sizeof uname, "%s", pw->pw_name);
		}
	}
	lua_pop(L, 1);
	if (lua_getfield(L, SPEC, "group") != LUA_TNIL) {
		if (lookup_gid(L, -1, "group", 0, &s->gid))
			return lx_failmsg(L, ENOENT, "spawn %s: unknown group '%s'", name,
			               luaL_tolstring(L, -1, NULL));
		s->set_gid = 1;
	} else if (s->set_uid) {
		if (!have_pw)
			return lx_fail(L, ENOENT, "spawn %s: uid %d has no passwd entry (give group)",
			               name, (int)s->uid);
		s->gid = pw_gid;
		s->set_gid = 1;
	}
	lua_pop(L, 1);
	if (lua_getfield(L, SPEC, "groups") != LUA_TNIL) {
		lua_Integer n;
		gid_t *g;
		if (!lua_istable(L, -1))
			luaL_error(L, "spawn: groups: list expected");
		n = luaL_len(L, -1);
		if (n < 0 || n > NGROUPS_MAX)
			luaL_error(L, "spawn: groups: more than %d", NGROUPS_MAX);
		g = anchored_buffer(L, (size_t)n * sizeof *g);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			if (lookup_gid(L, -1, "groups", i, &g[i - 1]))
				return lx_failmsg(L, ENOENT, "spawn %s: unknown group '%s'", name,
				               lua_tostring(L, -1));
			lua_pop(L, 1);
		}
		s->groups = g;
		s->ngroups = (size_t)n;
		s->set_groups = 1;
	} else if (have_pw) {
		/* initgroups: the user's supplementary groups from /etc/group */
		int n = 32;
		gid_t *g = anchored_buffer(L, (size_t)n * sizeof *g);
		if (getgrouplist(uname, s->gid, g, &n) < 0) {
			g = anchored_buffer(L, (size_t)n * sizeof *g);
			if (getgrouplist(uname, s->gid, g, &n) < 0)
				return lx_fail(L, ENOMEM, "spawn %s: groups of '%s'", name, uname);
		}
		s->groups = g;
		s->ngroups = (size_t)n;
		s->set_groups = 1;
	} else if (s->set_uid || s->set_gid) {
		/* Never let root's supplementary groups survive an id change. */
		s->ngroups = 0;
		s->set_groups = 1;
	}
	lua_pop(L, 1);
	return 0;
}

/* fds = {[3] = fd | object with fileno, ...} */
static void check_fds(lua_State *L, struct lx_spawn *s)
{
	if (lua_getfield(L, SPEC, "fds") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_Integer t = lua_isinteger(L, -2) ? lua_tointeger(L, -2) : -1;
		if (t < 3 || t > 65535)
			luaL_error(L, "spawn: fds: keys must be descriptor numbers 3..65535");
		if (s->nfds == LX_SPAWN_MAXFDS)
			luaL_error(L, "spawn: fds: more than %d", LX_SPAWN_MAXFDS);
		s->fds[s->nfds].target = (int)t;
		s->fds[s->nfds++].fd = tofd(L, -1, "fds", t);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static const char *opt_path(lua_State *L, const char *key, const char *def)
{
	if (lua_getfield(L, SPEC, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return def;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "spawn: %s: string expected, got %s", key, luaL_typename(L, -1));
	cstr(L, -1, key, 0);
	return anchor_top(L);
}

/** spawn : (spec) -> pid | (nil, string, integer, string)
 * Fork and exec spec.argv with the whole service setup done in the child
 * (see docs/lua-api.md, luainit.process for the fields). Returns once the child has
 * exec'd; a failed setup step or exec is reported here, by step name.
 * A key of spec not among the fields raises ("bad argument #1 to 'spawn'
 * (unknown key 'enviroment')"), before anything is read. */
static int l_spawn(lua_State *L)
{
	/* every field read below, and no other */
	static const char *const keys[] = { "argv", "path", "env", "cwd", "umask", "setsid",
		"ctty", "pgroup", "foreground", "no_new_privs", "nice", "rlimits", "capbset", "ambient",
		"stdin", "stdout", "stderr", "tty", "fds", "cgroup", "cgroup_clone", "user",
		"group", "groups", NULL };
	struct lx_spawn s;
	struct lx_spawn_error e;
	char exe[PATH_MAX], step[PATH_MAX + 16];
	const char *name, *cgroup, *tty;
	lua_Integer n;
	char **argv;
	pid_t pid;
	int err;

	lx_checkkeys(L, SPEC, keys, NULL);
	lua_settop(L, SPEC);
	lua_createtable(L, 8, 0); /* ANCHOR: argv, env and their buffers */
	memset(&s, 0, sizeof s);

	if (lua_getfield(L, SPEC, "argv") != LUA_TTABLE)
		luaL_error(L, "spawn: argv: list of strings expected");
	n = luaL_len(L, -1);
	if (n < 1)
		luaL_error(L, "spawn: argv is empty");
	/* a __len that lies must not size the buffer past what exec takes */
	if (n > SPAWN_ARGV_MAX)
		luaL_error(L, "spawn: argv: more than %d strings", SPAWN_ARGV_MAX);
	argv = anchored_buffer(L, (size_t)(n + 1) * sizeof *argv);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_geti(L, -1, i) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			luaL_error(L, "spawn: argv[%d]: string expected", (int)i);
		cstr(L, -1, "argv", i);
		argv[i - 1] = (char *)anchor_top(L);
	}
	argv[n] = NULL;
	lua_pop(L, 1);
	s.argv = argv;
	s.envp = check_env(L);
	s.path = opt_path(L, "path", argv[0]);
	name = s.path;
	if (!strchr(s.path, '/')) {
		if ((err = search_path(s.path, s.envp, exe, sizeof exe)))
			return lx_fail(L, err, "spawn %s: exec", name);
		s.path = exe;
	}
	s.cwd = opt_path(L, "cwd", "/");
	s.umask = opt_mode(L, SPEC, "umask", 022);
	s.setsid = lx_optboolean(L, SPEC, "setsid", 1);
	s.ctty = lx_optboolean(L, SPEC, "ctty", 0);
	s.pgroup = lx_optboolean(L, SPEC, "pgroup", 0);
	luaL_argcheck(L, !s.ctty || s.setsid, SPEC, "ctty needs setsid");
	s.foreground = lx_optboolean(L, SPEC, "foreground", 0);
	luaL_argcheck(L, !s.foreground || (s.pgroup && !s.setsid), SPEC, "foreground needs pgroup and setsid = false");
	s.no_new_privs = lx_optboolean(L, SPEC, "no_new_privs", 0);
	if (lua_getfield(L, SPEC, "nice") != LUA_TNIL) {
		lua_Integer nv = lx_optinteger(L, SPEC, "nice", 0);
		luaL_argcheck(L, nv >= -20 && nv <= 19, SPEC, "nice out of range -20..19");
		s.set_nice = 1;
		s.nice = (int)nv;
	}
	lua_pop(L, 1);
	check_rlimits(L, &s);
	s.capbset = check_caps(L, "capbset", &s.capkeep);
	check_caps(L, "ambient", &s.ambient);
	if (s.capbset) /* only the bounding-set drop needs it: no /proc read per spawn */
		s.cap_last = cap_last();
	for (int i = 0; i < 3; i++)
		check_io(L, i, &s.io[i]);
	/* One read-write descriptor on a terminal for all three, as a getty
	 * expects, opened by the child like a stdio file (without blocking:
	 * spawn.c), never by PID 1, whose open of a serial line without
	 * carrier would wait for the carrier. */
	if ((tty = opt_path(L, "tty", NULL))) {
		for (int i = 0; i < 3; i++)
			if (lua_getfield(L, SPEC, io_names[i]) != LUA_TNIL)
				luaL_error(L, "spawn: tty and %s both given", io_names[i]);
		s.io[0] = (struct lx_spawn_io){ .kind = LX_IO_FILE, .path = tty, .oflags = O_RDWR };
		s.io[1].kind = LX_IO_STDIN;
		s.io[2].kind = LX_IO_STDOUT;
	}
	check_fds(L, &s);
	cgroup = opt_path(L, "cgroup", NULL);
	/* clone3 into the group only when asked: on kernels that compare a
	 * group's cgroup.kill count with the parent's, a child started in a
	 * group once killed is killed too. Asked without a group it raises:
	 * it was ignored, and the child ran in PID 1's group. */
	if (lx_optboolean(L, SPEC, "cgroup_clone", 0)) {
		luaL_argcheck(L, cgroup != NULL, SPEC, "cgroup_clone needs cgroup");
		s.cgroup = cgroup;
	}
	if (cgroup) {
		lua_pushfstring(L, "%s/cgroup.procs", cgroup);
		s.cgroup_procs = anchor_top(L);
	}
	if (check_ids(L, &s, name))
		return 4;

	if ((err = lx_spawn(&s, &pid, &e))) {
		const char *sn = lx_spawn_step_name(e.step);
		switch (e.step) {
		case LX_STEP_OPEN:
			snprintf(step, sizeof step, "open %s", tty ? tty : io_names[e.detail % 3]);
			break;
		case LX_STEP_FD:
			if (e.detail >= 0 && e.detail < 3)
				snprintf(step, sizeof step, "%s", io_names[e.detail]);
			else
				snprintf(step, sizeof step, "fd %d", e.detail);
			break;
		case LX_STEP_RLIMIT:
			snprintf(step, sizeof step, "rlimit %s", rlimit_name(e.detail));
			break;
		case LX_STEP_CAPBSET:
		case LX_STEP_AMBIENT:
			if (e.detail >= 0 && (size_t)e.detail < sizeof cap_names / sizeof cap_names[0])
				snprintf(step, sizeof step, "%s CAP_%s", sn, cap_names[e.detail]);
			else
				snprintf(step, sizeof step, "%s", sn);
			break;
		case LX_STEP_CHDIR:
			/* (which directory: "chdir: No such file or directory"
			 * alone left the definition's cwd to guess) */
			snprintf(step, sizeof step, "chdir %s", s.cwd);
			break;
		default:
			snprintf(step, sizeof step, "%s", sn);
		}
		return lx_fail(L, err, "spawn %s: %s", name, step);
	}
	lua_pushinteger(L, pid);
	return 1;
}

void lx_spawn_register(lua_State *L)
{
	lua_pushcfunction(L, l_spawn);
	lua_setfield(L, -2, "spawn");
	/** RLIMITS : {name = integer}
	 * The rlimit names spawn takes, each with its RLIMIT_* number. */
	lua_createtable(L, 0, (int)NRLIMITS);
	for (size_t i = 0; i < NRLIMITS; i++) {
		lua_pushinteger(L, rlimit_names[i].res);
		lua_setfield(L, -2, rlimit_names[i].name);
	}
	lua_setfield(L, -2, "RLIMITS");
	/** CAPABILITIES : {NAME = integer}
	 * The capability names spawn takes (without "CAP_"), each with its
	 * number: services.lua checks definitions against this list. */
	lua_createtable(L, 0, (int)(sizeof cap_names / sizeof cap_names[0]));
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++) {
		lua_pushinteger(L, (lua_Integer)i);
		lua_setfield(L, -2, cap_names[i]);
	}
	lua_setfield(L, -2, "CAPABILITIES");
}
