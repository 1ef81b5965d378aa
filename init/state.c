/* state.c: PID 1's Lua state: a capped allocator, built-in modules through
 * package.preload, the searcher for the compiled-in library, and the
 * protected-call wrapper every entry into Lua goes through. */
#include <errno.h>
#include <stdint.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lx.h"
#include "pid1.h"

lua_State *lx_L;

static struct {
	size_t used;
	size_t cap;
} mem;

/* Small blocks. Lua passes each block's size to free and realloc, so a
 * block needs no header: sizes up to SMALL_MAX are rounded up to 8 bytes
 * and cut from 64 kB arenas (mmap: only the pages used are resident), and
 * a freed block goes on the free list of its size, to be reused by the next
 * block of that size. Nothing goes back to the kernel, so PID 1 keeps the
 * peak of each size; in exchange a boot's ~4 000 small objects cost ~90 kB
 * less than with libc's size classes and per-block headers. Larger blocks
 * are libc's. */
#define SMALL_MAX 256
#define ARENA (64 * 1024)

static struct {
	void *free[SMALL_MAX / 8 + 1];   /* by size / 8 */
	char *next, *end;                /* the arena being cut */
} small;

static size_t small_size(size_t n) { return n <= 8 ? 8 : (n + 7) & ~(size_t)7; }

static void small_free(void *p, size_t n)
{
	*(void **)p = small.free[n / 8];
	small.free[n / 8] = p;
}

static void *small_alloc(size_t n)
{
	void *p = small.free[n / 8];

	if (p) {
		small.free[n / 8] = *(void **)p;
		return p;
	}
	if ((size_t)(small.end - small.next) < n) {
		char *a = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (a == MAP_FAILED)
			return NULL;
		if (small.end - small.next >= 8)   /* the old arena's tail */
			small_free(small.next, (size_t)(small.end - small.next));
		small.next = a;
		small.end = a + ARENA;
	}
	p = small.next;
	small.next += n;
	return p;
}

static void block_free(void *p, size_t n)
{
	if (n <= SMALL_MAX)
		small_free(p, small_size(n));
	else
		free(p);
}

/* Over the cap the allocator fails; Lua then runs an emergency collection
 * and retries, and if that fails raises a memory error that the protected
 * call around the request or handler contains. */
static void *alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	void *p;

	(void)ud;
	if (ptr == NULL)
		osize = 0;   /* Lua passes the object's type there */
	if (nsize == 0) {
		if (ptr)
			block_free(ptr, osize);
		mem.used -= osize;
		return NULL;
	}
	if (mem.cap && nsize > osize && mem.used + (nsize - osize) > mem.cap)
		return NULL;
	if (ptr && osize <= SMALL_MAX && nsize <= SMALL_MAX && small_size(osize) == small_size(nsize))
		p = ptr;
	else if (nsize > SMALL_MAX && (ptr == NULL || osize > SMALL_MAX))
		p = realloc(ptr, nsize);
	else {
		p = nsize <= SMALL_MAX ? small_alloc(small_size(nsize)) : malloc(nsize);
		if (p && ptr) {
			memcpy(p, ptr, osize < nsize ? osize : nsize);
			block_free(ptr, osize);
		}
	}
	if (p)
		mem.used = mem.used - osize + nsize;
	return p;
}

void lx_state_setcap(size_t memcap) { mem.cap = memcap; }
size_t lx_state_used(void) { return mem.used; }
size_t lx_state_cap(void) { return mem.cap; }

static int msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)",
		                      luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

int lx_pcall(lua_State *L, int nargs, int nres, const char *where)
{
	int base = lua_gettop(L) - nargs;
	int st;

	lua_pushcfunction(L, msghandler);
	lua_insert(L, base);
	st = lua_pcall(L, nargs, nres, base);
	lua_remove(L, base);
	if (st != LUA_OK) {
		const char *m = lua_tostring(L, -1);
		lx_log("%s: %s", where, m ? m : "(no message)");
		lua_pop(L, 1);
	}
	return st;
}

int lx_pcall_c(lua_State *L, lua_CFunction fn, void *ud, const char *where)
{
	/* room for fn, ud and lx_pcall's handler; lua_checkstack reports a
	 * stack it cannot grow instead of raising */
	if (!lua_checkstack(L, 3)) {
		lx_log("%s: no room on the Lua stack", where);
		return LUA_ERRMEM;
	}
	lua_pushcfunction(L, fn);
	lua_pushlightuserdata(L, ud);
	return lx_pcall(L, 1, 0, where);
}

static int require_ud(lua_State *L)
{
	lua_getglobal(L, "require");
	lua_pushstring(L, (const char *)lua_touserdata(L, 1));
	lua_call(L, 1, 0);
	return 0;
}

int lx_require(lua_State *L, const char *name, const char *where)
{
	return lx_pcall_c(L, require_ud, (void *)name, where);
}

int lx_hook_push(lua_State *L, const char *name)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "luainit.hooks");
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (lua_getfield(L, -1, name) != LUA_TFUNCTION) {
		lua_pop(L, 2);
		return 0;
	}
	lua_remove(L, -2);
	return 1;
}

