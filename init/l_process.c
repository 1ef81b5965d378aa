/* l_process.c: luainit.process, processes as Lua sees them: signals,
 * wait statuses, priorities and real-time scheduling, the user and group
 * databases, the list of pids in /proc and the environment luainit was
 * started with. spawn (the spec table resolved into what spawn.c runs in
 * the child) and RLIMITS are l_spawn.c's, registered into the same module
 * at open. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lx.h"
#include "l_fs.h"
#include "l_process.h"

int luaopen_luainit_fs(lua_State *L);

/** kill : (pid, sig?) -> true | (nil, string, integer, string)
 * sig is a name ("TERM", "SIGTERM") or a number; default TERM. */
static int l_kill(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1);
	int sig = lua_isnoneornil(L, 2) ? SIGTERM : lx_checksignal(L, 2);

	if (kill((pid_t)pid, sig) < 0)
		return lx_fail(L, errno, "kill %d", (int)pid);
	return lx_ok(L);
}

/** killpg : (pgid, sig?) -> true | (nil, string, integer, string) */
static int l_killpg(lua_State *L)
{
	lua_Integer pgid = luaL_checkinteger(L, 1);
	int sig = lua_isnoneornil(L, 2) ? SIGTERM : lx_checksignal(L, 2);

	luaL_argcheck(L, pgid > 0, 1, "process group id must be > 0");
	if (killpg((pid_t)pgid, sig) < 0)
		return lx_fail(L, errno, "killpg %d", (int)pgid);
	return lx_ok(L);
}

/** pidfd : (pid) -> fd | (nil, string, integer, string)
 * A pidfd for process pid (pidfd_open(2), Linux >= 5.3) as an fs.fd,
 * close-on-exec: it becomes readable once the process has exited, whoever
 * its parent is and whoever reaps it, so that PID 1 can watch a process it
 * did not spawn (event.watch) without polling its pid, which another
 * process may hold by then. ESRCH: no such process; ENOSYS: a kernel
 * without it. Close it explicitly. */
static int l_pidfd(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1);
	struct lx_fd *f;

	/* 0 and below name no one process (pidfd_open takes no group) */
	luaL_argcheck(L, pid > 0 && pid <= INT_MAX, 1, "pid out of range 1..2147483647");
	f = lx_fd_new(L, 1);  /* closed until the descriptor is in it */
	f->fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (f->fd < 0)
		return lx_fail(L, errno, "pidfd_open %d", (int)pid);
	return 1;
}

/** getpid : () -> integer */
static int l_getpid(lua_State *L)
{
	lua_pushinteger(L, getpid());
	return 1;
}

/** getppid : () -> integer */
static int l_getppid(lua_State *L)
{
	lua_pushinteger(L, getppid());
	return 1;
}

/** has_children : () -> boolean
 * True while any child exists, exited-but-unreaped ones included. */
static int l_has_children(lua_State *L)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno == ECHILD) {
			lua_pushboolean(L, 0);
			return 1;
		}
		return lx_fail(L, errno, "waitid");
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* Push what a wait status means: "exited", code | "killed", sig, core |
 * "stopped", sig | "continued". */
static int push_status(lua_State *L, int st)
{
	int sig;
	const char *n;

	if (WIFEXITED(st)) {
		lua_pushliteral(L, "exited");
		lua_pushinteger(L, WEXITSTATUS(st));
		return 2;
	}
	if (WIFCONTINUED(st)) {
		lua_pushliteral(L, "continued");
		return 1;
	}
	sig = WIFSIGNALED(st) ? WTERMSIG(st) : WSTOPSIG(st);
	lua_pushstring(L, WIFSIGNALED(st) ? "killed" : "stopped");
	if ((n = lx_signame(sig)))
		lua_pushstring(L, n);
	else
		lua_pushinteger(L, sig);
	if (!WIFSIGNALED(st))
		return 2;
	lua_pushboolean(L, WCOREDUMP(st) != 0);
	return 3;
}

