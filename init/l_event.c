/* l_event.c: luainit.event, the Lua face of the epoll loop (loop.c):
 * hooks for reaped children and signals, timerfd timers, fd watches and
 * inotify. Callbacks run under lx_pcall_c: an error is logged and the
 * loop goes on. The coroutine scheduler on top is lua/sched.lua. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <lauxlib.h>

#include "loop.h"
#include "lx.h"
#include "pid1.h"

#define WATCH_MT "luainit.event.watch"

enum kind { K_TIMER, K_FD, K_INOTIFY };

struct ev {
	struct lx_watch w;  /* w.fd < 0: closed */
	enum kind kind;
	int ref;            /* registry anchor while registered, or LUA_NOREF */
	int ownfd;          /* close w.fd on close (timers, inotify) */
};

static struct ev *check_ev(lua_State *L, int idx)
{
	struct ev *e = luaL_checkudata(L, idx, WATCH_MT);
	if (e->w.fd < 0)
		luaL_error(L, "event object used after close");
	return e;
}

static int ev_close(lua_State *L)
{
	struct ev *e = luaL_checkudata(L, 1, WATCH_MT);

	if (e->w.fd >= 0) {
		if (e->w.events)
			lx_loop_del(&e->w);
		if (e->ownfd)
			close(e->w.fd);
		e->w.fd = -1;
	}
	if (e->ref != LUA_NOREF) {
		luaL_unref(L, LUA_REGISTRYINDEX, e->ref);
		e->ref = LUA_NOREF;
	}
	return 0;
}

static int ev_tostring(lua_State *L)
{
	static const char *names[] = { "timer", "watch", "inotify" };
	struct ev *e = luaL_checkudata(L, 1, WATCH_MT);

	if (e->w.fd < 0)
		lua_pushfstring(L, "event.%s (closed)", names[e->kind]);
	else
		lua_pushfstring(L, "event.%s (fd %d)", names[e->kind], e->w.fd);
	return 1;
}

/* Push the callback of e and its userdata; 0 if e has no anchor. */
static int push_callback(struct ev *e)
{
	lua_State *L = lx_L;

	if (e->ref == LUA_NOREF)
		return 0;
	lua_rawgeti(L, LUA_REGISTRYINDEX, e->ref);
	lua_getiuservalue(L, -1, 1);
	lua_remove(L, -2);
	return 1;
}

/* What one callback is called with. */
struct call {
	struct ev *e;
	uint32_t events;                  /* K_FD */
	uint64_t ticks;                   /* K_TIMER */
	const struct inotify_event *ie;   /* K_INOTIFY */
};

/* Under lx_pcall_c: the callback's lookup and its arguments (the inotify
 * name) can raise, and outside the protected call that would be a Lua
 * panic. */
