/* l_fs.c: luainit.fs, the filesystem as PID 1 needs it: mount and umount,
 * paths (mkdir, links, nodes, stat, readdir), whole-file reads and writes
 * (atomic replace for state that must survive a power cut) and a small
 * descriptor type. Thin wrappers: a system failure comes back as
 * nil, "context: strerror", errno, "ENAME"; misuse raises. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lx.h"

#define FD_MT "luainit.fs.fd"

struct lfd {
	int fd;       /* < 0: closed */
	int gcclose;  /* 0 for fdopen: the collector must not close 0, 1, 2 */
};

/* Close once; later calls are no-ops. Returns 0 or an errno value. Linux
 * releases the descriptor even when close fails, so never retry. */
static int fd_release(struct lfd *f)
{
	int fd = f->fd;

	if (fd < 0)
		return 0;
	f->fd = -1;
	return close(fd) < 0 && errno != EINTR ? errno : 0;
}

/* Push a closed descriptor object. Acquire the descriptor into it only
 * afterwards, so that an allocation error cannot leak an open fd; it also
 * serves as a guard for descriptors used while Lua may raise. */
static struct lfd *new_fd(lua_State *L, int gcclose)
{
	struct lfd *f = lua_newuserdatauv(L, sizeof *f, 0);

	f->fd = -1;
	f->gcclose = gcclose;
	luaL_setmetatable(L, FD_MT);
	return f;
}

static struct lfd *check_fd(lua_State *L, int idx)
{
	struct lfd *f = luaL_checkudata(L, idx, FD_MT);

	if (f->fd < 0)
		luaL_error(L, "fs.fd used after close");
	return f;
}

/* A mode: an integer (0x1ed, 493) or an octal string ("0755", "755"). */
static mode_t checkmode(lua_State *L, int arg, lua_Integer def)
{
	lua_Integer m = def;

	if (lua_type(L, arg) == LUA_TSTRING) {
		const char *s = lua_tostring(L, arg);
		char *end;
		m = (lua_Integer)strtol(s, &end, 8);
		luaL_argcheck(L, *s && !*end, arg, "octal mode expected");
	} else if (!lua_isnoneornil(L, arg) || def < 0) {
		m = luaL_checkinteger(L, arg);
	}
	luaL_argcheck(L, m >= 0 && m <= 07777, arg, "mode out of range");
	return (mode_t)m;
}

