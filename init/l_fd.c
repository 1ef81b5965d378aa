/* l_fd.c: luainit.fs's file contents: the fs.fd descriptor type (open,
 * fdopen, pipe and its methods), whole-file reads and writes (atomic
 * replace for state that must survive a power cut) and the syncs. The
 * paths, mounts and metadata are l_fs.c's, which opens the module and
 * calls lx_fd_register. Thin wrappers: a system failure comes back as
 * nil, "context: strerror", errno, "ENAME"; misuse raises. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lx.h"
#include "l_fs.h"

#define FD_MT LX_FD_MT

/* Close once; later calls are no-ops. Returns 0 or an errno value. Linux
 * releases the descriptor even when close fails, so never retry. */
int lx_fd_release(struct lx_fd *f)
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
struct lx_fd *lx_fd_new(lua_State *L, int gcclose)
{
	struct lx_fd *f = lua_newuserdatauv(L, sizeof *f, 0);

	f->fd = -1;
	f->gcclose = gcclose;
	luaL_setmetatable(L, FD_MT);
	return f;
}

static struct lx_fd *check_fd(lua_State *L, int idx)
{
	struct lx_fd *f = luaL_checkudata(L, idx, FD_MT);

	if (f->fd < 0)
		luaL_error(L, "fs.fd used after close");
	return f;
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
	const char *path = lx_checkstring(L, 1);
	uint64_t fl = lx_checkflags(L, 2, open_flags, NULL, 0);
	mode_t mode = lx_checkmode(L, 3, 0666, LX_MODE_ALL);
	int oflags = (int)(fl & 0xffffffffu) | O_CLOEXEC;
	struct lx_fd *f;

	if ((fl & F_R) && (fl & F_W))
		oflags |= O_RDWR;
	else if (fl & F_W)
		oflags |= O_WRONLY;
	f = lx_fd_new(L, 1);
	f->fd = open(path, oflags, mode);
	if (f->fd < 0)
		return lx_fail(L, errno, "open %s", path);
	return 1;
}

/** fdopen : (n) -> fd | (nil, string, integer)
 * Wraps descriptor n (e.g. 0). fd:close() closes it; the garbage collector
 * never does, so dropping the object leaves n open. n is a number, as
 * lx_tofd takes one ("descriptor 4294967296 out of range 0..2147483647"),
 * but not lx_tofd's object with fileno: that would make a second owner of
 * the object's descriptor unasked (fdopen(obj:fileno()) says it). */
static int l_fdopen(lua_State *L)
{
	struct lx_fd *f;
	const char *msg;
	int n;

	if (lua_type(L, 1) != LUA_TNUMBER)
		return luaL_typeerror(L, 1, "descriptor number");
	if ((msg = lx_tofd(L, 1, &n)))
		return luaL_argerror(L, 1, msg);
	if (fcntl(n, F_GETFD) < 0)
		return lx_fail(L, errno, "fdopen %d", n);
	f = lx_fd_new(L, 0);
	f->fd = n;
	return 1;
}

/** pipe : (flags?) -> rfd, wfd | (nil, string, integer)
 * flags: "nonblock" (both ends). Always O_CLOEXEC. */
static int l_pipe(lua_State *L)
{
	static const struct lx_flag pflags[] = { { "nonblock", O_NONBLOCK }, { NULL, 0 } };
	int fl = (int)lx_checkflags(L, 1, pflags, NULL, 0);
	struct lx_fd *r = lx_fd_new(L, 1), *w = lx_fd_new(L, 1);
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
	struct lx_fd *f = check_fd(L, 1);
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
	struct lx_fd *f = check_fd(L, 1);
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
	struct lx_fd *f = luaL_checkudata(L, 1, FD_MT);
	int err = lx_fd_release(f);

	if (err)
		return lx_fail(L, err, "close");
	return lx_ok(L);
}

static int fd_gc(lua_State *L)
{
	struct lx_fd *f = luaL_checkudata(L, 1, FD_MT);

	if (f->gcclose)
		lx_fd_release(f);
	return 0;
}

static int fd_tostring(lua_State *L)
{
	struct lx_fd *f = luaL_checkudata(L, 1, FD_MT);

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
	struct lx_fd *f = check_fd(L, 1);
	lua_Integer off = luaL_checkinteger(L, 2);
	int wh = whences[lx_checkoption(L, 3, "set", names)];
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
	return lx_fs_pushstat(L, &st);
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
	const char *path = lx_checkstring(L, 1);
	lua_Integer max = luaL_optinteger(L, 2, 16 << 20);
	struct lx_fd *f;
	int r;

	luaL_argcheck(L, max >= 0 && max <= (1 << 30), 2, "size out of range");
	f = lx_fd_new(L, 1);
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f->fd < 0)
		return lx_fail(L, errno, "read %s", path);
	r = read_rest(L, f->fd, max);
	lx_fd_release(f);
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
	struct lx_fd *f = check_fd(L, 1);
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
 * opts: mode (0644, before the umask, for a new file; an integer or an
 * octal string, as open's: lx_optmode), append, sync (fsync
 * before close), atomic (write path..".tmp.<pid>", fsync, rename over
 * path, fsync the directory). Without atomic the file is opened
 * O_WRONLY|O_CREAT|O_TRUNC (or O_APPEND), which suits /proc/sys and /sys;
 * as readfile, it never waits (a FIFO nobody reads is ENXIO) nor takes a
 * terminal as the caller's own. An unknown key of opts raises ("unknown
 * key 'mdoe'"), before anything is written. */
static int l_writefile(lua_State *L)
{
	static const char *const keys[] = { "mode", "append", "sync", "atomic", NULL };
	const char *path = lx_checkstring(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	mode_t mode;
	int append, atomic, dosync, fd, err;

	lx_checkoptkeys(L, 3, keys);
	append = lx_optboolean(L, 3, "append", 0);
	atomic = lx_optboolean(L, 3, "atomic", 0);
	dosync = lx_optboolean(L, 3, "sync", 0);
	mode = lx_optmode(L, 3, "mode", 0644, LX_MODE_ALL);
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
	const char *path = lx_checkstring(L, 1);
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

static const luaL_Reg fd_methods[] = {
	{ "read", fd_read }, { "write", fd_write }, { "close", fd_close },
	{ "fileno", fd_fileno }, { "fsync", fd_fsync }, { "seek", fd_seek },
	{ "reread", fd_reread }, { "stat", fd_stat },
	{ "isatty", fd_isatty },
	{ NULL, NULL }
};

static const luaL_Reg funcs[] = {
	{ "open", l_open }, { "fdopen", l_fdopen }, { "pipe", l_pipe },
	{ "readfile", l_readfile }, { "writefile", l_writefile },
	{ "fsync", l_fsync }, { "syncfs", l_syncfs }, { "sync", l_sync },
	{ NULL, NULL }
};

void lx_fd_register(lua_State *L)
{
	lx_newtype(L, FD_MT, fd_methods, fd_gc, fd_close, fd_tostring);
	luaL_setfuncs(L, funcs, 0);
}
