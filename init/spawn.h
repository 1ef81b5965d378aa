/* spawn.h: fork and exec of a fully resolved process description (pure C,
 * no Lua). The binding (l_spawn.c) resolves names, paths and descriptors
 * in the parent; after fork the child only replays this struct, so it never
 * allocates, never reads /etc and never re-enters Lua. */
#ifndef LUAINIT_SPAWN_H
#define LUAINIT_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define LX_SPAWN_MAXFDS  64   /* extra descriptors passed at fixed numbers */
#define LX_SPAWN_MAXRLIM 16   /* one per RLIMIT_* */

enum lx_io_kind {
	LX_IO_INHERIT,   /* keep the parent's fd 0/1/2 (/dev/null if closed) */
	LX_IO_NULL,      /* /dev/null */
	LX_IO_CONSOLE,   /* /dev/console */
	LX_IO_FILE,      /* open(path, oflags, mode) in the child */
	LX_IO_FD,        /* a descriptor of the parent */
	LX_IO_STDOUT,    /* stderr only: the same file as stdout */
	LX_IO_STDIN,     /* stdout only: the same file as stdin (a terminal) */
};

struct lx_spawn_io {
	enum lx_io_kind kind;
	int fd;               /* LX_IO_FD */
	const char *path;     /* LX_IO_FILE */
	int oflags;           /* LX_IO_FILE: O_* access and creation flags */
	mode_t mode;          /* LX_IO_FILE with O_CREAT */
};

struct lx_spawn {
	const char *path;             /* what to execve: already searched */
	char *const *argv;
	char *const *envp;
	const char *cwd;              /* NULL: stay in the parent's */
	mode_t umask;
	int setsid, ctty, pgroup;
	int foreground;               /* with pgroup: its group takes the terminal on fd 0 */
	int set_uid, set_gid, set_groups;
	uid_t uid;
	gid_t gid;
	size_t ngroups;
	const gid_t *groups;
	int nrlimits;
	struct { int resource; struct rlimit lim; } rlimits[LX_SPAWN_MAXRLIM];
	int set_nice, nice;
	int no_new_privs;
	int capbset;                  /* drop every capability not in capkeep */
	uint64_t capkeep;
	int cap_last;                 /* /proc/sys/kernel/cap_last_cap */
	uint64_t ambient;             /* ambient capabilities to raise */
	struct lx_spawn_io io[3];
	int nfds;
	struct { int target, fd; } fds[LX_SPAWN_MAXFDS];
	const char *cgroup;           /* the cgroup v2 directory to start in, or NULL */
	const char *cgroup_procs;     /* its "cgroup.procs" (kernels without clone3) */
};

/* The setup step that failed; detail is the fd, rlimit or capability. */
enum lx_spawn_step {
	LX_STEP_PIPE = 1, LX_STEP_FORK, LX_STEP_CGROUP, LX_STEP_SETSID,
	LX_STEP_SETPGID, LX_STEP_OPEN, LX_STEP_FD, LX_STEP_CLOSE, LX_STEP_CTTY,
	LX_STEP_RLIMIT, LX_STEP_NICE, LX_STEP_CAPBSET, LX_STEP_KEEPCAPS,
	LX_STEP_SETGROUPS, LX_STEP_SETGID, LX_STEP_SETUID, LX_STEP_AMBIENT,
	LX_STEP_NO_NEW_PRIVS, LX_STEP_CHDIR, LX_STEP_EXEC,
};

struct lx_spawn_error {
	int step;     /* enum lx_spawn_step */
	int detail;
	int err;      /* errno value */
};

/* Fork and exec s. Returns 0 with the child's pid in *pid, or an errno
 * value with *e naming the failed step; a child that failed before exec has
 * already been waited for, so no exit of it reaches the reaper. Blocks only
 * until the child has called execve. */
int lx_spawn(const struct lx_spawn *s, pid_t *pid, struct lx_spawn_error *e);

/* "exec", "chdir", "open" ... for messages. */
const char *lx_spawn_step_name(int step);

/* Set every signal's disposition to SIG_DFL (once, at start): SIG_IGN
 * survives execve, and no service may inherit an ignored signal. */
void lx_reset_signals(void);

#endif