static const struct lx_flag mount_flags[] = {
	{ "ro", MS_RDONLY }, { "rw", 0 }, { "nosuid", MS_NOSUID },
	{ "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS }, { "remount", MS_REMOUNT },
	{ "dirsync", MS_DIRSYNC }, { "mand", MS_MANDLOCK },
	{ "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
	{ "relatime", MS_RELATIME }, { "strictatime", MS_STRICTATIME },
	{ "lazytime", MS_LAZYTIME }, { "silent", MS_SILENT },
	{ "bind", MS_BIND }, { "rec", MS_REC }, { "move", MS_MOVE },
	{ "private", MS_PRIVATE }, { "slave", MS_SLAVE },
	{ "shared", MS_SHARED }, { "unbindable", MS_UNBINDABLE },
	{ NULL, 0 }
};

/** mount : (src, target, fstype, flags?, data?) -> true | (nil, string, integer)
 * flags: "ro,nosuid,..." (see docs/lua-api.md); src and fstype may be nil
 * (remount, bind, propagation changes). An unknown flag raises. */
static int l_mount(lua_State *L)
{
	const char *src = luaL_optstring(L, 1, NULL);
	const char *target = luaL_checkstring(L, 2);
	const char *fstype = luaL_optstring(L, 3, NULL);
	unsigned long flags = (unsigned long)lx_checkflags(L, 4, mount_flags, NULL, 0);
	const char *data = luaL_optstring(L, 5, NULL);

	if (mount(src, target, fstype, flags, data) < 0)
		return lx_fail(L, errno, "mount %s", target);
	return lx_ok(L);
}

static const struct lx_flag umount_flags[] = {
	{ "force", MNT_FORCE }, { "detach", MNT_DETACH },
	{ "expire", MNT_EXPIRE }, { "nofollow", UMOUNT_NOFOLLOW },
	{ NULL, 0 }
};

/** umount : (target, flags?) -> true | (nil, string, integer)
 * flags: "force,detach,expire,nofollow". */
static int l_umount(lua_State *L)
{
	const char *target = luaL_checkstring(L, 1);
	int flags = (int)lx_checkflags(L, 2, umount_flags, NULL, 0);

	if (umount2(target, flags) < 0)
		return lx_fail(L, errno, "umount %s", target);
	return lx_ok(L);
}

/** mkdir : (path, mode?) -> true | (nil, string, integer)
 * mode defaults to 0755 (before the umask). */
static int l_mkdir(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);

	if (mkdir(path, checkmode(L, 2, 0755)) < 0)
		return lx_fail(L, errno, "mkdir %s", path);
	return lx_ok(L);
}

/** mkdirp : (path, mode?) -> true | (nil, string, integer)
 * mkdir -p: creates missing parents; an existing directory is success. */
static int l_mkdirp(lua_State *L)
{
	size_t n;
	const char *path = luaL_checklstring(L, 1, &n);
	mode_t mode = checkmode(L, 2, 0755);
	char p[PATH_MAX];
	struct stat st;

	if (n == 0)
		return lx_fail(L, ENOENT, "mkdir ''");
	if (n >= sizeof p)
		return lx_fail(L, ENAMETOOLONG, "mkdir %s", path);
	memcpy(p, path, n + 1);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (char *s = p + 1;; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		/* EEXIST first: the kernel reports it even on a read-only fs */
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return lx_fail(L, errno, "mkdir %s", p);
		*s = c;
		if (c == '\0')
			break;
	}
	if (stat(p, &st) < 0)
		return lx_fail(L, errno, "mkdir %s", p);
	if (!S_ISDIR(st.st_mode))
		return lx_fail(L, EEXIST, "mkdir %s", p);
	return lx_ok(L);
}

/* The calls that take one path and return 0 or -1. */
static int path_call(lua_State *L, int (*fn)(const char *), const char *what)
{
	const char *path = luaL_checkstring(L, 1);

	if (fn(path) < 0)
		return lx_fail(L, errno, "%s %s", what, path);
	return lx_ok(L);
}

/** rmdir : (path) -> true | (nil, string, integer) */
static int l_rmdir(lua_State *L)
{
	return path_call(L, rmdir, "rmdir");
}

/** unlink : (path) -> true | (nil, string, integer) */
static int l_unlink(lua_State *L)
{
	return path_call(L, unlink, "unlink");
}

/** chdir : (path) -> true | (nil, string, integer) */
static int l_chdir(lua_State *L)
{
	return path_call(L, chdir, "chdir");
}

/** chroot : (path) -> true | (nil, string, integer)
 * Does not chdir: the caller decides the order. */
static int l_chroot(lua_State *L)
{
	return path_call(L, chroot, "chroot");
}

/** rename : (from, to) -> true | (nil, string, integer) */
static int l_rename(lua_State *L)
{
	const char *from = luaL_checkstring(L, 1);
	const char *to = luaL_checkstring(L, 2);

	if (rename(from, to) < 0)
		return lx_fail(L, errno, "rename %s to %s", from, to);
	return lx_ok(L);
}

/** chmod : (path, mode) -> true | (nil, string, integer) */
static int l_chmod(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);

	if (chmod(path, checkmode(L, 2, -1)) < 0)
		return lx_fail(L, errno, "chmod %s", path);
	return lx_ok(L);
}

static lua_Integer checkid(lua_State *L, int arg)
{
	lua_Integer id = luaL_checkinteger(L, arg);

	luaL_argcheck(L, id >= -1 && id < (lua_Integer)UINT32_MAX, arg, "id out of range");
	return id;
}

/** chown : (path, uid, gid) -> true | (nil, string, integer)
 * Numeric ids; -1 leaves that id unchanged. Follows symlinks. */
static int l_chown(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uid_t uid = (uid_t)checkid(L, 2);
	gid_t gid = (gid_t)checkid(L, 3);

	if (chown(path, uid, gid) < 0)
		return lx_fail(L, errno, "chown %s", path);
	return lx_ok(L);
}

/** symlink : (target, linkpath) -> true | (nil, string, integer) */
static int l_symlink(lua_State *L)
{
	const char *target = luaL_checkstring(L, 1);
	const char *link = luaL_checkstring(L, 2);

	if (symlink(target, link) < 0)
		return lx_fail(L, errno, "symlink %s", link);
	return lx_ok(L);
}

