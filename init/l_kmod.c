/* l_kmod.c: luainit.kmod, kernel modules without modprobe. A thin face
 * on kmod.c: one module index per PID 1, parsed on first use and kept
 * (boot resolves hundreds of modaliases) until kmod.flush(). */
#include <errno.h>

#include <lauxlib.h>

#include "kmod.h"
#include "lx.h"

static struct kmod_db db;
static int db_ready;

/* Every request starts here, so a module tree that appeared after the
 * first use is picked up. */
static struct kmod_db *get_db(void)
{
	if (!db_ready) {
		kmod_init(&db);
		db_ready = 1;
	}
	kmod_refresh(&db);
	return &db;
}

/** set_root : (dir?, opts?) -> true
 * Module directory (nil: /lib/modules/<uname -r>). opts.confdirs: array of
 * modprobe.d directories (first wins per file name); opts.cmdline: text
 * used instead of /proc/cmdline. Options left out return to their defaults.
 * Drops the cached index. An unknown key of opts raises (confdir = {...}
 * set the default directories), and so does a value of a wrong type or
 * one too long for kmod.c (a path of 256 bytes, 9 directories); then
 * nothing is changed. The types are checked here, the sizes by
 * kmod_settings_*, all before kmod_configure changes anything. */
static int l_set_root(lua_State *L)
{
	static const char *const keys[] = { "confdirs", "cmdline", NULL };
	static struct kmod_settings s;  /* 5 KB; PID 1 is single-threaded */
	const char *root = lx_optstr(L, 1, NULL), *cmdline, *dirs[KMOD_CONFDIRS];

	lx_checkoptkeys(L, 2, keys);
	cmdline = lx_optstring(L, 2, "cmdline", NULL);
	kmod_settings_init(&s);
	if (kmod_settings_root(&s, root))
		luaL_argerror(L, 1, lua_pushfstring(L, "path longer than %d bytes",
		                                    (int)sizeof s.root - 1));
	if (kmod_settings_cmdline(&s, cmdline))
		lx_opterror(L, "cmdline", "longer than %d bytes", (int)sizeof s.cmdline - 1);
	if (!lua_isnoneornil(L, 2) && lua_getfield(L, 2, "confdirs") != LUA_TNIL) {
		size_t n;
		int err;
		if (!lua_istable(L, -1))
			lx_opterror(L, "confdirs", "array of paths expected, got %s", luaL_typename(L, -1));
		n = lua_rawlen(L, -1);
		/* the strings stay on the stack until copied */
		for (size_t i = 0; i < n && i < KMOD_CONFDIRS; i++) {
			if (lua_rawgeti(L, -1 - (int)i, (lua_Integer)i + 1) != LUA_TSTRING)
				lx_opterror(L, "confdirs", "path expected at [%d], got %s", (int)i + 1,
				            luaL_typename(L, -1));
			dirs[i] = lx_tocstr(L, -1, LX_OPT_FMT ": [%d]", "confdirs", (int)i + 1);
		}
		if (n > KMOD_CONFDIRS)
			lx_opterror(L, "confdirs", "more than %d directories", KMOD_CONFDIRS);
		err = kmod_settings_confdirs(&s, dirs, (int)n);
		if (err)
			lx_opterror(L, "confdirs", "a path longer than %d bytes",
			            (int)sizeof s.confdirs[0] - 1);
	}
	kmod_configure(get_db(), &s);
	return lx_ok(L);
}

/** root : () -> string   the module directory in effect */
static int l_root(lua_State *L)
{
	char buf[256];

	lua_pushstring(L, kmod_root(get_db(), buf, sizeof buf));
	return 1;
}

/** load : (name_or_alias, params?) -> true, how | (nil, string, integer)
 * how: "loaded", "already", "builtin", or "blacklisted" (an alias whose
 * only matches are blacklisted: nothing loaded, as modprobe does).
 * Dependencies load first; params go to the named module only, after its
 * modprobe.d options and name.param= words of the kernel command line. */
