/* lx.h: helpers shared by the Lua bindings (init/l_*.c, netconf/l_*.c).
 * The error contract of every binding lives here: a system failure returns
 * nil, "context: strerror", errno, "ENAME"; misuse raises. */
#ifndef LUAINIT_LX_H
#define LUAINIT_LX_H

#include <dirent.h>
#include <stdint.h>
#include <sys/types.h>
#include <lua.h>
#include <lauxlib.h>

/* One name/bit pair of a flag table used by lx_checkflags. */
struct lx_flag {
	const char *name;
	uint64_t bits;
};

/* Push nil, "ctx: strerror(err)", err, "ENAME" and return 4. Pass the errno
 * value saved right after the failing call: Lua calls may change errno. */
int lx_fail(lua_State *L, int err, const char *fmt, ...);

/* Push true and return 1 (the success value of calls with no result). */
int lx_ok(lua_State *L);

/* Symbolic name of an errno value ("ENOENT"), or "E?" for unknown values. */
const char *lx_errname(int err);

/* Parse argument arg, a comma-separated flag string such as "ro,nosuid", or
 * nil (0). An unknown flag raises an argument error naming the flag.
 * Names not in the table may be collected into *rest (a buffer of restlen
 * bytes, comma-joined) when rest is not NULL; otherwise they raise. */
uint64_t lx_checkflags(lua_State *L, int arg, const struct lx_flag *tab,
                       char *rest, size_t restlen);

/* Signal number for a name ("TERM", "SIGTERM") or number argument (15.0
 * too: lx_getint); raises on an unknown name, and on any other value
 * "signal name or number expected, got table". */
int lx_checksignal(lua_State *L, int arg);

/* Name of a signal ("TERM"), or NULL. */
const char *lx_signame(int sig);

/* Read a whole small file into buf (NUL-terminated); returns length or -errno. */
long lx_readfile(const char *path, char *buf, size_t size);

/* Undo, in place, the octal escapes the kernel writes in /proc/self/mounts
 * and /proc/swaps for the characters that would break a field: \040
 * (space), \011 (tab), \012 (newline), \134 (backslash). */
void lx_unescape_octal(char *s);

/* Monotonic clock in milliseconds (with fraction). */
double lx_now_ms(void);

/* d in the fewest of 15, 16 or 17 significant digits that read back as d
 * (0.1, 1e+300, 9.223372036854776e+18), as lua/float.lua writes a float;
 * inf and nan as %g writes them. Returns buf, of LX_NUMTEXT bytes. */
#define LX_NUMTEXT 32
char *lx_numtext(char *buf, double d);

/* What a number is that lua_tointegerx refused, for a message's "got
 * ...": "non-integer number 0.5" (inf and nan too), or "number
 * 9.223372036854776e+18 out of integer range" for an integral float that
 * no 64-bit integer holds. Pushed on the stack, and returned. */
const char *lx_pushnotint(lua_State *L, double d);

/* The one rule of an integer field or argument, lua/integer.lua's in C:
 * an integer, or a float with an integral value (420.0 is 420), as Lua's
 * own integer arguments take one; not 420.5, nor a float past 64 bits,
 * nor a string (lua_tointegerx took "0644" as 644). Returns 1 with *v
 * set; else 0, with what the value is pushed and in *got for a message's
 * "integer expected, got %s": "non-integer number 420.5", "number 1e+300
 * out of integer range", or the type's name. */
int lx_getint(lua_State *L, int idx, lua_Integer *v, const char **got);

/* True for a non-empty string of decimal digits only (no sign, blank or
 * other base): spawn's user and group that no name matched, a pid's
 * entry in /proc, a uid or gid string (lx_toid), a prefix length
 * (lx_net_parse_ip). The value is read in the same pass, into *v when v
 * is not NULL: it stops growing once past max, so there is no overflow
 * (max at most LUA_MAXINTEGER / 10 - 1), and a value above max is only
 * known to be above it. */
int lx_alldigits(const char *s, lua_Integer max, lua_Integer *v);

/* The largest uid or gid: 4294967295 is (uid_t)-1, which set*id and
 * chown take as "no change", and no user has. */
#define LX_ID_MAX ((lua_Integer)4294967294)

/* lx_toid's flags. LX_ID_NAME: a name is taken too, and the caller
 * looked it up before (getpwnam, spawn's user and group), so a refusal
 * says "name or uid expected". LX_ID_KEEP: -1 too, which chown takes as
 * "unchanged" (it is (uid_t)-1, 4294967295, in the call). */