/** readlink : (path) -> string | (nil, string, integer) */
static int l_readlink(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof buf);

	if (n < 0)
		return lx_fail(L, errno, "readlink %s", path);
	if ((size_t)n >= sizeof buf)
		return lx_fail(L, ENAMETOOLONG, "readlink %s", path);
	lua_pushlstring(L, buf, (size_t)n);
	return 1;
}

/** mknod : (path, kind "c"|"b"|"p", mode, major?, minor?) -> true | (nil, string, integer) */
static int l_mknod(lua_State *L)
{
	static const char *const kinds[] = { "c", "b", "p", NULL };
	static const mode_t types[] = { S_IFCHR, S_IFBLK, S_IFIFO };
	const char *path = luaL_checkstring(L, 1);
	int kind = luaL_checkoption(L, 2, NULL, kinds);
	mode_t mode = checkmode(L, 3, -1);
	lua_Integer ma = luaL_optinteger(L, 4, 0), mi = luaL_optinteger(L, 5, 0);

	luaL_argcheck(L, ma >= 0 && ma < (1 << 12), 4, "major out of range");
	luaL_argcheck(L, mi >= 0 && mi < (1 << 20), 5, "minor out of range");
	if (mknod(path, types[kind] | mode, makedev((unsigned)ma, (unsigned)mi)) < 0)
		return lx_fail(L, errno, "mknod %s", path);
	return lx_ok(L);
}

/** pivot_root : (new_root, put_old) -> true | (nil, string, integer) */
static int l_pivot_root(lua_State *L)
{
	const char *nr = luaL_checkstring(L, 1);
	const char *old = luaL_checkstring(L, 2);

	/* musl has no wrapper */
	if (syscall(SYS_pivot_root, nr, old) < 0)
		return lx_fail(L, errno, "pivot_root %s", nr);
	return lx_ok(L);
}

/** exists : (path) -> boolean
 * Like test -e: follows symlinks (a dangling link is false); never fails. */
static int l_exists(lua_State *L)
{
	struct stat st;

	lua_pushboolean(L, stat(luaL_checkstring(L, 1), &st) == 0);
	return 1;
}

/** access : (path, mode?) -> true | (false, string, integer)
 * mode: letters of "rwx" ("" or nil: exists). Real ids, as access(2). */
static int l_access(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	const char *m = luaL_optstring(L, 2, "");
	int mode = 0;

	for (const char *c = m; *c; c++) {
		if (*c == 'r')
			mode |= R_OK;
		else if (*c == 'w')
			mode |= W_OK;
		else if (*c == 'x')
			mode |= X_OK;
		else
			return luaL_argerror(L, 2, "letters of 'rwx' expected");
	}
	if (access(path, mode ? mode : F_OK) < 0) {
		int n = lx_fail(L, errno, "access %s", path);
		lua_pushboolean(L, 0);
		lua_replace(L, -n - 1);  /* false, not nil, in first place */
		return n;
	}
	return lx_ok(L);
}

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "link";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	}
	return "unknown";
}

/* The table of stat, lstat and fd:stat. */
static int stat_table(lua_State *L, const struct stat *st)
{
	lua_createtable(L, 0, 11);
	lua_pushstring(L, type_name(st->st_mode));
	lua_setfield(L, -2, "type");
	lx_setint(L, "mode", st->st_mode & 07777);
	lx_setint(L, "uid", st->st_uid);
	lx_setint(L, "gid", st->st_gid);
	lx_setint(L, "size", st->st_size);
	lua_pushnumber(L, (lua_Number)st->st_mtim.tv_sec + (lua_Number)st->st_mtim.tv_nsec / 1e9);
	lua_setfield(L, -2, "mtime");
	lx_setint(L, "ino", (lua_Integer)st->st_ino);
	lx_setint(L, "dev", (lua_Integer)st->st_dev);
	lx_setint(L, "nlink", (lua_Integer)st->st_nlink);
	lx_setint(L, "rdev_major", major(st->st_rdev));
	lx_setint(L, "rdev_minor", minor(st->st_rdev));
	return 1;
}

