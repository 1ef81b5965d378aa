/* main.c: the entry point. As luactl/poweroff/reboot/halt it is the client;
 * as PID 1 it blocks every signal, sets up the one epoll loop over a
 * signalfd, opens the Lua state, hands the boot to the Lua library (pid1.lua)
 * and then serves events forever. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "loop.h"
#include "lx.h"
#include "pid1.h"
#include "spawn.h"

int lx_container;
int lx_nofile_raised;
struct rlimit lx_nofile_children;
double lx_started_ms;
int lx_script_mode, lx_exit_requested, lx_exit_code;
static struct lx_watch sigwatch;
/* The signalfd is in the loop: a signal or a child's exit wakes it. */
static int sigwatch_on;
/* Without it nothing would wake the loop for them: it waits at most this
 * long, then takes pending signals and reaps (see serve_signals). */
#define POLL_MS 1000
static pid_t fallback_shell;
/* --container was given to the machine's init (see machine_init). */
static int container_refused;
/* Where an error outside every protected call (a Lua "panic": none is
 * known to be left, every entry into Lua goes through lx_pcall_c) lands
 * instead of abort(), which would take PID 1 and the kernel with it. */
static jmp_buf lua_lost;
static int lua_lost_armed;

/* Lua memory cap: generous for 1000 services, small enough that a runaway
 * script cannot take the machine's memory with PID 1. */
#define LUA_MEMCAP (64u << 20)
/* PID 1's own descriptor limit: a log pipe and a few descriptors per
 * service; 1024, the kernel's default for init, stops at ~1 000 services. */
#define PID1_NOFILE 65536

static void raise_nofile(void)
{
	struct rlimit rl, hi;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	lx_nofile_children = rl;
	hi.rlim_max = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > PID1_NOFILE ? rl.rlim_max : PID1_NOFILE;
	hi.rlim_cur = hi.rlim_max == RLIM_INFINITY ? PID1_NOFILE : hi.rlim_max;
	if (hi.rlim_cur <= rl.rlim_cur)
		return;
	/* raising the hard limit needs CAP_SYS_RESOURCE; without it, the
	 * soft limit up to the hard one */
	if (setrlimit(RLIMIT_NOFILE, &hi) < 0) {
		hi.rlim_cur = hi.rlim_max = rl.rlim_max;
		if (hi.rlim_cur <= rl.rlim_cur || setrlimit(RLIMIT_NOFILE, &hi) < 0)
			return;
	}
	lx_nofile_raised = 1;
}

/* The last resort when the Lua library itself cannot run: a shell on the
 * console, respawned by the reaper, so the machine stays usable. */
static void spawn_fallback_shell(void)
{
	pid_t pid;

	lx_log("starting /bin/sh on the console (fallback shell)");
	pid = fork();

	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (lx_nofile_raised)
			setrlimit(RLIMIT_NOFILE, &lx_nofile_children);
		setsid();
		int fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd >= 0) {
			dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
			if (fd > 2)
				close(fd);
			ioctl(0, TIOCSCTTY, 1);
		}
		execl("/bin/sh", "sh", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		fallback_shell = pid;
}

static int default_signal_action(int sig)
{
	switch (sig) {
	case SIGTERM: case SIGINT: return RB_AUTOBOOT;
	case SIGUSR1: return RB_HALT_SYSTEM;
	case SIGUSR2: case SIGPWR: return RB_POWER_OFF;
	default: return -1;
	}
}

struct signal_call {
	const struct signalfd_siginfo *si;
	int called;    /* a hook was there and was called */
};

/* Under lx_pcall_c: the hook's lookup and its arguments can raise (a
 * memory error, a metatable on the hooks table), and outside the
 * protected call that would be a Lua panic. */
static int signal_hook(lua_State *L)
{
	struct signal_call *c = lua_touserdata(L, 1);
	int sig = (int)c->si->ssi_signo;
	const char *n = lx_signame(sig);

	if (!lx_hook_push(L, "signal"))
		return 0;
	if (n)
		lua_pushstring(L, n);
	else
		lua_pushinteger(L, sig);
	lua_pushinteger(L, (lua_Integer)c->si->ssi_pid);
	c->called = 1;
	lua_call(L, 2, 0);
	return 0;
}