static int call_back(lua_State *L)
{
	const struct call *c = lua_touserdata(L, 1);
	int nargs = 2;

	if (!push_callback(c->e))
		return 0;
	if (c->e->kind == K_TIMER) {
		lua_pushinteger(L, (lua_Integer)c->ticks);
		nargs = 1;
	} else if (c->e->kind == K_INOTIFY) {
		lua_pushinteger(L, c->ie->wd);
		lua_pushinteger(L, c->ie->mask);
		if (c->ie->len)
			lua_pushstring(L, c->ie->name);
		else
			lua_pushnil(L);
		nargs = 3;
	} else {
		lua_pushboolean(L, (c->events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0);
		lua_pushboolean(L, (c->events & EPOLLOUT) != 0);
	}
	lua_call(L, nargs, 0);
	return 0;
}

static void on_ready(struct lx_watch *w, uint32_t events)
{
	struct ev *e = (struct ev *)w;
	struct call c = { e, events, 0, NULL };
	lua_State *L = lx_L;

	if (e->kind == K_TIMER) {
		if (read(w->fd, &c.ticks, sizeof c.ticks) < 0)
			return;
		lx_pcall_c(L, call_back, &c, "timer callback");
		return;
	}
	if (e->kind == K_INOTIFY) {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t n = read(w->fd, buf, sizeof buf);

		if (n <= 0 || e->ref == LUA_NOREF || !lua_checkstack(L, 1))
			return;
		/* A callback may close e, and the collector could then free it
		 * while events of this batch are left: its userdata stays on
		 * the stack until the batch is done (a registry lookup by
		 * number neither allocates nor raises). */
		lua_rawgeti(L, LUA_REGISTRYINDEX, e->ref);
		for (char *p = buf; p < buf + n && e->w.fd >= 0;) {
			c.ie = (const struct inotify_event *)p;
			p += sizeof *c.ie + c.ie->len;
			lx_pcall_c(L, call_back, &c, "inotify callback");
		}
		lua_pop(L, 1);
		return;
	}
	lx_pcall_c(L, call_back, &c, "fd callback");
}

static struct ev *new_ev(lua_State *L, enum kind kind, int fnidx)
{
	struct ev *e;

	luaL_checktype(L, fnidx, LUA_TFUNCTION);
	e = lua_newuserdatauv(L, sizeof *e, 1);
	memset(e, 0, sizeof *e);
	e->w.fd = -1;          /* closed until the resource is acquired */
	e->w.fn = on_ready;
	e->kind = kind;
	e->ref = LUA_NOREF;
	luaL_setmetatable(L, WATCH_MT);
	lua_pushvalue(L, fnidx);
	lua_setiuservalue(L, -2, 1);
	return e;
}

/* Register e (at the top of the stack) in the loop and anchor it. */
static int start(lua_State *L, struct ev *e, uint32_t events)
{
	int err = lx_loop_add(&e->w, events);

	if (err)
		return err;
	lua_pushvalue(L, -1);
	e->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

/* e (at the top of the stack) takes fd, just created by the call named
 * what, and is registered; on failure fd is closed and e stays closed. */
static int own_and_start(lua_State *L, struct ev *e, int fd, const char *what)
{
	int err;

	if (fd < 0)
		return lx_fail(L, errno, "%s", what);
	e->w.fd = fd;
	e->ownfd = 1;
	if ((err = start(L, e, EPOLLIN))) {
		close(fd);
		e->w.fd = -1;
		return lx_fail(L, err, "epoll_ctl");
	}
	return 1;
}

/** timer : (fn(ticks)) -> timer | (nil, string, integer)
 * A timerfd; arm it with timer:arm(ms[, interval_ms]). */
static int l_timer(lua_State *L)
{
	struct ev *e = new_ev(L, K_TIMER, 1);

	return own_and_start(L, e, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC),
	                     "timerfd_create");
}

/* The longest time a timer is armed for, in ms (~31 700 years): past it,
 * math.huge included, the conversion to time_t would be undefined; the
 * kernel saturates this to its own longest (~292 years), which is never. */
#define MS_MAX 1e15

/* A time in ms as a timespec: none below 0, none above MS_MAX. NaN raises
 * (as argument arg): it would have been undefined too. */
static void ms_to_ts(lua_State *L, int arg, double ms, struct timespec *ts)
{
	luaL_argcheck(L, ms == ms, arg, "a time in ms expected, got nan");
	if (ms < 0)
		ms = 0;
	if (ms > MS_MAX)
		ms = MS_MAX;
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)((ms - (double)ts->tv_sec * 1000) * 1e6);
}

/** timer:arm : (ms, interval_ms?) -> true | (nil, string, integer)
 * 0 ms fires as soon as possible (a zero it_value would disarm); from
 * 1e15 ms up (math.huge) it never fires; nan raises. */
static int timer_arm(lua_State *L)
{
	struct ev *e = check_ev(L, 1);
	double ms = luaL_checknumber(L, 2);
	struct itimerspec its;

	luaL_argcheck(L, e->kind == K_TIMER, 1, "not a timer");
	memset(&its, 0, sizeof its);
	ms_to_ts(L, 2, ms, &its.it_value);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	ms_to_ts(L, 3, luaL_optnumber(L, 3, 0), &its.it_interval);
	if (timerfd_settime(e->w.fd, 0, &its, NULL) < 0)
		return lx_fail(L, errno, "timerfd_settime");
	return lx_ok(L);
}