static int push_stat(lua_State *L, int (*fn)(const char *restrict, struct stat *restrict),
                     const char *what)
{
	const char *path = luaL_checkstring(L, 1);
	struct stat st;

	if (fn(path, &st) < 0)
		return lx_fail(L, errno, "%s %s", what, path);
	return stat_table(L, &st);
}

/** stat : (path) -> {type, mode, uid, gid, size, mtime, ino, dev, nlink, rdev_major, rdev_minor} | (nil, string, integer)
 * type: "file"|"dir"|"link"|"chr"|"blk"|"fifo"|"sock"; mode: the 07777 bits. */
static int l_stat(lua_State *L)
{
	return push_stat(L, stat, "stat");
}

/** lstat : (path) -> table | (nil, string, integer)
 * As stat, but describes a symlink itself. */
static int l_lstat(lua_State *L)
{
	return push_stat(L, lstat, "lstat");
}

struct kdirent {  /* struct linux_dirent64 */
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/** readdir : (path) -> {name, ...} | (nil, string, integer)
 * Sorted (byte order), without "." and "..". */
static int l_readdir(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	char buf[8192] __attribute__((aligned(8)));
	struct lfd *f;
	const char **v;
	lua_Integer n = 0;

	lua_settop(L, 1);  /* the indices below: extra arguments would shift them */
	f = new_fd(L, 1);  /* index 2: closes the fd if we raise */

	f->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->fd < 0)
		return lx_fail(L, errno, "readdir %s", path);
	lua_newtable(L);  /* index 3: names in directory order */
	for (;;) {
		long got = syscall(SYS_getdents64, f->fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;
			fd_release(f);
			return lx_fail(L, err, "readdir %s", path);
		}
		if (got == 0)
			break;
		for (long off = 0; off < got;) {
			struct kdirent *d = (struct kdirent *)(buf + off);
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			lua_pushstring(L, d->d_name);
			lua_rawseti(L, 3, ++n);
		}
	}
	fd_release(f);
	/* sort pointers into the strings, which table 3 keeps alive */
	v = lua_newuserdatauv(L, (size_t)n * sizeof *v + 1, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, 3, i);
		v[i - 1] = lua_tostring(L, -1);
		lua_pop(L, 1);
	}
	qsort(v, (size_t)n, sizeof *v, cmpstr);
	lua_createtable(L, (int)n, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_pushstring(L, v[i - 1]);
		lua_rawseti(L, -2, i);
	}
	return 1;
}

#define F_R (1ULL << 40)
#define F_W (1ULL << 41)
static const struct lx_flag open_flags[] = {
	{ "r", F_R }, { "w", F_W }, { "rw", F_R | F_W },
	{ "create", O_CREAT }, { "trunc", O_TRUNC }, { "append", O_APPEND },
	{ "excl", O_EXCL }, { "nonblock", O_NONBLOCK },
	{ "directory", O_DIRECTORY }, { "noctty", O_NOCTTY }, { "sync", O_SYNC },
	{ "nofollow", O_NOFOLLOW }, { "path", O_PATH },
	{ NULL, 0 }
};

/** open : (path, flags?, mode?) -> fd | (nil, string, integer)
 * flags: "r" (default), "w", "rw", create, trunc, append, excl, nonblock,
 * directory, noctty, sync, nofollow, path. Always O_CLOEXEC. mode (for
 * create) defaults to 0666 before the umask. */
static int l_open(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uint64_t fl = lx_checkflags(L, 2, open_flags, NULL, 0);
	mode_t mode = checkmode(L, 3, 0666);
	int oflags = (int)(fl & 0xffffffffu) | O_CLOEXEC;
	struct lfd *f;

	if ((fl & F_R) && (fl & F_W))
		oflags |= O_RDWR;
	else if (fl & F_W)
		oflags |= O_WRONLY;
	f = new_fd(L, 1);
	f->fd = open(path, oflags, mode);
	if (f->fd < 0)
		return lx_fail(L, errno, "open %s", path);
	return 1;
}

/** fdopen : (n) -> fd | (nil, string, integer)
 * Wraps descriptor n (e.g. 0). fd:close() closes it; the garbage collector
 * never does, so dropping the object leaves n open. */
static int l_fdopen(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	struct lfd *f;

	luaL_argcheck(L, n >= 0 && n <= INT_MAX, 1, "descriptor out of range");
	if (fcntl((int)n, F_GETFD) < 0)
		return lx_fail(L, errno, "fdopen %d", (int)n);
	f = new_fd(L, 0);
	f->fd = (int)n;
	return 1;
}