#define LX_ID_NAME 1
#define LX_ID_KEEP 2

/* A uid or gid (what says which: "uid", "gid"): a number (1000.0 too:
 * lx_getint) or a string of decimal digits (spawn's user = "1000" that
 * no name matched), from 0 (the number -1 with LX_ID_KEEP) to
 * LX_ID_MAX. Returns NULL with *id set, or what is wrong, pushed: "uid
 * 4294967296 out of range 0..4294967294" (the cast made it 0, root),
 * "gid 1.8446744073709552e+19 out of range 0..4294967294" (an integral
 * float no integer holds is out of range too), "uid '99999999999' out
 * of range 0..4294967294", "gid -2 out of range -1..4294967294", "name
 * or uid expected, got non-integer number 0.5", "name or gid expected,
 * got table", "uid expected, got ' 1000'" (without LX_ID_NAME). */
const char *lx_toid(lua_State *L, int idx, const char *what, int flags, lua_Integer *id);

/* An id argument (lx_toid), or it raises naming the argument: "bad
 * argument #2 to 'chown' (uid 4294967296 out of range -1..4294967294)". */
lua_Integer lx_checkid(lua_State *L, int arg, const char *what, int flags);

/* A descriptor: a number (3.0 too: lx_getint) or an object with a
 * :fileno() method (luainit.fs descriptors, sockets, net monitors), that
 * is a table or a userdata with an __index, from 0 to INT_MAX. The method
 * is called, and may raise (a closed fs.fd's does). Returns NULL with *fd
 * set, or what is wrong, pushed: "descriptor number expected, got
 * non-integer number 1.5", "descriptor 4294967299 out of range
 * 0..2147483647" (the cast made it 3), "descriptor number or object with
 * fileno expected, got boolean" (a table with no fileno too), "object has
 * no fileno method" (an io file), "fileno returned string, not a
 * descriptor number". */
const char *lx_tofd(lua_State *L, int idx, int *fd);

/* The largest mode a call takes, one rule for every mode luainit reads:
 * the bits that mean something on what the call makes or changes.
 * LX_MODE_ALL, with setuid, setgid and sticky, where the file may be a
 * program or a directory: chmod, mkdir (/tmp's 01777), open and
 * writefile (tmpfiles.d hands its 'd' and 'f' lines' modes to mkdir and
 * writefile). LX_MODE_PERM, the permission bits, where those three mean
 * nothing: a socket file (listen, dgram), a device node or FIFO (mknod),
 * a umask (umask(2) keeps 0777), and spawn's umask and output file. The
 * narrow range is what catches a decimal written for an octal mode: 660
 * is 01224, a sticky -w--w-r-- that LX_MODE_ALL cannot tell from a
 * mode someone meant. */
#define LX_MODE_PERM 0777
#define LX_MODE_ALL 07777

/* A mode: an integer (0x1ed, 493, 493.0: lx_getint) or an octal string
 * ("0755", "755"; octal digits only), from 0 to max. Returns NULL with *m
 * set, or what is wrong, pushed: "octal string or integer expected, got
 * table", "660 out of range 0..511 (0..0777 in octal; Lua has no octal
 * literals: write "0644" or 420)", "'1777' out of range 0..0777". */
const char *lx_tomode(lua_State *L, int idx, lua_Integer max, lua_Integer *m);

/* A mode argument (lx_tomode) up to max; def when none or nil, unless
 * def < 0 (required). Anything else raises naming the mode: "bad argument
 * #2 to 'chmod' (mode: octal string or integer expected, got nil)". */
mode_t lx_checkmode(lua_State *L, int arg, lua_Integer def, lua_Integer max);

/* Raise for a key of the table at idx not in keys (NULL-terminated), where
 * a misspelt option would be ignored. With what NULL, idx is an argument:
 * "bad argument #2 to 'link_set' (unknown key 'mut')"; otherwise the
 * table is inside one (spawn's stdout = {file = ...}), and what names it:
 * "spawn: stdout: unknown key 'apend'". A key that is not a string is
 * named by its type ("unknown key (a number)"). Anything but a table at
 * idx raises "table expected, got string" (nil too: an optional table is
 * checked only when given). */
void lx_checkkeys(lua_State *L, int idx, const char *const keys[], const char *what);
/* lx_checkkeys for an optional options table: none or nil passes. */
void lx_checkoptkeys(lua_State *L, int idx, const char *const keys[]);