static int l_load(lua_State *L)
{
	static const char *const hows[] = { "loaded", "already", "builtin", "blacklisted" };
	const char *name = lx_checkstring(L, 1), *params = lx_optstr(L, 2, NULL);
	enum kmod_how how;
	char ctx[512];
	int err;

	luaL_argcheck(L, *name, 1, "empty module name");
	if ((err = kmod_load(get_db(), name, params, &how, ctx, sizeof ctx)))
		return lx_fail(L, err, "%s", ctx);
	lua_pushboolean(L, 1);
	lua_pushstring(L, hows[how]);
	return 2;
}

/** resolve : (name_or_alias) -> {path, ...} | (nil, string, integer)
 * The module files load would insert, dependencies first, whether or not
 * they are loaded now (built-in modules are left out; {} for a built-in
 * name). Reads the index only: nothing is loaded. */
static int l_resolve(lua_State *L)
{
	const char *name = lx_checkstring(L, 1);
	const struct kmod_mod *list[KMOD_LIST_MAX];
	struct kmod_db *d = get_db();
	char why[256] = "", path[512];
	int n, blacklisted, err;

	if ((err = kmod_resolve(d, name, list, &n, &blacklisted, why, sizeof why)))
		return lx_fail(L, err, "resolve %s", why);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		if (kmod_path(d, list[i]->path, path, sizeof path))
			return lx_fail(L, ENAMETOOLONG, "resolve %s: %s", name, list[i]->path);
		lua_pushstring(L, path);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

/** lookup : (alias) -> {module_name, ...} | (nil, string, integer)
 * Modules whose alias patterns (fnmatch) match, modprobe.d aliases first,
 * blacklisted modules left out; {} when none. Built-in ones are included. */
static int l_lookup(lua_State *L)
{
	const char *alias = lx_checkstring(L, 1), *names[KMOD_LIST_MAX];
	struct kmod_db *d = get_db();
	int n, err;

	if ((err = kmod_open(d)))
		return lx_fail(L, err, "lookup %s: reading the module index", alias);
	n = kmod_lookup(d, alias, names, KMOD_LIST_MAX, 1);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

/** is_loaded : (name) -> boolean   live in the kernel (/sys/module) */
static int l_is_loaded(lua_State *L)
{
	lua_pushboolean(L, kmod_is_loaded(lx_checkstring(L, 1)));
	return 1;
}

/** is_builtin : (name) -> boolean   listed in modules.builtin (or, when
 * there is no such file, present in /sys/module without an initstate) */
static int l_is_builtin(lua_State *L)
{
	lua_pushboolean(L, kmod_is_builtin(get_db(), lx_checkstring(L, 1)));
	return 1;
}

/** is_blacklisted : (name) -> boolean   a modprobe.d "blacklist" line or
 * modprobe.blacklist= on the kernel command line names it */
static int l_is_blacklisted(lua_State *L)
{
	lua_pushboolean(L, kmod_is_blacklisted(get_db(), lx_checkstring(L, 1)));
	return 1;
}

/** options : (name, params?) -> string | (nil, string, integer)
 * The parameter string load would pass for name. */
static int l_options(lua_State *L)
{
	const char *name = lx_checkstring(L, 1), *extra = lx_optstr(L, 2, NULL);
	char buf[KMOD_PARAMS_MAX];
	int err;

	if ((err = kmod_params(get_db(), name, extra, buf, sizeof buf)))
		return lx_fail(L, err, "options %s", name);
	lua_pushstring(L, buf);
	return 1;
}

/** flush : () -> integer   free the cached index; returns the bytes freed */
static int l_flush(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)kmod_flush(get_db()));
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "set_root", l_set_root }, { "root", l_root }, { "load", l_load },
	{ "resolve", l_resolve }, { "lookup", l_lookup },
	{ "is_loaded", l_is_loaded }, { "is_builtin", l_is_builtin },
	{ "is_blacklisted", l_is_blacklisted }, { "options", l_options },
	{ "flush", l_flush },
	{ NULL, NULL }
};

int luaopen_luainit_kmod(lua_State *L);
int luaopen_luainit_kmod(lua_State *L)
{
	luaL_newlib(L, funcs);
	return 1;
}