/** pipe : (flags?) -> rfd, wfd | (nil, string, integer)
 * flags: "nonblock" (both ends). Always O_CLOEXEC. */
static int l_pipe(lua_State *L)
{
	static const struct lx_flag pflags[] = { { "nonblock", O_NONBLOCK }, { NULL, 0 } };
	int fl = (int)lx_checkflags(L, 1, pflags, NULL, 0);
	struct lfd *r = new_fd(L, 1), *w = new_fd(L, 1);
	int p[2];

	if (pipe2(p, fl | O_CLOEXEC) < 0)
		return lx_fail(L, errno, "pipe");
	r->fd = p[0];
	w->fd = p[1];
	return 2;
}

/* Reads land here first: a Lua buffer of the requested size would be a
 * fresh 64 kB block per call (the default size), which libc's malloc
 * hands back with madvise on free, a few hundred microseconds a read under
 * emulation. PID 1 has one thread and nothing re-enters these functions
 * while they read. Only its first pages are touched by small reads. */
static char read_buf[65536];

/** fd:read : (n?) -> string | (nil, string, integer)
 * One read(2) of at most n bytes (default 65536); "" at end of file. A
 * nonblocking fd with nothing to read gives nil, msg, EAGAIN, "EAGAIN". */
static int fd_read(lua_State *L)
{
	struct lfd *f = check_fd(L, 1);
	lua_Integer n = luaL_optinteger(L, 2, 65536);
	int small = (size_t)n <= sizeof read_buf;
	luaL_Buffer b;
	char *p;
	ssize_t got;

	luaL_argcheck(L, n >= 0 && n <= (16 << 20), 2, "size out of range 0-16 MiB");
	p = small ? read_buf : luaL_buffinitsize(L, &b, (size_t)n);
	do
		got = read(f->fd, p, (size_t)n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return lx_fail(L, errno, "read");
	if (small)
		lua_pushlstring(L, read_buf, (size_t)got);
	else
		luaL_pushresultsize(&b, (size_t)got);
	return 1;
}

/* Write all of p; returns bytes written, and sets *err when stopped early. */
static size_t write_all(int fd, const char *p, size_t len, int *err)
{
	size_t done = 0;

	*err = 0;
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			*err = errno;
			break;
		}
		if (w == 0) {
			*err = EIO;
			break;
		}
		done += (size_t)w;
	}
	return done;
}

/** fd:write : (s) -> bytes | (nil, string, integer)
 * Writes all of s; if an error (e.g. EAGAIN) stops it after some bytes,
 * returns the count written so far. */
static int fd_write(lua_State *L)
{
	struct lfd *f = check_fd(L, 1);
	size_t len, done;
	const char *s = luaL_checklstring(L, 2, &len);
	int err;

	done = write_all(f->fd, s, len, &err);
	if (err && done == 0 && len > 0)
		return lx_fail(L, err, "write");
	lua_pushinteger(L, (lua_Integer)done);
	return 1;
}

/** fd:close : () -> true | (nil, string, integer)
 * Idempotent: closing a closed fd returns true. */
static int fd_close(lua_State *L)
{
	struct lfd *f = luaL_checkudata(L, 1, FD_MT);
	int err = fd_release(f);

	if (err)
		return lx_fail(L, err, "close");
	return lx_ok(L);
}

static int fd_gc(lua_State *L)
{
	struct lfd *f = luaL_checkudata(L, 1, FD_MT);

	if (f->gcclose)
		fd_release(f);
	return 0;
}

static int fd_tostring(lua_State *L)
{
	struct lfd *f = luaL_checkudata(L, 1, FD_MT);

	if (f->fd < 0)
		lua_pushliteral(L, "fs.fd (closed)");
	else
		lua_pushfstring(L, "fs.fd (%d)", f->fd);
	return 1;
}

/** fd:fileno : () -> integer */
static int fd_fileno(lua_State *L)
{
	lua_pushinteger(L, check_fd(L, 1)->fd);
	return 1;
}

/** fd:fsync : () -> true | (nil, string, integer) */
static int fd_fsync(lua_State *L)
{
	if (fsync(check_fd(L, 1)->fd) < 0)
		return lx_fail(L, errno, "fsync");
	return lx_ok(L);
}