static void deliver_signal(const struct signalfd_siginfo *si)
{
	struct signal_call c = { si, 0 };
	int cmd = default_signal_action((int)si->ssi_signo);

	if (lx_L && lx_pcall_c(lx_L, signal_hook, &c, "signal hook") == LUA_OK && c.called)
		return;
	/* No working Lua policy: a shutdown signal still shuts down. */
	if (cmd != -1)
		lx_emergency_shutdown(cmd);
}

/* Deliver the pending signals and reap: from the signalfd fd, or with
 * fd < 0 (no signalfd) straight from the blocked set with sigtimedwait. */
static void serve_signals(int fd)
{
	struct signalfd_siginfo si[8];
	ssize_t n;

	while (fd >= 0 && (n = read(fd, si, sizeof si)) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++)
			if (si[i].ssi_signo != SIGCHLD)
				deliver_signal(&si[i]);
	}
	if (fd < 0) {
		static const struct timespec zero;
		sigset_t all;
		siginfo_t info;
		int sig;

		sigfillset(&all);
		while ((sig = sigtimedwait(&all, &info, &zero)) > 0) {
			struct signalfd_siginfo one = { .ssi_signo = (uint32_t)sig,
			                                .ssi_pid = (uint32_t)info.si_pid };
			if (sig != SIGCHLD)
				deliver_signal(&one);
		}
	}
	/* Reap on every wake-up, not only on SIGCHLD: SIGCHLDs coalesce. */
	lx_reap();
	if (fallback_shell && kill(fallback_shell, 0) < 0 && errno == ESRCH) {
		/* At most one respawn a second (a missing /bin/sh would exit at
		 * once): too soon, and SIGALRM brings us back here later. */
		static struct timespec last;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (last.tv_sec && now.tv_sec - last.tv_sec < 1) {
			alarm(1);
		} else {
			last = now;
			spawn_fallback_shell();
		}
	}
}

static void on_signalfd(struct lx_watch *w, uint32_t events)
{
	(void)events;
	serve_signals(w->fd);
}

/* Put the signalfd (fd, or -1 if it could not be made) in the loop; when
 * that fails, say once that the loop polls instead. */
static void watch_signals(int fd)
{
	static int said;

	sigwatch.fd = fd;
	sigwatch.fn = on_signalfd;
	sigwatch_on = fd >= 0 && lx_loop_add(&sigwatch, EPOLLIN) == 0;
	if (!sigwatch_on && !said) {
		said = 1;
		lx_log("no signalfd in the loop: taking signals and reaping every %d ms instead", POLL_MS);
	}
}

/* The kernel hands init fds 0-2 on /dev/console when it can; when it could
 * not (no /dev/console in the root), use /dev/null so writes do not fail.
 * O_NONBLOCK for the open only: a serial console without carrier (no
 * CLOCAL) would hold PID 1 in open(); the children that inherit 0-2 expect
 * them blocking. */
static void ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/console", O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (n >= 0)
			fcntl(n, F_SETFL, fcntl(n, F_GETFL) & ~O_NONBLOCK);
		else
			n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

/* The command line as a Lua table from index `from`, numbered from 0. */
static void push_args(lua_State *L, int argc, char **argv, int from)
{
	lua_createtable(L, argc, 0);
	for (int i = from; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i - from);
	}
}

struct args {
	int argc;
	char **argv;
	int loaded;    /* script mode: the file compiled */
};

/* Under lx_pcall_c, as everything below that calls into Lua: a require, a
 * table of the arguments, a push that runs out of memory raise, and
 * outside the protected call that would be a Lua panic. */
static int run_pid1(lua_State *L)
{
	const struct args *a = lua_touserdata(L, 1);

	lua_getglobal(L, "require");
	lua_pushliteral(L, "pid1");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "main");
	push_args(L, a->argc, a->argv, 0);
	lua_call(L, 1, 0);
	return 0;
}