/** timer:disarm : () -> true */
static int timer_disarm(lua_State *L)
{
	struct ev *e = check_ev(L, 1);
	struct itimerspec its;

	luaL_argcheck(L, e->kind == K_TIMER, 1, "not a timer");
	memset(&its, 0, sizeof its);
	timerfd_settime(e->w.fd, 0, &its, NULL);
	return lx_ok(L);
}

static uint32_t checkmode(lua_State *L, int idx)
{
	static const char *const modes[] = { "r", "w", "rw", NULL };
	static const uint32_t bits[] = { EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT };
	return bits[lx_checkoption(L, idx, "r", modes)];
}

/** watch : (fd, mode "r"|"w"|"rw", fn(readable, writable)) -> watch | (nil, string, integer)
 * Calls fn whenever fd is ready; watch:close() stops (it never closes fd).
 * fd: a descriptor number or an object with :fileno() (lx_tofd); what is
 * wrong with another is said by name (a fileno that returned no integer
 * gave "bad argument #-1"), and 2^32 + 3 raises instead of watching 3. */
static int l_watch(lua_State *L)
{
	int fd, err;
	const char *msg = lx_tofd(L, 1, &fd);
	uint32_t mode;
	struct ev *e;

	if (msg)
		return luaL_argerror(L, 1, msg);
	mode = checkmode(L, 2);
	e = new_ev(L, K_FD, 3);
	e->w.fd = fd;
	if ((err = start(L, e, mode))) {
		e->w.fd = -1;
		return lx_fail(L, err, "watch fd %d", fd);
	}
	return 1;
}

/** watch:mode : ("r"|"w"|"rw") -> true | (nil, string, integer) */
static int watch_mode(lua_State *L)
{
	struct ev *e = check_ev(L, 1);
	int err = lx_loop_mod(&e->w, checkmode(L, 2));

	if (err)
		return lx_fail(L, err, "epoll_ctl");
	return lx_ok(L);
}

static const struct lx_flag inotify_flags[] = {
	{ "access", IN_ACCESS }, { "modify", IN_MODIFY }, { "attrib", IN_ATTRIB },
	{ "close_write", IN_CLOSE_WRITE }, { "close_nowrite", IN_CLOSE_NOWRITE },
	{ "open", IN_OPEN }, { "moved_from", IN_MOVED_FROM },
	{ "moved_to", IN_MOVED_TO }, { "create", IN_CREATE },
	{ "delete", IN_DELETE }, { "delete_self", IN_DELETE_SELF },
	{ "move_self", IN_MOVE_SELF }, { "onlydir", IN_ONLYDIR },
	{ NULL, 0 }
};

/** inotify : (fn(wd, mask, name)) -> inotify | (nil, string, integer) */
static int l_inotify(lua_State *L)
{
	struct ev *e = new_ev(L, K_INOTIFY, 1);

	return own_and_start(L, e, inotify_init1(IN_NONBLOCK | IN_CLOEXEC), "inotify_init1");
}

/** inotify:add : (path, flags "create,moved_to,...") -> wd | (nil, string, integer) */
static int inotify_add(lua_State *L)
{
	struct ev *e = check_ev(L, 1);
	const char *path = lx_checkstring(L, 2);
	uint32_t mask = (uint32_t)lx_checkflags(L, 3, inotify_flags, NULL, 0);
	int wd;

	luaL_argcheck(L, e->kind == K_INOTIFY, 1, "not an inotify object");
	luaL_argcheck(L, mask != 0, 3, "no event named");
	wd = inotify_add_watch(e->w.fd, path, mask);
	if (wd < 0)
		return lx_fail(L, errno, "inotify %s", path);
	lua_pushinteger(L, wd);
	return 1;
}

/** inotify:remove : (wd) -> true | (nil, string, integer) */
static int inotify_rm(lua_State *L)
{
	struct ev *e = check_ev(L, 1);
	if (inotify_rm_watch(e->w.fd, (int)luaL_checkinteger(L, 2)) < 0)
		return lx_fail(L, errno, "inotify_rm_watch");
	return lx_ok(L);
}