/** fd:seek : (offset, whence "set"|"cur"|"end"?) -> position | (nil, string, integer)
 * whence defaults to "set"; seek(0, "cur") tells the position. */
static int fd_seek(lua_State *L)
{
	static const char *const names[] = { "set", "cur", "end", NULL };
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	struct lfd *f = check_fd(L, 1);
	lua_Integer off = luaL_checkinteger(L, 2);
	int wh = whences[luaL_checkoption(L, 3, "set", names)];
	off_t pos = lseek(f->fd, (off_t)off, wh);

	if (pos < 0)
		return lx_fail(L, errno, "seek");
	lua_pushinteger(L, (lua_Integer)pos);
	return 1;
}

/** fd:stat : () -> table | (nil, string, integer)
 * fstat(2), the table of stat: of what was opened, not of what the path
 * names now. */
static int fd_stat(lua_State *L)
{
	struct stat st;

	if (fstat(check_fd(L, 1)->fd, &st) < 0)
		return lx_fail(L, errno, "fstat");
	return stat_table(L, &st);
}

/** fd:isatty : () -> boolean */
static int fd_isatty(lua_State *L)
{
	lua_pushboolean(L, isatty(check_fd(L, 1)->fd));
	return 1;
}

/* Read fd from where it is to the end or max bytes, push the string. */
static int read_rest(lua_State *L, int fd, lua_Integer max)
{
	luaL_Buffer b;
	size_t len = 0;
	int big = 0;

	/* most files fit read_buf (see fd_read): a Lua buffer only past it */
	for (;;) {
		size_t want = len < sizeof read_buf ? sizeof read_buf - len : 65536;
		ssize_t n;
		char *p;

		if (want > (size_t)max - len)
			want = (size_t)max - len;
		if (want == 0)
			break;
		if (len < sizeof read_buf) {
			p = read_buf + len;
		} else {
			if (!big) {
				luaL_buffinit(L, &b);
				luaL_addlstring(&b, read_buf, len);
				big = 1;
			}
			p = luaL_prepbuffsize(&b, want);
		}
		n = read(fd, p, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (big)
			luaL_addsize(&b, (size_t)n);
		len += (size_t)n;
	}
	if (big)
		luaL_pushresult(&b);
	else
		lua_pushlstring(L, read_buf, len);
	return 1;
}

/** readfile : (path, max?) -> string | (nil, string, integer)
 * Reads until end of file (so /proc files of size 0 work), at most max
 * bytes (default 16 MiB); a longer file is cut at max. Never waits (a
 * FIFO or a terminal gives what it has, EOF or EAGAIN) and never becomes
 * the caller's controlling terminal: PID 1 reads paths users name. */
static int l_readfile(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	lua_Integer max = luaL_optinteger(L, 2, 16 << 20);
	struct lfd *f;
	int r;

	luaL_argcheck(L, max >= 0 && max <= (1 << 30), 2, "size out of range");
	f = new_fd(L, 1);
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f->fd < 0)
		return lx_fail(L, errno, "read %s", path);
	r = read_rest(L, f->fd, max);
	fd_release(f);
	if (r < 0)
		return lx_fail(L, -r, "read %s", path);
	return 1;
}

/** fd:reread : (max?) -> string | (nil, string, integer)
 * The whole file again, from its start to its end (at most max bytes,
 * default 16 MiB), through this descriptor: a kernel file read more than
 * once (cgroup.procs) without another open and path walk. */
static int fd_reread(lua_State *L)
{
	struct lfd *f = check_fd(L, 1);
	lua_Integer max = luaL_optinteger(L, 2, 16 << 20);
	int r;

	luaL_argcheck(L, max >= 0 && max <= (1 << 30), 2, "size out of range");
	if (lseek(f->fd, 0, SEEK_SET) < 0)
		return lx_fail(L, errno, "seek");
	r = read_rest(L, f->fd, max);
	if (r < 0)
		return lx_fail(L, -r, "read");
	return 1;
}