static int on_lua_panic(lua_State *L)
{
	const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(no message)";

	lx_log("Lua panic: %s; PID 1 goes on without Lua", msg);
	if (lua_lost_armed)
		longjmp(lua_lost, 1);
	return 0; /* Lua aborts */
}

/* Run pid1.main(argv); if the library cannot start, try the built-in copy's
 * rescue console, then a plain shell. */
static void start_lua(int argc, char **argv)
{
	int err = lx_state_open(LUA_MEMCAP);
	lua_State *L = lx_L;
	struct args args = { argc, argv, 0 };

	if (err) {
		lx_log("cannot create the Lua state: %s", strerror(err));
		spawn_fallback_shell();
		return;
	}
	lua_atpanic(L, on_lua_panic);
	if (lx_require(L, "pid1", "loading pid1.lua") == LUA_OK &&
	    lx_pcall_c(L, run_pid1, &args, "pid1.main") == LUA_OK)
		return;
	lx_log("the Lua library failed to start; opening a shell on the console");
	spawn_fallback_shell();
}

/* PID 1 of the machine, not of a PID namespace (unshare, a container
 * runtime), from what is there when it starts; argv plays no part. With a
 * /proc: the pid it shows for us is 1 (a namespace that sees the host's
 * /proc sees its host pid) and PID 2 is kthreadd (a namespace's never is).
 * With none (the machine's init starts before any mount, and a sandbox
 * may have none at all): reboot(RB_DISABLE_CAD) succeeds for the
 * machine's PID 1 alone. In any other PID namespace the kernel takes only
 * restart, power-off and halt (EINVAL), and a container without
 * CAP_SYS_BOOT or under a seccomp profile gets EPERM. The machine's init
 * makes that call either way: Ctrl-Alt-Del becomes SIGINT to it instead
 * of an instant reboot. */
static int machine_init(void)
{
	char buf[64];
	int proc;

	if (getpid() != 1)
		return 0;
	proc = lx_readfile("/proc/self/stat", buf, sizeof buf) >= 0;
	if (proc && (atoi(buf) != 1 || lx_readfile("/proc/2/comm", buf, sizeof buf) < 0 ||
	             strcmp(buf, "kthreadd\n") != 0))
		return 0;
	/* the call is made either way; without a /proc its result decides */
	return reboot(RB_DISABLE_CAD) == 0 || proc;
}

static void __attribute__((noreturn)) pid1_main(int argc, char **argv)
{
	sigset_t all;
	int fd, err;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	ensure_stdio();
	if (container_refused)
		lx_log("--container ignored: this is the machine's init (PID 1 of the kernel), "
		       "which must not exit as a container's does; booting");
	raise_nofile();
	/* Not the machine's init: adopt orphans of our subtree. (The
	 * machine's had Ctrl-Alt-Del disabled by machine_init.) */
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* A container's command runs where the runtime put us (WORKDIR) and
	 * with its umask; a machine's init starts from / with 022. */
	if (!lx_container) {
		umask(022);
		if (chdir("/") < 0)
			lx_log("chdir /: %s", strerror(errno));
	}
	err = lx_loop_init();
	if (err) {
		lx_log("epoll: %s", strerror(err));
		spawn_fallback_shell();
	}
	fd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		lx_log("signalfd: %s", strerror(errno));
	watch_signals(fd);
	if (setjmp(lua_lost) == 0) {
		lua_lost_armed = 1;
		start_lua(argc, argv);
	} else {
		/* A Lua panic: the state may be half-changed and is not used
		 * again, nor is any watch it registered (their callbacks call
		 * into it). What is left is C: reaping, a shutdown signal
		 * through the emergency path, a shell on the console. */
		lua_lost_armed = 0;
		lx_L = NULL;
		lx_loop_reset();
		watch_signals(fd);
		spawn_fallback_shell();
	}
	/* Only a container's init may leave (event.exit, once its command has
	 * ended); the machine's PID 1 never does. */
	while (!lx_exit_requested) {
		int n = lx_loop_once(sigwatch_on ? -1 : POLL_MS);
		/* No working epoll (it fails at once: wait here), or no
		 * signalfd in it: take the signals and reap each time round, so
		 * that zombies never pile up and a shutdown signal still
		 * arrives. */
		if (n < 0)
			sleep(1);
		if (n < 0 || !sigwatch_on)
			serve_signals(fd);
	}
	fflush(NULL);
	exit(lx_exit_code);
}