/** inotify.mask_names : (mask) -> {name = true, ...} */
static int l_mask_names(lua_State *L)
{
	lua_Integer m = luaL_checkinteger(L, 1);
	lua_newtable(L);
	for (const struct lx_flag *f = inotify_flags; f->name; f++)
		if (m & (lua_Integer)f->bits) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, f->name);
		}
	if (m & IN_IGNORED) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "ignored");
	}
	if (m & IN_ISDIR) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "isdir");
	}
	return 1;
}

/** hook : (name "child"|"signal", fn | nil) -> previous fn | nil
 * "child": fn(pid, "exited"|"killed", code|signame), after the reap.
 * "signal": fn(signame, sender_pid) for every signal but SIGCHLD. */
static int l_hook(lua_State *L)
{
	static const char *const names[] = { "child", "signal", NULL };
	const char *name = names[lx_checkoption(L, 1, NULL, names)];

	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_settop(L, 2);
	lua_getfield(L, LUA_REGISTRYINDEX, "luainit.hooks");
	lua_getfield(L, -1, name);
	lua_pushvalue(L, 2);
	lua_setfield(L, -3, name);
	return 1;
}

/** now : () -> milliseconds (monotonic, float) */
static int l_now(lua_State *L)
{
	lua_pushnumber(L, lx_now_ms());
	return 1;
}

/** memory : (cap_bytes?) -> used_bytes, cap_bytes
 * The Lua heap of PID 1; a cap makes allocations above it fail (0: none). */
static int l_memory(lua_State *L)
{
	if (!lua_isnoneornil(L, 1)) {
		lua_Integer cap = luaL_checkinteger(L, 1);
		luaL_argcheck(L, cap >= 0, 1, "cap must be >= 0");
		lx_state_setcap((size_t)cap);
	}
	lua_pushinteger(L, (lua_Integer)lx_state_used());
	lua_pushinteger(L, (lua_Integer)lx_state_cap());
	return 2;
}

/** started : () -> milliseconds since the kernel started (CLOCK_BOOTTIME)
 * when this luainit began: the kernel's hand-off to PID 1. */
static int l_started(lua_State *L)
{
	lua_pushnumber(L, lx_started_ms);
	return 1;
}

/** trim : () -> bytes
 * After the boot: drop the boot-only code and constants (init/cold.c) from
 * PID 1's page tables; a later use reads them from the page cache again. */
static int l_trim(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)lx_state_trim());
	return 1;
}

/** exit : (code?) -> nil
 * Leave the loop, and the process, with code once the running callback
 * returns. Script mode (luainit --lua FILE) and container mode only: a
 * container's init ends with its command; the machine's PID 1 never exits
 * (that would panic the kernel), so there it raises. */
static int l_exit(lua_State *L)
{
	if (!lx_script_mode && !lx_container)
		return luaL_error(L, "event.exit: PID 1 never exits");
	lx_exit_code = (int)luaL_optinteger(L, 1, 0);
	lx_exit_requested = 1;
	return 0;
}

/** mode : () -> "pid1" | "container" | "script"
 * "container": PID 1 of a container or PID namespace, which must leave the
 * host's filesystems and kernel alone. */
static int l_mode(lua_State *L)
{
	lua_pushstring(L, lx_script_mode ? "script" : lx_container ? "container" : "pid1");
	return 1;
}

static const luaL_Reg ev_methods[] = {
	{ "arm", timer_arm }, { "disarm", timer_disarm },
	{ "mode", watch_mode },
	{ "add", inotify_add }, { "remove", inotify_rm },
	{ "close", ev_close },
	{ NULL, NULL }
};

static const luaL_Reg funcs[] = {
	{ "timer", l_timer }, { "watch", l_watch }, { "inotify", l_inotify },
	{ "mask_names", l_mask_names }, { "hook", l_hook }, { "now", l_now },
	{ "memory", l_memory }, { "exit", l_exit }, { "trim", l_trim }, { "started", l_started }, { "mode", l_mode },
	{ NULL, NULL }
};

int luaopen_luainit_event(lua_State *L);
int luaopen_luainit_event(lua_State *L)
{
	lx_newtype(L, WATCH_MT, ev_methods, ev_close, ev_close, ev_tostring);
	luaL_newlib(L, funcs);
	return 1;
}