unsigned long long lx_fnv1a(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

const struct lx_embedded *lx_lualib_find(const char *name)
{
	for (const struct lx_embedded *e = lx_lualib; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* package.searchers[2]: a module of the library compiled into the binary.
 * When package.path finds a file for it whose text differs from the
 * compiled-in copy (a person edited it), this searcher steps aside and the
 * next one loads that file; otherwise the precompiled bytecode is loaded,
 * so a boot does not compile its library again. The file is the first
 * that package.path's templates name and that is a readable regular file
 * (package.searchpath would stop at a directory or an unreadable file
 * too, and fail to load it), checked through the compiled-file cache
 * (l_chunk.c): in a boot, one stat per module instead of an fopen, a
 * read and a hash. */
static int search_library(lua_State *L)
{
	const char *name = lx_checkstring(L, 1);
	const struct lx_embedded *e;
	const char *p;
	char file[PATH_MAX];
	int same = -1;

	if (!(e = lx_lualib_find(name))) {
		lua_pushfstring(L, "no built-in module '%s'", name);
		return 1;
	}
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	for (p = lua_tostring(L, -1); p && *p && same < 0;) {
		size_t n = strcspn(p, ";"), k = 0;
		for (size_t i = 0; i < n && k < sizeof file; i++) {
			if (p[i] != *LUA_PATH_MARK) {
				file[k++] = p[i];
				continue;
			}
			for (const char *c = name; *c && k < sizeof file; c++)
				file[k++] = *c == '.' ? *LUA_DIRSEP : *c;
		}
		if (n > 0 && k < sizeof file) {
			file[k] = '\0';
			same = lx_chunk_sametext(file, file, e->srclen, e->srchash);
		}
		p += n + (p[n] == ';');
	}
	if (same == 0) {
		lua_pushfstring(L, "built-in '%s' differs from %s", name, file);
		return 1;
	}
	if (luaL_loadbufferx(L, (const char *)e->code, e->len, name, "b") != LUA_OK)
		return lua_error(L);
	if (same == 1)
		lua_pushstring(L, file);
	else
		lua_pushliteral(L, "(built in)");
	return 2;
}

/* Drop [lo, hi) rounded inwards to whole pages from PID 1's page tables;
 * returns the bytes advised. Only for clean, read-only file pages: a later
 * access reads them from the page cache again. */
static size_t drop_pages(uintptr_t lo, uintptr_t hi)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);

	lo = (lo + pg - 1) & ~(pg - 1);
	hi &= ~(pg - 1);
	if (hi <= lo || madvise((void *)lo, hi - lo, MADV_DONTNEED) < 0)
		return 0;
	return hi - lo;
}

/* The end of the loaded segment (PT_LOAD) that holds addr. */
static uintptr_t segment_end(uintptr_t addr)
{
#if UINTPTR_MAX > 0xffffffffu
	typedef Elf64_Phdr phdr;
#else
	typedef Elf32_Phdr phdr;
#endif
	const phdr *ph = (const phdr *)getauxval(AT_PHDR);
	size_t n = getauxval(AT_PHNUM);
	uintptr_t bias = 0;

	for (size_t i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_PHDR)   /* a position-independent binary */
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (size_t i = 0; ph && i < n; i++) {
		uintptr_t lo = bias + ph[i].p_vaddr, hi = lo + ph[i].p_memsz;
		if (ph[i].p_type == PT_LOAD && addr >= lo && addr < hi)
			return hi;
	}
	return addr;
}

size_t lx_state_trim(void)
{
	/* etext: the end of .text, from the default linker script */
	extern char etext[];

	/* The boot-only code and constants, linked after cold.c (see the
	 * Makefile); the compiled-in library's bytecode, read once at
	 * require time, is among those constants. */
	return drop_pages((uintptr_t)lx_cold_begin, (uintptr_t)etext) +
	       drop_pages((uintptr_t)lx_cold_rodata, segment_end((uintptr_t)lx_cold_rodata));
}

void lx_state_searchers(lua_State *L)
{
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "searchers");
	/* preload, the compiled-in library, then Lua files on package.path;
	 * no C loaders: there is no dlopen in PID 1. */
	lua_rawgeti(L, -1, 2);
	lua_rawseti(L, -2, 3);
	lua_pushcfunction(L, search_library);
	lua_rawseti(L, -2, 2);
	lua_pushnil(L);
	lua_rawseti(L, -2, 4);
	lua_pop(L, 1);
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	{
		const char *extra = getenv("LUAINIT_PATH");
		if (extra && *extra)
			lua_pushfstring(L, "%s;/usr/lib/luainit/?.lua", extra);
		else
			lua_pushliteral(L, "/usr/lib/luainit/?.lua");
	}
	lua_setfield(L, -2, "path");
	lua_getfield(L, -1, "preload");
	for (const struct lx_module *m = lx_modules; m->name; m++) {
		lua_pushcfunction(L, m->open);
		lua_setfield(L, -2, m->name);
	}
	lua_pop(L, 2);
}

/** table.create : (narray, nhash?) -> table
 * An empty table with room for narray list items and nhash keys, as Lua
 * 5.5's table.create: a record that will hold dozens of fields (a
 * service's) is made at its size instead of growing through six rehashes. */
static int table_create(lua_State *L)
{
	lua_Integer na = luaL_checkinteger(L, 1), nh = luaL_optinteger(L, 2, 0);

	luaL_argcheck(L, na >= 0 && na <= 1 << 20, 1, "out of range");
	luaL_argcheck(L, nh >= 0 && nh <= 1 << 20, 2, "out of range");
	lua_createtable(L, (int)na, (int)nh);
	return 1;
}

int lx_state_open(size_t memcap)
{
	lua_State *L;

	mem.cap = memcap;
	L = lua_newstate(alloc, NULL);
	if (L == NULL)
		return ENOMEM;
	lua_gc(L, LUA_GCGEN, 0, 0);
	luaL_openlibs(L);
	lua_getglobal(L, "table");
	lua_pushcfunction(L, table_create);
	lua_setfield(L, -2, "create");
	lua_pop(L, 1);
	lx_state_searchers(L);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "luainit.hooks");
	lx_L = L;
	return 0;
}
