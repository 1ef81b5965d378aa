/* client.c: luactl, poweroff, reboot and halt (the same binary, chosen by
 * argv[0]). All of it is Lua (lua/luactl.lua, speaking the protocol of
 * lua/proto.lua to PID 1's lua/control.lua); this file only makes a Lua state for it, and keeps the
 * one thing Lua may not do outside PID 1 in C: `-f` (sync, then reboot(2)
 * at once, as sysvinit's halt -f does). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include <lauxlib.h>

#include "pid1.h"

static int force(const char *name, const char *kind, int nosync)
{
	int cmd = RB_POWER_OFF;

	if (strcmp(kind, "reboot") == 0)
		cmd = RB_AUTOBOOT;
	else if (strcmp(kind, "halt") == 0)
		cmd = RB_HALT_SYSTEM;
	if (!nosync)
		sync();
	reboot(cmd);
	fprintf(stderr, "%s: reboot(2): %s\n", name, strerror(errno));
	return 1;
}

/* What luactl.main returned: an exit code, or a kind ("poweroff",
 * "reboot", "halt") for force() and whether to skip the sync. */
struct run {
	int argc;
	char **argv;
	int code, nosync;
	char kind[16];
};

/* Under lx_pcall_c, as all of the Lua work: the argv table and a check of
 * the results raise on a bad value, and outside the protected call that
 * was a Lua panic, abort() and a core dump. */
static int run_luactl(lua_State *L)
{
	struct run *r = lua_touserdata(L, 1);
	int isint, res;
	lua_Integer code;

	lua_getglobal(L, "require");
	lua_pushliteral(L, "luactl");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "main");
	lua_createtable(L, r->argc, 1);
	for (int i = 0; i < r->argc; i++) {
		lua_pushstring(L, r->argv[i]);
		lua_rawseti(L, -2, i);
	}
	lua_call(L, 1, 3);
	/* an edited luactl.lua (/usr/lib/luainit) may return anything */
	res = lua_absindex(L, -3);
	code = lua_tointegerx(L, res, &isint);
	if (!isint && !lua_isnil(L, res)) {
		const char *type = luaL_typename(L, res);
		return luaL_error(L, "luactl.main returned %s %s as the exit code, an integer expected",
		                  type, luaL_tolstring(L, res, NULL));
	}
	r->code = isint ? (int)code : 1;
	if (lua_type(L, res + 1) == LUA_TSTRING)
		snprintf(r->kind, sizeof r->kind, "%s", lua_tostring(L, res + 1));
	r->nosync = lua_toboolean(L, res + 2);
	return 0;
}

int lx_client_main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	struct run r = { argc, argv, 1, 0, "" };

	name = name ? name + 1 : argv[0];
	/* a tool, not PID 1: no /dev/kmsg lines, no reboot(2) from Lua */
	lx_script_mode = 1;
	if (lx_state_open(0)) {
		fprintf(stderr, "%s: cannot create the Lua state\n", name);
		return 1;
	}
	if (lx_require(lx_L, "luactl", "loading luactl.lua") != LUA_OK ||
	    lx_pcall_c(lx_L, run_luactl, &r, "luactl") != LUA_OK)
		return 1;
	if (r.kind[0])
		r.code = force(name, r.kind, r.nosync);
	fflush(stdout);
	return r.code;
}
