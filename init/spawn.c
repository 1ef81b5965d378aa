/* spawn.c: fork/exec of one process from a resolved struct lx_spawn (pure C,
 * no Lua). The child does every setup step itself, in an order the kernel
 * dictates, and reports the first failure as {step, detail, errno} in the
 * parent's memory, which it shares until execve (CLONE_VM | CLONE_VFORK,
 * as glibc's posix_spawn does): the parent resumes only once the child has
 * exited or its execve is past the point where it can fail. */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "spawn.h"

#ifndef _NSIG
#define _NSIG 65
#endif
#ifndef SYS_close_range
#define SYS_close_range 436   /* the same number on every architecture */
#endif
#ifndef SYS_clone3
#define SYS_clone3 435        /* the same number on every architecture */
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#endif

/* capget/capset ABI (linux/capability.h), version 3: two 32-bit words. */
struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };
#define CAP_VERSION_3 0x20080522

static const char *const step_names[] = {
	[LX_STEP_PIPE] = "pipe", [LX_STEP_FORK] = "fork",
	[LX_STEP_CGROUP] = "cgroup", [LX_STEP_SETSID] = "setsid",
	[LX_STEP_SETPGID] = "setpgid", [LX_STEP_OPEN] = "open",
	[LX_STEP_FD] = "fd", [LX_STEP_CLOSE] = "close descriptors",
	[LX_STEP_CTTY] = "ctty", [LX_STEP_RLIMIT] = "rlimit",
	[LX_STEP_NICE] = "nice", [LX_STEP_CAPBSET] = "capbset",
	[LX_STEP_KEEPCAPS] = "keepcaps", [LX_STEP_SETGROUPS] = "setgroups",
	[LX_STEP_SETGID] = "setgid", [LX_STEP_SETUID] = "setuid",
	[LX_STEP_AMBIENT] = "ambient", [LX_STEP_NO_NEW_PRIVS] = "no_new_privs",
	[LX_STEP_CHDIR] = "chdir", [LX_STEP_EXEC] = "exec",
};

const char *lx_spawn_step_name(int step)
{
	if (step > 0 && (size_t)step < sizeof step_names / sizeof step_names[0] &&
	    step_names[step])
		return step_names[step];
	return "setup";
}

static void __attribute__((noreturn)) fail(struct lx_spawn_error *e, int step, int detail, int err)
{
	e->step = step;
	e->detail = detail;
	e->err = err;
	_exit(127);
}

/* The descriptor that will become fd `target`: any descriptor above every
 * target (floor and up), so that placing one can never overwrite the
 * source of another. Returns it, -1 with errno set, -2 for "nothing to
 * place" (stderr following stdout, stdout following stdin) or -3 for "already in place" (an
 * inherited descriptor). No descriptor opened here needs close-on-exec:
 * everything but the targets is closed before execve, and musl adds an
 * fcntl to every O_CLOEXEC open and F_DUPFD_CLOEXEC. */
static int source(const struct lx_spawn_io *io, int target, int floor)
{
	enum lx_io_kind kind = io->kind;
	int fd, flags, own = 1, n, err;

	/* A closed fd 0-2 would be taken by the service's first open, and
	 * its output would land in that file: inherit it as /dev/null. */
	if (io->kind == LX_IO_INHERIT) {
		if ((flags = fcntl(target, F_GETFD)) < 0)
			kind = LX_IO_NULL;
		else if (!(flags & FD_CLOEXEC) || fcntl(target, F_SETFD, 0) == 0)
			return -3;
		else
			return -1;
	}
	switch (kind) {
	case LX_IO_STDOUT:
	case LX_IO_STDIN:
		return -2;
	case LX_IO_NULL:
		fd = open("/dev/null", O_RDWR);
		break;
	case LX_IO_CONSOLE:
	case LX_IO_FILE:
		/* O_NONBLOCK so a FIFO without reader or a serial line
		 * without carrier fails or opens at once instead of hanging
		 * the spawn, which PID 1 waits for; then back to blocking. */
		if (kind == LX_IO_CONSOLE)
			fd = open("/dev/console", O_RDWR | O_NOCTTY | O_NONBLOCK);
		else
			fd = open(io->path, io->oflags | O_NOCTTY | O_NONBLOCK, io->mode);
		if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		break;
	case LX_IO_FD:
	default:
		fd = io->fd;
		own = 0;
		break;
	}
	if (fd < 0 || fd >= floor)
		return fd;
	n = fcntl(fd, F_DUPFD, floor);
	err = errno;
	if (own)
		close(fd);
	errno = err;
	return n;
}

