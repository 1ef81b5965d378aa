/* client.c: luactl, poweroff, reboot and halt (the same binary, chosen by
 * argv[0]). All of it is Lua (lua/luactl.lua, speaking the protocol of
 * lua/control.lua); this file only makes a Lua state for it, and keeps the
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

int lx_client_main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	lua_State *L;
	int code = 1;

	name = name ? name + 1 : argv[0];
	/* a tool, not PID 1: no /dev/kmsg lines, no reboot(2) from Lua */
	lx_script_mode = 1;
	if (lx_state_open(0)) {
		fprintf(stderr, "%s: cannot create the Lua state\n", name);
		return 1;
	}
	L = lx_L;
	lua_getglobal(L, "require");
	lua_pushliteral(L, "luactl");
	if (lx_pcall(L, 1, 1, "loading luactl.lua") != LUA_OK)
		return 1;
	lua_getfield(L, -1, "main");
	lua_createtable(L, argc, 1);
	for (int i = 0; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i);
	}
	if (lx_pcall(L, 1, 3, "luactl") != LUA_OK)
		return 1;
	code = (int)luaL_optinteger(L, -3, 1);
	if (lua_type(L, -2) == LUA_TSTRING)
		code = force(name, lua_tostring(L, -2), lua_toboolean(L, -1));
	fflush(stdout);
	return code;
}