static int has_children(void)
{
	siginfo_t si;

	return !(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD);
}

/* luainit --lua FILE [ARGS]: run a Lua file with every luainit module and
 * the event loop, as an ordinary process (tests, tools). The loop runs while
 * anything besides the signalfd is registered, or until event.exit(). */
static int run_script(lua_State *L)
{
	struct args *a = lua_touserdata(L, 1);

	push_args(L, a->argc, a->argv, 2);
	lua_setglobal(L, "arg");
	if (luaL_loadfile(L, a->argv[2]) != LUA_OK) {
		fprintf(stderr, "luainit: %s\n", lua_tostring(L, -1));
		return 0;
	}
	a->loaded = 1;
	luaL_checkstack(L, a->argc, "too many arguments");
	for (int i = 3; i < a->argc; i++)
		lua_pushstring(L, a->argv[i]);
	lua_call(L, a->argc - 3, 0);
	return 0;
}

static int script_main(int argc, char **argv)
{
	struct args args = { argc, argv, 0 };
	sigset_t chld;
	int fd;

	lx_script_mode = 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if (lx_loop_init() || lx_state_open(0))
		return 1;
	fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd >= 0) {
		sigwatch.fd = fd;
		sigwatch.fn = on_signalfd;
		sigwatch_on = lx_loop_add(&sigwatch, EPOLLIN) == 0;
	}
	if (lx_pcall_c(lx_L, run_script, &args, argv[2]) != LUA_OK || !args.loaded)
		return 1;
	/* Run while something is registered besides the signalfd, or while
	 * a child lives (a task may wait for it with no timer). */
	while (!lx_exit_requested && (lx_loop_count() > sigwatch_on || has_children())) {
		if (lx_loop_once(sigwatch_on ? -1 : POLL_MS) < 0)
			break;
		if (!sigwatch_on)
			lx_reap();
	}
	return lx_exit_code;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	lx_started_ms = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
	name = name ? name + 1 : argv[0];
	if (strcmp(name, "luainit") != 0 && strcmp(name, "init") != 0)
		return lx_client_main(argc, argv);
	lx_reset_signals(); /* once here, not in every spawned child */
	/* The kernel hands the machine's init the command line's words it
	 * does not take (`-- --help`): as that init, never print and return,
	 * which would panic the kernel. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--container") == 0)
			lx_container = 1;
	if (machine_init()) {
		container_refused = lx_container;
		lx_container = 0;
		lx_console_open();
		pid1_main(argc, argv);
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: luainit            (run as PID 1; init=/sbin/luainit)\n"
		       "       luainit --container [--pgroup] [--services DIR] [-- CMD ARGS...]\n"
		       "            (a container's init: reaps, forwards signals to CMD, exits with its status)\n"
		       "       luainit --lua FILE [ARGS...]   (run a Lua file with the luainit modules)\n"
		       "Boot policy lives in /etc/luainit/boot.lua; see docs/boot.md.\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--lua") == 0) {
		if (argc > 2)
			return script_main(argc, argv);
		fprintf(stderr, "luainit: --lua needs a file: luainit --lua FILE [ARGS...]\n");
		return 2;
	}
	/* luainit --container [--pgroup] [--services DIR] [--] [CMD ARGS...]:
	 * the options are read by container.lua; here only the mode matters
	 * (lx_container, set above). */
	if (getpid() != 1 && !lx_container && !getenv("LUAINIT_TEST")) {
		fprintf(stderr, "luainit: not PID 1; run it as init=/sbin/luainit, "
		        "or as 'luainit --container -- CMD'\n");
		return 2;
	}
	/* PID 1 here is not the machine's (machine_init said so above): PID 1
	 * of a PID namespace, a container's init with or without --container */
	if (getpid() == 1)
		lx_container = 1;
	lx_console_open(); /* when /proc is there already: a container, a test */
	pid1_main(argc, argv);
}
