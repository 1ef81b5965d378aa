/* tests/fuzz/control_fuzz.c: a libFuzzer harness for the luactl request
 * parser. Loads lua/proto.lua (the codec control.lua serves with) into a
 * plain Lua state, which finds what proto requires (float.lua) in lua/
 * (luainit.event and luainit.socket are stubbed: the codec needs neither),
 * and feeds every input through the path PID 1 takes:
 * unframe, then parse_request on
 * the payload, and parse_request on the raw bytes too. A Lua error is a
 * crash (the parser must return errors as values); so is heap growth
 * across inputs (a leak), checked after a full collection every 4096 runs.
 * Built with -fsanitize=fuzzer,address,undefined by `make fuzz`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

/* the library's source directory: proto.lua and the modules it requires */
#ifndef LUA_DIR
#define LUA_DIR "lua"
#endif

static lua_State *L;
static int feed_ref;
static unsigned long runs;
static int base_kb;

static int stub_now(lua_State *S) { lua_pushnumber(S, 0); return 1; }
static int stub_memory(lua_State *S)
{
	lua_pushinteger(S, (lua_Integer)lua_gc(S, LUA_GCCOUNT, 0) * 1024);
	lua_pushinteger(S, 0);
	return 2;
}
static int open_event(lua_State *S)
{
	lua_newtable(S);
	lua_pushcfunction(S, stub_now);
	lua_setfield(S, -2, "now");
	lua_pushcfunction(S, stub_memory);
	lua_setfield(S, -2, "memory");
	return 1;
}
static int open_socket(lua_State *S) { lua_newtable(S); return 1; }

static const char feed_src[] =
	"local control = ...\n"
	"return function(buf)\n"
	"  local p, rest = control.unframe(buf, 65536) -- control.limits.max_request\n"
	"  if p then\n"
	"    local req, err, code = control.parse_request(p)\n"
	"    assert(req or (type(err) == 'string' and type(code) == 'number'))\n"
	"  else assert(p == nil or type(rest) == 'string') end\n"
	"  local req, err = control.parse_request(buf)\n"
	"  assert(req or type(err) == 'string')\n"
	"  local v = control.json.decode(buf)\n"
	"  if v ~= nil then\n"
	"    local ok, s = pcall(control.json.encode, v)\n"
	"    if ok then assert(control.json.decode(s) ~= nil, 'round trip') end\n"
	"  end\n"
	"end\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	L = luaL_newstate();
	luaL_openlibs(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, open_event);
	lua_setfield(L, -2, "luainit.event");
	lua_pushcfunction(L, open_socket);
	lua_setfield(L, -2, "luainit.socket");
	lua_pop(L, 1);
	lua_getglobal(L, "package");
	lua_pushstring(L, LUA_DIR "/?.lua");
	lua_setfield(L, -2, "path");
	lua_pop(L, 1);
	if (luaL_dofile(L, LUA_DIR "/proto.lua") != LUA_OK ||
	    luaL_loadstring(L, feed_src) != LUA_OK) {
		fprintf(stderr, "control_fuzz: %s\n", lua_tostring(L, -1));
		abort();
	}
	lua_insert(L, -2);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		fprintf(stderr, "control_fuzz: %s\n", lua_tostring(L, -1));
		abort();
	}
	feed_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_gc(L, LUA_GCCOLLECT, 0);
	base_kb = lua_gc(L, LUA_GCCOUNT, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, feed_ref);
	lua_pushlstring(L, (const char *)data, size);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		fprintf(stderr, "control_fuzz: the parser raised: %s\n", lua_tostring(L, -1));
		abort();
	}
	if (++runs % 4096 == 0) {
		lua_gc(L, LUA_GCCOLLECT, 0);
		if (lua_gc(L, LUA_GCCOUNT, 0) > base_kb + 1024) {
			fprintf(stderr, "control_fuzz: Lua heap grew from %d to %d KiB\n",
			        base_kb, lua_gc(L, LUA_GCCOUNT, 0));
			abort();
		}
	}
	return 0;
}