/* fsync the directory holding path, so a rename into it is durable. */
static int sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	int fd, err = 0;

	if (!slash)
		strcpy(dir, ".");
	else if (n == 0)
		strcpy(dir, "/");
	else if (n < sizeof dir) {
		memcpy(dir, path, n);
		dir[n] = '\0';
	} else
		return ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fsync(fd) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Write data to a new file at tmp, flush it, and rename it over path.
 * Returns 0 or an errno value; on failure tmp is removed. */
static int write_atomic(const char *path, const char *tmp, const char *data,
                        size_t len, mode_t mode)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	int err;

	if (fd < 0)
		return errno;
	write_all(fd, data, len, &err);
	/* the data must be on disk before the rename makes it visible */
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err && errno != EINTR)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return sync_parent(path);
}

/** writefile : (path, data, opts?) -> true | (nil, string, integer)
 * opts: mode (0644, before the umask, for a new file), append, sync (fsync
 * before close), atomic (write path..".tmp.<pid>", fsync, rename over
 * path, fsync the directory). Without atomic the file is opened
 * O_WRONLY|O_CREAT|O_TRUNC (or O_APPEND), which suits /proc/sys and /sys;
 * as readfile, it never waits (a FIFO nobody reads is ENXIO) nor takes a
 * terminal as the caller's own. */
static int l_writefile(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	mode_t mode;
	int append, atomic, dosync, fd, err;

	if (!lua_isnoneornil(L, 3))
		luaL_checktype(L, 3, LUA_TTABLE);
	append = lx_optboolean(L, 3, "append", 0);
	atomic = lx_optboolean(L, 3, "atomic", 0);
	dosync = lx_optboolean(L, 3, "sync", 0);
	mode = (mode_t)lx_optinteger(L, 3, "mode", 0644);
	luaL_argcheck(L, mode <= 07777, 3, "mode out of range");
	luaL_argcheck(L, !(atomic && append), 3, "atomic and append exclude each other");
	if (atomic) {
		char tmp[PATH_MAX];
		int n = snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
		if (n < 0 || (size_t)n >= sizeof tmp)
			return lx_fail(L, ENAMETOOLONG, "write %s", path);
		if ((err = write_atomic(path, tmp, data, len, mode)))
			return lx_fail(L, err, "write %s", path);
		return lx_ok(L);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (append ? O_APPEND : O_TRUNC), mode);
	if (fd < 0)
		return lx_fail(L, errno, "write %s", path);
	write_all(fd, data, len, &err);
	if (!err && dosync && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err && errno != EINTR)
		err = errno;
	if (err)
		return lx_fail(L, err, "write %s", path);
	return lx_ok(L);
}

/* Open path just to run fn (fsync or syncfs) on it (without waiting for a
 * FIFO's writer). */
static int sync_path(lua_State *L, int (*fn)(int), const char *what)
{
	const char *path = luaL_checkstring(L, 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), err = 0;

	if (fd < 0)
		return lx_fail(L, errno, "%s %s", what, path);
	if (fn(fd) < 0)
		err = errno;
	close(fd);
	if (err)
		return lx_fail(L, err, "%s %s", what, path);
	return lx_ok(L);
}

/** fsync : (path) -> true | (nil, string, integer) */
static int l_fsync(lua_State *L)
{
	return sync_path(L, fsync, "fsync");
}

/** syncfs : (path) -> true | (nil, string, integer)
 * Flushes the one filesystem that holds path. */
static int l_syncfs(lua_State *L)
{
	return sync_path(L, syncfs, "syncfs");
}

/** sync : () -> true */
static int l_sync(lua_State *L)
{
	sync();
	return lx_ok(L);
}

static const struct { unsigned long magic; const char *name; } fs_magics[] = {
	{ 0xef53, "ext2/3/4" }, { 0x01021994, "tmpfs" }, { 0x9fa0, "proc" },
	{ 0x62656572, "sysfs" }, { 0x63677270, "cgroup2" }, { 0x27e0eb, "cgroup" },
	{ 0x858458f6, "ramfs" }, { 0x1cd1, "devpts" }, { 0x58465342, "xfs" },
	{ 0x9123683e, "btrfs" }, { 0x794c7630, "overlay" }, { 0x73717368, "squashfs" },
	{ 0x4d44, "vfat" }, { 0xf2f52010, "f2fs" }, { 0x9660, "iso9660" },
	{ 0x6969, "nfs" }, { 0x65735546, "fuse" }, { 0x01021997, "9p" },
	{ 0x64626720, "debugfs" }, { 0x74726163, "tracefs" }, { 0x73636673, "securityfs" },
	{ 0xcafe4a11, "bpf" }, { 0x6165676c, "pstore" }, { 0xde5e81e4, "efivarfs" },
	{ 0x19800202, "mqueue" }, { 0x62656570, "configfs" }, { 0x958458f6, "hugetlbfs" },
	{ 0x0187, "autofs" }, { 0x42494e4d, "binfmt_misc" },
};