/** decode_status : (status) -> "exited", code | "killed", sig, core_dumped
 *                             | "stopped", sig | "continued"
 * sig is a name ("TERM") when it has one, else a number. */
static int l_decode_status(lua_State *L)
{
	return push_status(L, (int)luaL_checkinteger(L, 1));
}

/** wait : (pid) -> "exited", code | "killed", sig, core | (nil, string, integer, string)
 * BLOCKING waitpid, for tools and tests only: PID 1 code waits with the
 * "child" hook (sched.wait_child), never with this. */
static int l_wait(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1);
	int st;
	pid_t r;

	while ((r = waitpid((pid_t)pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return lx_fail(L, errno, "waitpid %d", (int)pid);
	return push_status(L, st);
}

/** setpriority : (pid, nice) -> true | (nil, string, integer, string)
 * pid 0 is the calling process. */
static int l_setpriority(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1), nv = luaL_checkinteger(L, 2);

	luaL_argcheck(L, nv >= -20 && nv <= 19, 2, "nice out of range -20..19");
	if (setpriority(PRIO_PROCESS, (id_t)pid, (int)nv) < 0)
		return lx_fail(L, errno, "setpriority %d", (int)pid);
	return lx_ok(L);
}

/** realtime : (on) -> true | (nil, string, integer, string)
 * on: the calling process to SCHED_FIFO priority 1, so that the processes
 * it wakes (a service it starts, one it sends SIGTERM) do not preempt it
 * until it sleeps; off: back to SCHED_OTHER. Always SCHED_RESET_ON_FORK:
 * what it spawns meanwhile runs as an ordinary process. Through syscall():
 * musl's sched_setscheduler is a stub that fails with ENOSYS. */
static int l_realtime(lua_State *L)
{
	struct sched_param sp;
	int on, policy;

	luaL_checktype(L, 1, LUA_TBOOLEAN);
	on = lua_toboolean(L, 1);
	sp.sched_priority = on ? 1 : 0;
	policy = (on ? SCHED_FIFO : SCHED_OTHER) | SCHED_RESET_ON_FORK;

	if (syscall(SYS_sched_setscheduler, 0, policy, &sp) < 0)
		return lx_fail(L, errno, "sched_setscheduler");
	return lx_ok(L);
}

/** getpriority : (pid?) -> nice | (nil, string, integer, string) */
static int l_getpriority(lua_State *L)
{
	lua_Integer pid = luaL_optinteger(L, 1, 0);
	int r;

	errno = 0;  /* -1 is a valid nice value: only errno tells */
	r = getpriority(PRIO_PROCESS, (id_t)pid);
	if (r == -1 && errno)
		return lx_fail(L, errno, "getpriority %d", (int)pid);
	lua_pushinteger(L, r);
	return 1;
}

/** getpwnam : (name | uid) -> {name, uid, gid, home, shell, gecos} | nil
 * A string is a name ("1000" too); a uid outside 0..4294967294, a
 * non-integral number or another type raises (lx_checkid, as spawn's user
 * and group take an id: lua_isinteger sent 1000.0 to the name lookup as
 * "1000.0", and the cast made 4294967296 uid 0, root's entry). */
static int l_getpwnam(lua_State *L)
{
	struct passwd *pw;

	if (lua_type(L, 1) == LUA_TSTRING)
		pw = getpwnam(lx_checkstring(L, 1));
	else
		pw = getpwuid((uid_t)lx_checkid(L, 1, "uid", LX_ID_NAME));
	if (!pw) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 6);
	lua_pushstring(L, pw->pw_name);
	lua_setfield(L, -2, "name");
	lua_pushinteger(L, pw->pw_uid);
	lua_setfield(L, -2, "uid");
	lua_pushinteger(L, pw->pw_gid);
	lua_setfield(L, -2, "gid");
	lua_pushstring(L, pw->pw_dir ? pw->pw_dir : "");
	lua_setfield(L, -2, "home");
	lua_pushstring(L, pw->pw_shell ? pw->pw_shell : "");
	lua_setfield(L, -2, "shell");
	lua_pushstring(L, pw->pw_gecos ? pw->pw_gecos : "");
	lua_setfield(L, -2, "gecos");
	return 1;
}

