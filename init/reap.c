/* reap.c: reaping (every exited child, every time) and the C fallback
 * shutdown used when the Lua one cannot run. Reaping never depends on Lua:
 * the "child" hook is told about each exit after it has been reaped. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lx.h"
#include "pid1.h"

struct exit_status {
	pid_t pid;
	int status;
};

/* Under lx_pcall_c: the child hook's lookup and its arguments can raise
 * (a memory error, a metatable on the hooks table), and outside the
 * protected call that would be a Lua panic. */
static int child_hook(lua_State *L)
{
	const struct exit_status *x = lua_touserdata(L, 1);
	int st = x->status;

	if (!lx_hook_push(L, "child"))
		return 0;
	lua_pushinteger(L, x->pid);
	if (WIFEXITED(st)) {
		lua_pushliteral(L, "exited");
		lua_pushinteger(L, WEXITSTATUS(st));
	} else {
		const char *n = lx_signame(WTERMSIG(st));
		lua_pushliteral(L, "killed");
		if (n)
			lua_pushstring(L, n);
		else
			lua_pushinteger(L, WTERMSIG(st));
	}
	lua_call(L, 3, 0);
	return 0;
}

void lx_reap(void)
{
	for (;;) {
		struct exit_status x;

		x.pid = waitpid(-1, &x.status, WNOHANG);
		if (x.pid <= 0)
			break;
		if (lx_L)
			lx_pcall_c(lx_L, child_hook, &x, "child hook");
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

/* /proc/self/mounts has no size before it is read, and a machine can have
 * thousands of mounts (one line each): the buffer doubles as needed, up to
 * a bound that holds the kernel's default mount limit (100,000). */
#define MOUNTS_FIRST (16u << 10)
#define MOUNTS_MAX   (64u << 20)

int lx_mounts_read(const char *path, char **bufp, size_t *lenp)
{
	size_t cap = MOUNTS_FIRST, len = 0;
	char *buf = malloc(cap), *more;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0 || !buf) {
		err = fd < 0 ? errno : ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n;
		if (len + 1 == cap) {
			if (cap >= MOUNTS_MAX) {
				err = EFBIG;
				goto out;
			}
			if (!(more = realloc(buf, cap * 2))) {
				err = ENOMEM;
				goto out;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

char *lx_mounts_prev(char *buf, size_t *end)
{
	while (*end > 0) {
		size_t e = *end, b;
		char *dir, *stop;

		while (e > 0 && buf[e - 1] == '\n')
			e--;
		for (b = e; b > 0 && buf[b - 1] != '\n'; b--)
			;
		*end = b;
		buf[e] = '\0';
		/* "source mountpoint type options 0 0": the second field */
		dir = buf + b + strcspn(buf + b, " \t");
		dir += strspn(dir, " \t");
		stop = dir + strcspn(dir, " \t");
		if (stop == dir)
			continue;
		*stop = '\0';
		lx_unescape_octal(dir);
		return dir;
	}
	return NULL;
}

void lx_emergency_shutdown(int rb_cmd)
{
	char *mounts, *dir;
	size_t end;
	int err;

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
	/* Unmount in reverse order of /proc/self/mounts, all of it (a mount
	 * left out would keep its parent busy), by the mount point's real name
	 * (the file escapes blanks and backslashes); what stays busy is
	 * remounted read-only so the data on it is safe. */
	if ((err = lx_mounts_read("/proc/self/mounts", &mounts, &end))) {
		lx_log("emergency shutdown: /proc/self/mounts: %s", strerror(err));
	} else {
		while ((dir = lx_mounts_prev(mounts, &end)))
			if (umount2(dir, 0) < 0)
				mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL);
		free(mounts);
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