static int close_gap(unsigned lo, unsigned hi)
{
	struct rlimit rl;
	unsigned max = 1024;

	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return errno;
	/* Kernels before 5.9: close one by one up to the soft limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > max)
		max = rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur : 65536;
	for (unsigned fd = lo; fd <= hi && fd < max; fd++)
		close((int)fd);
	return 0;
}

/* Close every descriptor not in keep (sorted, no duplicates). */
static int close_others(const int *keep, int nkeep)
{
	unsigned lo = 0;
	int err;

	for (int i = 0; i < nkeep; i++) {
		if ((unsigned)keep[i] > lo && (err = close_gap(lo, (unsigned)keep[i] - 1)))
			return err;
		lo = (unsigned)keep[i] + 1;
	}
	return close_gap(lo, ~0U);
}

static void sorted_insert(int *v, int *n, int x)
{
	int i = *n;

	while (i > 0 && v[i - 1] > x) {
		v[i] = v[i - 1];
		i--;
	}
	if (i > 0 && v[i - 1] == x) {
		memmove(v + i, v + i + 1, (size_t)(*n - i) * sizeof *v);
		return;
	}
	v[i] = x;
	(*n)++;
}

/* Descriptors: open or duplicate every source above the highest target,
 * then dup2 each into place (dup2 clears CLOEXEC on the copy only), then
 * close everything else. */
static void place_fds(const struct lx_spawn *s, struct lx_spawn_error *e)
{
	int floor = 3, src[3 + LX_SPAWN_MAXFDS], keep[3 + LX_SPAWN_MAXFDS], nkeep = 0, err;

	for (int i = 0; i < s->nfds; i++)
		if (s->fds[i].target >= floor)
			floor = s->fds[i].target + 1;
	for (int i = 0; i < 3; i++)
		if ((src[i] = source(&s->io[i], i, floor)) == -1)
			fail(e, s->io[i].kind == LX_IO_FD ? LX_STEP_FD : LX_STEP_OPEN,
			     i, errno);
	for (int i = 0; i < s->nfds; i++) {
		struct lx_spawn_io io = { .kind = LX_IO_FD, .fd = s->fds[i].fd };
		if ((src[3 + i] = source(&io, s->fds[i].target, floor)) < 0)
			fail(e, LX_STEP_FD, s->fds[i].target, errno);
	}
	for (int i = 0; i < 3 + s->nfds; i++) {
		int target = i < 3 ? i : s->fds[i - 3].target;
		if (src[i] >= 0 && dup2(src[i], target) < 0)
			fail(e, LX_STEP_FD, target, errno);
	}
	if (src[1] == -2 && dup2(0, 1) < 0)
		fail(e, LX_STEP_FD, 1, errno);
	if (src[2] == -2 && dup2(1, 2) < 0)
		fail(e, LX_STEP_FD, 2, errno);
	for (int i = 0; i < 3; i++)
		sorted_insert(keep, &nkeep, i);
	for (int i = 0; i < s->nfds; i++)
		sorted_insert(keep, &nkeep, s->fds[i].target);
	if ((err = close_others(keep, nkeep)))
		fail(e, LX_STEP_CLOSE, 0, err);
}

static void set_ambient(const struct lx_spawn *s, struct lx_spawn_error *e)
{
	struct cap_header h = { CAP_VERSION_3, 0 };
	struct cap_data d[2];

	/* A capability can be ambient only while it is both permitted and
	 * inheritable; PR_SET_KEEPCAPS kept it permitted across setuid. */
	if (syscall(SYS_capget, &h, d) < 0)
		fail(e, LX_STEP_AMBIENT, -1, errno);
	d[0].inheritable = (uint32_t)s->ambient;
	d[1].inheritable = (uint32_t)(s->ambient >> 32);
	if (syscall(SYS_capset, &h, d) < 0)
		fail(e, LX_STEP_AMBIENT, -1, errno);
	for (int c = 0; c < 64; c++)
		if ((s->ambient >> c & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			fail(e, LX_STEP_AMBIENT, c, errno);
}

void lx_reset_signals(void)
{
	/* the kernel's struct sigaction (x86_64 layout): libc refuses to
	 * touch the signals it reserves (32-34), but an ignored one inherited
	 * from our own parent must not reach the services either */
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } ksa;

	memset(&ksa, 0, sizeof ksa);
	ksa.handler = SIG_DFL;
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &ksa, NULL, 8);
}

static void __attribute__((noreturn)) child(const struct lx_spawn *s, struct lx_spawn_error *e,
                                            int in_cgroup)
{
	sigset_t none;

	/* Signal dispositions are all SIG_DFL already: lx_reset_signals ran
	 * when luainit started, and PID 1 never installs a handler (it reads
	 * signals from a signalfd). Only the mask is left; it is cleared right
	 * before execve. */

	/* Join the cgroup first, so everything the setup allocates is
	 * charged there (clone3 already started the child in it). */
	if (s->cgroup_procs && !in_cgroup) {
		int fd = open(s->cgroup_procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			fail(e, LX_STEP_CGROUP, 0, errno);
		close(fd);
	}
	if (s->setsid && setsid() < 0)
		fail(e, LX_STEP_SETSID, 0, errno);
	if (!s->setsid && s->pgroup && setpgid(0, 0) < 0)
		fail(e, LX_STEP_SETPGID, 0, errno);
	/* Files are opened as root, before ids drop, like a shell redirect
	 * written by the administrator. */
	place_fds(s, e);
	/* A session leader takes a terminal only once it is on fd 0; 0:
	 * do not steal it from another session. */
	if (s->ctty && ioctl(0, TIOCSCTTY, 0) < 0)
		fail(e, LX_STEP_CTTY, 0, errno);
	/* What a shell does for a foreground job: a process group of its
	 * own is a background one on the caller's terminal, and was stopped
	 * (SIGTTIN) at its first read from it. Every signal is still blocked
	 * here, SIGTTOU too, so the call from a background group goes
	 * through. Not a terminal, or not the caller's (ENOTTY): nothing to
	 * hand over. */
	if (s->foreground) {
		pid_t me = getpid();
		ioctl(0, TIOCSPGRP, &me);
	}
	/* Raising hard limits and lowering nice need privileges: before
	 * setuid. */
	for (int i = 0; i < s->nrlimits; i++)
		if (syscall(SYS_prlimit64, 0, s->rlimits[i].resource, &s->rlimits[i].lim, NULL) < 0)
			fail(e, LX_STEP_RLIMIT, s->rlimits[i].resource, errno);
	if (s->set_nice && setpriority(PRIO_PROCESS, 0, s->nice) < 0)
		fail(e, LX_STEP_NICE, s->nice, errno);
	umask(s->umask);
	/* Dropping from the bounding set needs CAP_SETPCAP, which a
	 * non-root uid no longer has. */
	if (s->capbset)
		for (int c = 0; c <= s->cap_last && c < 64; c++)
			if (!(s->capkeep >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
				fail(e, LX_STEP_CAPBSET, c, errno);
	if (s->ambient && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(e, LX_STEP_KEEPCAPS, 0, errno);
	/* Groups while still root, gid before uid: each needs the privilege
	 * the next one gives up. */
	if (s->set_groups && syscall(SYS_setgroups, s->ngroups, s->groups) < 0)
		fail(e, LX_STEP_SETGROUPS, 0, errno);
	if (s->set_gid && syscall(SYS_setgid, s->gid) < 0)
		fail(e, LX_STEP_SETGID, (int)s->gid, errno);
	if (s->set_uid && syscall(SYS_setuid, s->uid) < 0)
		fail(e, LX_STEP_SETUID, (int)s->uid, errno);
	if (s->ambient)
		set_ambient(s, e);
	if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(e, LX_STEP_NO_NEW_PRIVS, 0, errno);
	/* After setuid: a directory the service cannot enter is its error. */
	if (s->cwd && chdir(s->cwd) < 0)
		fail(e, LX_STEP_CHDIR, 0, errno);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(s->path, s->argv, s->envp);
	fail(e, LX_STEP_EXEC, 0, errno);
}

/* The child runs in PID 1's memory (CLONE_VM) until it execs, on this
 * stack, while PID 1 waits (CLONE_VFORK): no copy of PID 1's page tables,
 * which under emulation costs more than the exec itself. So the child
 * writes only its own stack and, on failure, the caller's error record,
 * and makes plain system calls: the id and rlimit changes above are raw
 * syscalls, because libc's wrappers coordinate threads through shared
 * memory. No error pipe (the house style's rule, made for fork()):
 * reading one made PID 1 wait for the child again after the vfork had
 * already let it go, and a child in PID 1's memory can fill the record
 * itself. */
struct child_args {
	const struct lx_spawn *s;
	struct lx_spawn_error *e;
	int in_cgroup;
};

static int child_main(void *arg)
{
	struct child_args *a = arg;

	child(a->s, a->e, a->in_cgroup);
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));

#if defined(__x86_64__)
/* clone3's arguments (linux/sched.h, CLONE_ARGS_SIZE_VER2). */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* clone3 has no libc wrapper: the child comes back from the system call
 * on the new stack, so it must not return into this function's frame; it
 * calls fn(arg) straight from here and exits with its result (which it
 * never reaches: child() execs or _exits). The stack top is 16-byte
 * aligned, so fn is entered as the ABI expects. */
static pid_t clone3_vfork(struct clone3_args *ca, int (*fn)(void *), void *arg)
{
	register void *r12 __asm__("r12") = arg;
	register int (*r13)(void *) __asm__("r13") = fn;
	long ret;

	__asm__ volatile(
		"syscall\n\t"
		"testq %%rax, %%rax\n\t"
		"jnz 1f\n\t"
		"xorl %%ebp, %%ebp\n\t"
		"movq %%r12, %%rdi\n\t"
		"callq *%%r13\n\t"
		"movl %%eax, %%edi\n\t"
		"movl $60, %%eax\n\t"       /* SYS_exit */
		"syscall\n\t"
		"hlt\n"
		"1:"
		: "=a"(ret)
		: "a"((long)SYS_clone3), "D"(ca), "S"(sizeof *ca), "r"(r12), "r"(r13)
		: "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (pid_t)ret;
}

/* Start the child in its cgroup (CLONE_INTO_CGROUP, Linux 5.7): no write
 * to cgroup.procs and no migration afterwards, a third of a service's
 * start under emulation. Returns the pid, -1 with *e filled, or -2 when
 * the kernel cannot (then the child joins by writing cgroup.procs). */
static int no_clone3;

static pid_t clone_into(const struct lx_spawn *s, struct child_args *a, struct lx_spawn_error *e)
{
	struct clone3_args ca = {
		.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.stack = (uintptr_t)child_stack,
		.stack_size = sizeof child_stack,
	};
	int fd, err;
	pid_t pid;

	if (no_clone3)
		return -2;
	fd = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		e->step = LX_STEP_CGROUP;
		e->err = errno;
		return -1;
	}
	ca.cgroup = (uint64_t)fd;
	a->in_cgroup = 1;
	pid = clone3_vfork(&ca, child_main, a);
	err = errno;
	close(fd);
	if (pid >= 0)
		return pid;
	a->in_cgroup = 0;
	if (err == ENOSYS || err == E2BIG || err == EINVAL) {
		no_clone3 = 1;
		return -2;
	}
	e->step = err == EAGAIN || err == ENOMEM ? LX_STEP_FORK : LX_STEP_CGROUP;
	e->err = err;
	return -1;
}
#endif

int lx_spawn(const struct lx_spawn *s, pid_t *pidp, struct lx_spawn_error *e)
{
	struct child_args args = { s, e, 0 };
	pid_t pid = -2;

	memset(e, 0, sizeof *e);
	/* Both return when the child has exited (a failed step filled *e)
	 * or its execve can no longer fail (the kernel lets a vfork parent
	 * go only past exec's point of no return). */
#if defined(__x86_64__)
	if (s->cgroup)
		pid = clone_into(s, &args, e);
	if (pid == -1)
		return e->err;
#endif
	if (pid == -2)
		pid = clone(child_main, child_stack + sizeof child_stack,
		            CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
	if (pid < 0) {
		e->step = LX_STEP_FORK;
		return e->err = errno;
	}
	if (e->err) {
		/* Reap it here: the reaper must not report a child that,
		 * for the caller, never started. */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return e->err;
	}
	*pidp = pid;
	return 0;
}
