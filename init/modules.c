/* modules.c: the one static table of built-in C modules, registered in
 * package.preload at start (no dlopen in PID 1; see Lua's linit.c). */
#include "pid1.h"

int luaopen_luainit_event(lua_State *L);
int luaopen_luainit_sys(lua_State *L);
int luaopen_luainit_fs(lua_State *L);
int luaopen_luainit_process(lua_State *L);
int luaopen_luainit_mount(lua_State *L);
int luaopen_luainit_kmod(lua_State *L);
int luaopen_luainit_dev(lua_State *L);
int luaopen_luainit_socket(lua_State *L);
int luaopen_luainit_net(lua_State *L);
int luaopen_luainit_chunk(lua_State *L);

const struct lx_module lx_modules[] = {
	{ "luainit.event", luaopen_luainit_event },
	{ "luainit.sys", luaopen_luainit_sys },
	{ "luainit.fs", luaopen_luainit_fs },
	{ "luainit.process", luaopen_luainit_process },
	{ "luainit.mount", luaopen_luainit_mount },
	{ "luainit.kmod", luaopen_luainit_kmod },
	{ "luainit.dev", luaopen_luainit_dev },
	{ "luainit.socket", luaopen_luainit_socket },
	{ "luainit.net", luaopen_luainit_net },
	{ "luainit.chunk", luaopen_luainit_chunk },
	{ NULL, NULL }
};