/** statfs : (path) -> {type, magic, bsize, blocks, bfree, bavail, files, ffree} | (nil, string, integer)
 * type: a name for common filesystems ("ext2/3/4", "tmpfs", "proc", "sysfs",
 * "cgroup2", ...; devtmpfs reports "tmpfs"), else the magic as "0x...". */
static int l_statfs(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct statfs s;
	unsigned long magic;
	const char *name = NULL;

	if (statfs(path, &s) < 0)
		return lx_fail(L, errno, "statfs %s", path);
	magic = (unsigned long)s.f_type & 0xffffffffUL;
	for (size_t i = 0; i < sizeof fs_magics / sizeof fs_magics[0]; i++)
		if (fs_magics[i].magic == magic)
			name = fs_magics[i].name;
	lua_createtable(L, 0, 8);
	if (name) {
		lua_pushstring(L, name);
	} else {
		char hex[24];
		snprintf(hex, sizeof hex, "0x%lx", magic);
		lua_pushstring(L, hex);
	}
	lua_setfield(L, -2, "type");
	lx_setint(L, "magic", (lua_Integer)magic);
	lx_setint(L, "bsize", (lua_Integer)s.f_bsize);
	lx_setint(L, "blocks", (lua_Integer)s.f_blocks);
	lx_setint(L, "bfree", (lua_Integer)s.f_bfree);
	lx_setint(L, "bavail", (lua_Integer)s.f_bavail);
	lx_setint(L, "files", (lua_Integer)s.f_files);
	lx_setint(L, "ffree", (lua_Integer)s.f_ffree);
	return 1;
}

/** umask : (mask?) -> old mask
 * Without mask, only reads it (set and restored: PID 1 is one thread). */
static int l_umask(lua_State *L)
{
	mode_t old;

	if (lua_isnoneornil(L, 1)) {
		old = umask(022);
		umask(old);
	} else {
		old = umask(checkmode(L, 1, -1) & 0777);
	}
	lua_pushinteger(L, old);
	return 1;
}

static const luaL_Reg fd_methods[] = {
	{ "read", fd_read }, { "write", fd_write }, { "close", fd_close },
	{ "fileno", fd_fileno }, { "fsync", fd_fsync }, { "seek", fd_seek },
	{ "reread", fd_reread }, { "stat", fd_stat },
	{ "isatty", fd_isatty },
	{ NULL, NULL }
};

static const luaL_Reg funcs[] = {
	{ "mount", l_mount }, { "umount", l_umount },
	{ "mkdir", l_mkdir }, { "mkdirp", l_mkdirp }, { "rmdir", l_rmdir },
	{ "unlink", l_unlink }, { "rename", l_rename }, { "chmod", l_chmod },
	{ "chown", l_chown }, { "symlink", l_symlink }, { "readlink", l_readlink },
	{ "mknod", l_mknod }, { "chdir", l_chdir }, { "chroot", l_chroot },
	{ "pivot_root", l_pivot_root }, { "exists", l_exists }, { "access", l_access },
	{ "stat", l_stat }, { "lstat", l_lstat }, { "readdir", l_readdir },
	{ "open", l_open }, { "fdopen", l_fdopen }, { "pipe", l_pipe },
	{ "readfile", l_readfile }, { "writefile", l_writefile },
	{ "fsync", l_fsync }, { "syncfs", l_syncfs }, { "sync", l_sync },
	{ "statfs", l_statfs }, { "umask", l_umask },
	{ NULL, NULL }
};

int luaopen_luainit_fs(lua_State *L);
int luaopen_luainit_fs(lua_State *L)
{
	if (luaL_newmetatable(L, FD_MT)) {
		luaL_newlib(L, fd_methods);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, fd_gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, fd_close);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, fd_tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_pop(L, 1);
	luaL_newlib(L, funcs);
	return 1;
}