/* Register the userdata type name once (STYLE.md's "Userdata"): its
 * methods as __index, gc as __gc, close as __close (the same function
 * where the collector may close, as most types do), tostring as
 * __tostring. Leaves the stack as it was. */
void lx_newtype(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc,
                lua_CFunction close, lua_CFunction tostring);

/* A Lua string may hold NUL bytes; what libc and the kernel read as a C
 * string stops at the first ("/tmp/a\0b" is /tmp/a), so wherever a string
 * becomes a char * it is refused instead. lx_nulbyte: for the string at
 * idx (a number is made a string in place, as lua_tolstring does), NULL
 * when it has no NUL byte, else what is wrong, pushed: "string without NUL
 * bytes expected, got a NUL at byte 7" (counted from 1). Data taken with
 * its length (fd:write, writefile's and sendto's data) may hold NULs. */
const char *lx_nulbyte(lua_State *L, int idx);
/* The string at idx as C reads it, lua_tostring's (a number is made a
 * string in place; NULL for any other type), when it holds no NUL byte;
 * one that does raises "prefix: string without NUL bytes expected, got a
 * NUL at byte 3", the prefix made of fmt and what follows it as
 * lua_pushfstring makes one ("spawn: argv[%I]", "dhcp_build: field
 * '%s'"), on the error alone. */
const char *lx_tocstr(lua_State *L, int idx, const char *fmt, ...);
/* luaL_checklstring, luaL_checkstring and luaL_optstring (def when none
 * or nil) that refuse a NUL byte, naming the argument: "bad argument #1
 * to 'mkdir' (string without NUL bytes expected, got a NUL at byte 7)".
 * lx_checklstring sets *len (len may be NULL), so a caller that needs the
 * length has it without a strlen. */
const char *lx_checklstring(lua_State *L, int arg, size_t *len);
const char *lx_checkstring(lua_State *L, int arg);
const char *lx_optstr(lua_State *L, int arg, const char *def);
/* luaL_checkoption on a string checked by lx_optstr: "c\0x" was "c". */
int lx_checkoption(lua_State *L, int arg, const char *def, const char *const lst[]);

/* Fields of an optional options table at index idx: nil or none gives
 * every default, any other type than a table raises ("bad argument #2 to
 * 'umount' (table expected, got string)"). A field of a wrong type raises
 * "option 'key': string expected, got number"; lx_optstring takes
 * strings only (no number is converted), without a NUL byte ("option
 * 'gateway': string without NUL bytes expected, got a NUL at byte 9"),
 * held by the table itself (the C string outlives the read; one a
 * metatable's __index gave raises "a string in the table itself
 * expected, not one from its metatable"), and never writes into it;
 * lx_optinteger takes an integer as lx_getint does ("integer expected,
 * got string", "got non-integer number 1.5", "got number 1e+300 out of
 * integer range"). */
const char *lx_optstring(lua_State *L, int idx, const char *key, const char *def);
lua_Integer lx_optinteger(lua_State *L, int idx, const char *key, lua_Integer def);
int lx_optboolean(lua_State *L, int idx, const char *key, int def);
/* Raise what fmt and what follows it make (as lua_pushfstring makes
 * it) naming option key: "option 'mode': octal string or integer
 * expected, got table". Its prefix is LX_OPT_FMT, the one spelling of
 * "option 'key'", which an option's string read by lx_tocstr takes as
 * its prefix too ("option 'broadcast': string without NUL bytes
 * expected, got a NUL at byte 3"). */
#define LX_OPT_FMT "option '%s'"
int lx_opterror(lua_State *L, const char *key, const char *fmt, ...);
/* lx_checkmode's rule for an option: "option 'mode': octal string or
 * integer expected, got table". */
mode_t lx_optmode(lua_State *L, int idx, const char *key, lua_Integer def, lua_Integer max);

/* Like lx_fail, but the message is given whole ("mount /mnt: mount point
 * does not exist") instead of ending in strerror(err). */
int lx_failmsg(lua_State *L, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* t[k] = v for the table at the top of the stack. */
void lx_setstr(lua_State *L, const char *k, const char *v);
void lx_setint(lua_State *L, const char *k, lua_Integer v);
void lx_setbool(lua_State *L, const char *k, int v);

/* Push a userdata of n directory-stream slots, all NULL, whose __gc closes
 * any still open: a binding that lists a directory while it pushes (which
 * raises when memory runs out) keeps its streams there and NULLs a slot
 * when it closes the stream itself. */
DIR **lx_dirs(lua_State *L, int n);

#endif