/** getgrnam : (name | gid) -> {name, gid, members = {name, ...}} | nil
 * The arguments as getpwnam's. */
static int l_getgrnam(lua_State *L)
{
	struct group *gr;

	if (lua_type(L, 1) == LUA_TSTRING)
		gr = getgrnam(lx_checkstring(L, 1));
	else
		gr = getgrgid((gid_t)lx_checkid(L, 1, "gid", LX_ID_NAME));
	if (!gr) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 3);
	lua_pushstring(L, gr->gr_name);
	lua_setfield(L, -2, "name");
	lua_pushinteger(L, gr->gr_gid);
	lua_setfield(L, -2, "gid");
	lua_newtable(L);
	for (int i = 0; gr->gr_mem && gr->gr_mem[i]; i++) {
		lua_pushstring(L, gr->gr_mem[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "members");
	return 1;
}

/** pids : () -> {pid, ...} | (nil, string, integer, string)
 * Every process in /proc, kernel threads and the caller included, in the
 * order procfs lists them (ascending). */
static int l_pids(lua_State *L)
{
	struct dirent *de;
	lua_Integer n = 0;
	DIR **d;

	lua_settop(L, 0);
	d = lx_dirs(L, 1);  /* index 1: closes the stream if a push raises */
	*d = opendir("/proc");
	if (!*d)
		return lx_fail(L, errno, "opendir /proc");
	lua_newtable(L);
	while ((de = readdir(*d))) {
		if (!lx_alldigits(de->d_name, 0, NULL))
			continue;
		lua_pushinteger(L, (lua_Integer)strtol(de->d_name, NULL, 10));
		lua_rawseti(L, -2, ++n);
	}
	closedir(*d);
	*d = NULL;
	return 1;
}

/** environ : () -> {"NAME=value", ...}
 * The environment luainit was started with (a container's command
 * inherits it). */
static int l_environ(lua_State *L)
{
	extern char **environ;
	lua_Integer n = 0;

	lua_newtable(L);
	for (char **e = environ; e && *e; e++) {
		lua_pushstring(L, *e);
		lua_rawseti(L, -2, ++n);
	}
	return 1;
}

/** signum : (name | number) -> integer
 * The number of a signal ("TERM", "SIGTERM" or 15); an unknown name raises. */
static int l_signum(lua_State *L)
{
	lua_pushinteger(L, lx_checksignal(L, 1));
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "kill", l_kill }, { "killpg", l_killpg },
	{ "getpid", l_getpid }, { "getppid", l_getppid },
	{ "has_children", l_has_children }, { "decode_status", l_decode_status },
	{ "wait", l_wait }, { "setpriority", l_setpriority }, { "realtime", l_realtime },
	{ "getpriority", l_getpriority }, { "getpwnam", l_getpwnam },
	{ "getgrnam", l_getgrnam }, { "pids", l_pids },
	{ "environ", l_environ }, { "signum", l_signum }, { "pidfd", l_pidfd },
	{ NULL, NULL }
};

int luaopen_luainit_process(lua_State *L);
int luaopen_luainit_process(lua_State *L)
{
	/* pidfd's objects are fs.fd: their metatable must exist before the
	 * first one is made, whether or not Lua required luainit.fs */
	luaL_requiref(L, "luainit.fs", luaopen_luainit_fs, 0);
	lua_pop(L, 1);
	luaL_newlib(L, funcs);
	lx_spawn_register(L);  /* spawn, RLIMITS */
	return 1;
}
