/* pid1.h: what the PID 1 core (main.c, state.c, reap.c, log.c) shares with
 * the bindings: the Lua state, protected calls, hooks, logging, reaping. */
#ifndef LUAINIT_PID1_H
#define LUAINIT_PID1_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <lua.h>

/* A built-in C module, opened through package.preload. */
struct lx_module {
	const char *name;
	lua_CFunction open;
};
extern const struct lx_module lx_modules[];

/* A Lua library file compiled into the binary (build/gen/lualib.c): its
 * bytecode, and the length and FNV-1a hash of the source it came from. */
struct lx_embedded {
	const char *name;
	const unsigned char *code;
	size_t len;
	size_t srclen;
	unsigned long long srchash;
};
extern const struct lx_embedded lx_lualib[];
/* The compiled-in library module name, or NULL. */
const struct lx_embedded *lx_lualib_find(const char *name);

/* FNV-1a, 64 bits: the hash that keys the compiled-in library and the
 * compiled-file cache to the source text. Start from LX_FNV1A_INIT; feed
 * the text in as many pieces as convenient. */
#define LX_FNV1A_INIT 0xcbf29ce484222325ULL
unsigned long long lx_fnv1a(unsigned long long h, const void *p, size_t n);

/* Does the file at path hold the text of length srclen and hash srchash?
 * 1 yes, 0 no, -1 no such readable regular file. Answered by a stat when
 * the compiled-file cache recorded the file, under name, with the same
 * times; else by reading it (and recording it when a cache is in use). */
int lx_chunk_sametext(const char *path, const char *name, unsigned long long srclen,
                      unsigned long long srchash);

/* The one Lua state of PID 1, or NULL before lx_state_open. */
extern lua_State *lx_L;

/* Create the Lua state with a memory cap in bytes (0: none).
 * Returns 0 or an errno value. */
int lx_state_open(size_t memcap);
void lx_state_setcap(size_t memcap);
size_t lx_state_used(void);
size_t lx_state_cap(void);
/* After the boot: drop the boot-only code and constants (everything linked
 * after cold.c, the compiled-in bytecode among them) from PID 1's page
 * tables; returns the bytes advised. */
size_t lx_state_trim(void);
void lx_cold_begin(void);  /* cold.c: where boot-only code starts */
extern const char lx_cold_rodata[];  /* and boot-only constants */

/* lua_pcall with a traceback handler; on error log "luainit: <where>:
 * <message + traceback>" and pop it. Returns the lua_pcall status. */
int lx_pcall(lua_State *L, int nargs, int nres, const char *where);

/* Call fn(L) through lx_pcall with ud as its one argument, a light
 * userdata. Pushing a C function without upvalues and a light userdata
 * allocates nothing, so nothing can raise before the protected call
 * begins (an error there would be a Lua panic): every lookup and push that
 * can raise (a memory error, a metamethod) belongs in fn. Returns the
 * lua_pcall status, LUA_ERRMEM when the stack has no room left. */
int lx_pcall_c(lua_State *L, lua_CFunction fn, void *ud, const char *where);
/* require(name) under lx_pcall_c: a library that fails to load is logged
 * as where, and LUA_OK tells the caller it may go on. */
int lx_require(lua_State *L, const char *name, const char *where);

/* Push the Lua hook registered under name (event.hook); 0 if none. */
int lx_hook_push(lua_State *L, const char *name);

/* Install the searchers: preload, files on disk (package.path), then the
 * library compiled into the binary. */
void lx_state_searchers(lua_State *L);

/* Log a line from PID 1 to the console and /dev/kmsg. */
void lx_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Level-tagged write to /dev/kmsg only ("<lvl>luainit: msg"). */
void lx_kmsg(int level, const char *msg, size_t len);
void lx_console_open(void);
void lx_console_reset(void);
size_t lx_console_write(const char *p, size_t n);
unsigned long lx_console_dropped(void);

/* Reap every exited child; for each, run the "child" hook (pid, how, code). */
void lx_reap(void);

/* C fallback shutdown when Lua cannot do it: TERM, grace, KILL, sync,
 * remount read-only, reboot(cmd). Never returns when PID 1. */
void lx_emergency_shutdown(int rb_cmd);

/* Read the whole mounts file at path (/proc/self/mounts) into *buf
 * (malloc'd, NUL-terminated, *len bytes); 0 or an errno value. */
int lx_mounts_read(const char *path, char **buf, size_t *len);
/* The mount point of the last line of buf before *end, unescaped in place
 * (the line is cut there); *end moves back to that line's start. NULL when
 * no line is left. Called until NULL, it gives them last mounted first. */
char *lx_mounts_prev(char *buf, size_t *end);

/* Multi-call entry points. */
int lx_client_main(int argc, char **argv);

/* Script mode (luainit --lua FILE): event.exit(code) ends the loop. */
extern int lx_script_mode, lx_exit_requested, lx_exit_code;

/* CLOCK_BOOTTIME when main() began, in ms since the kernel started: the
 * moment the kernel handed over to us (for `luactl analyze`). */
extern double lx_started_ms;

/* Non-zero when PID 1 runs as a container's init (no machine setup). */
extern int lx_container;

/* PID 1 raises its own descriptor limit (a log pipe per service: the
 * kernel gives init 1024); lx_nofile_raised says it did, and every child
 * gets lx_nofile_children, the limit PID 1 started with, unless its
 * definition sets nofile. */
extern int lx_nofile_raised;
extern struct rlimit lx_nofile_children;

#endif
