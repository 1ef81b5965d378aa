/* reap.c: reaping (every exited child, every time) and the C fallback
 * shutdown used when the Lua one cannot run. Reaping never depends on Lua:
 * the "child" hook is told about each exit after it has been reaped. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lx.h"
#include "pid1.h"

void lx_reap(void)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid <= 0)
			break;
		if (lx_L && lx_hook_push(lx_L, "child")) {
			lua_pushinteger(lx_L, pid);
			if (WIFEXITED(st)) {
				lua_pushliteral(lx_L, "exited");
				lua_pushinteger(lx_L, WEXITSTATUS(st));
			} else {
				const char *n = lx_signame(WTERMSIG(st));
				lua_pushliteral(lx_L, "killed");
				if (n)
					lua_pushstring(lx_L, n);
				else
					lua_pushinteger(lx_L, WTERMSIG(st));
			}
			lx_pcall(lx_L, 3, 0, "child hook");
		}
	}
}

/* Wait up to ms for every child to be gone, reaping meanwhile. */
static int wait_children(int ms)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	for (int waited = 0; waited <= ms; waited += 50) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

void lx_emergency_shutdown(int rb_cmd)
{
	char mounts[8192], *lines[128];
	int n = 0;

	if (getpid() != 1) {
		/* not the machine's or a namespace's init (a subreaper, a test
		 * run): kill(-1) would reach every process this user may
		 * signal, the unmounts the host's. Leave; the children are
		 * reparented. */
		lx_log("emergency shutdown: not PID 1; exiting");
		_exit(1);
	}
	lx_log("emergency shutdown: terminating all processes");
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	if (!wait_children(2000)) {
		kill(-1, SIGKILL);
		wait_children(1000);
	}
	sync();
	if (lx_container)
		_exit(0); /* the host owns the filesystems */
	/* Unmount in reverse order of /proc/self/mounts; what stays busy is
	 * remounted read-only so the data on it is safe. */
	if (lx_readfile("/proc/self/mounts", mounts, sizeof mounts) > 0) {
		for (char *s = strtok(mounts, "\n"); s && n < 128; s = strtok(NULL, "\n"))
			lines[n++] = s;
		while (n-- > 0) {
			char dev[256], dir[256];
			if (sscanf(lines[n], "%255s %255s", dev, dir) != 2)
				continue;
			if (umount2(dir, 0) < 0)
				mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL);
		}
	}
	mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
	sync();
	if (getpid() != 1 || lx_container)
		_exit(0);
	reboot(rb_cmd);
	/* PID 1 must not exit: that would panic the kernel. Keep reaping. */
	lx_log("emergency shutdown: reboot(2) failed: %s", strerror(errno));
	for (;;) {
		wait_children(60000);
	}
}
