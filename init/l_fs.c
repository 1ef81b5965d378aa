/* l_fs.c: luainit.fs, the filesystem's namespace as PID 1 needs it:
 * mount and umount, paths (mkdir, links, nodes, stat, readdir), statfs and
 * the umask. What is in files (the fs.fd descriptor type, whole-file reads
 * and writes, syncs) is l_fd.c's, registered into the same module at open.
 * Thin wrappers: a system failure comes back as nil, "context: strerror",
 * errno, "ENAME"; misuse raises. */
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
#include "l_fs.h"

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
	const char *src = lx_optstr(L, 1, NULL);
	const char *target = lx_checkstring(L, 2);
	const char *fstype = lx_optstr(L, 3, NULL);
	unsigned long flags = (unsigned long)lx_checkflags(L, 4, mount_flags, NULL, 0);
	const char *data = lx_optstr(L, 5, NULL);

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
	const char *target = lx_checkstring(L, 1);
	int flags = (int)lx_checkflags(L, 2, umount_flags, NULL, 0);

	if (umount2(target, flags) < 0)
		return lx_fail(L, errno, "umount %s", target);
	return lx_ok(L);
}

/** mkdir : (path, mode?) -> true | (nil, string, integer)
 * mode defaults to 0755 (before the umask). */
static int l_mkdir(lua_State *L)
{
	const char *path = lx_checkstring(L, 1);

	if (mkdir(path, lx_checkmode(L, 2, 0755, LX_MODE_ALL)) < 0)
		return lx_fail(L, errno, "mkdir %s", path);
	return lx_ok(L);
}

/** mkdirp : (path, mode?) -> true | (nil, string, integer)
 * mkdir -p: creates missing parents; an existing directory is success. */
static int l_mkdirp(lua_State *L)
{
	size_t n;
	const char *path = lx_checklstring(L, 1, &n);
	mode_t mode = lx_checkmode(L, 2, 0755, LX_MODE_ALL);
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
	const char *path = lx_checkstring(L, 1);

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
	const char *from = lx_checkstring(L, 1);
	const char *to = lx_checkstring(L, 2);

	if (rename(from, to) < 0)
		return lx_fail(L, errno, "rename %s to %s", from, to);
	return lx_ok(L);
}

/** chmod : (path, mode) -> true | (nil, string, integer) */
static int l_chmod(lua_State *L)
{
	const char *path = lx_checkstring(L, 1);

	if (chmod(path, lx_checkmode(L, 2, -1, LX_MODE_ALL)) < 0)
		return lx_fail(L, errno, "chmod %s", path);
	return lx_ok(L);
}

/** chown : (path, uid, gid) -> true | (nil, string, integer)
 * Numeric ids (a number or a string of decimal digits: lx_checkid, as
 * getpwnam and spawn take one), from 0 to 4294967294; -1 leaves that id
 * unchanged. Follows symlinks. */
static int l_chown(lua_State *L)
{
	const char *path = lx_checkstring(L, 1);
	uid_t uid = (uid_t)lx_checkid(L, 2, "uid", LX_ID_KEEP);
	gid_t gid = (gid_t)lx_checkid(L, 3, "gid", LX_ID_KEEP);

	if (chown(path, uid, gid) < 0)
		return lx_fail(L, errno, "chown %s", path);
	return lx_ok(L);
}

/** symlink : (target, linkpath) -> true | (nil, string, integer) */
static int l_symlink(lua_State *L)
{
	const char *target = lx_checkstring(L, 1);
	const char *link = lx_checkstring(L, 2);

	if (symlink(target, link) < 0)
		return lx_fail(L, errno, "symlink %s", link);
	return lx_ok(L);
}

/** readlink : (path) -> string | (nil, string, integer) */
static int l_readlink(lua_State *L)
{
	const char *path = lx_checkstring(L, 1);
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof buf);

	if (n < 0)
		return lx_fail(L, errno, "readlink %s", path);
	if ((size_t)n >= sizeof buf)
		return lx_fail(L, ENAMETOOLONG, "readlink %s", path);
	lua_pushlstring(L, buf, (size_t)n);
	return 1;
}

/** mknod : (path, kind "c"|"b"|"p", mode, major?, minor?) -> true | (nil, string, integer)
 * mode: the permission bits, 0..0777 (LX_MODE_PERM: setuid, setgid and
 * sticky mean nothing on a device node or a FIFO). */
static int l_mknod(lua_State *L)
{
	static const char *const kinds[] = { "c", "b", "p", NULL };
	static const mode_t types[] = { S_IFCHR, S_IFBLK, S_IFIFO };
	const char *path = lx_checkstring(L, 1);
	int kind = lx_checkoption(L, 2, NULL, kinds);
	mode_t mode = lx_checkmode(L, 3, -1, LX_MODE_PERM);
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
	const char *nr = lx_checkstring(L, 1);
	const char *old = lx_checkstring(L, 2);

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

	lua_pushboolean(L, stat(lx_checkstring(L, 1), &st) == 0);
	return 1;
}

/** access : (path, mode?) -> true | (false, string, integer)
 * mode: letters of "rwx" ("" or nil: exists). Real ids, as access(2). */
static int l_access(lua_State *L)
{
	const char *path = lx_checkstring(L, 1);
	const char *m = lx_optstr(L, 2, "");
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
int lx_fs_pushstat(lua_State *L, const struct stat *st)
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
	const char *path = lx_checkstring(L, 1);
	struct stat st;

	if (fn(path, &st) < 0)
		return lx_fail(L, errno, "%s %s", what, path);
	return lx_fs_pushstat(L, &st);
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
	const char *path = lx_checkstring(L, 1);
	char buf[8192] __attribute__((aligned(8)));
	struct lx_fd *f;
	const char **v;
	lua_Integer n = 0;

	lua_settop(L, 1);  /* the indices below: extra arguments would shift them */
	f = lx_fd_new(L, 1);  /* index 2: closes the fd if we raise */

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
			lx_fd_release(f);
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
	lx_fd_release(f);
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
	const char *path = lx_checkstring(L, 1);
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
 * mask: a mode of permission bits, 0..0777. Without mask, only reads it
 * (set and restored: PID 1 is one thread). */
static int l_umask(lua_State *L)
{
	lua_Integer m;
	const char *msg;
	mode_t old;

	if (lua_isnoneornil(L, 1)) {
		old = umask(022);
		umask(old);
	} else {
		/* the permission bits only (lx.h): 07777 let a decimal 755 through
		 * as 01363, and the kernel kept 0363 of it without a word */
		if ((msg = lx_tomode(L, 1, LX_MODE_PERM, &m)))
			luaL_argerror(L, 1, lua_pushfstring(L, "mask: %s", msg));
		old = umask((mode_t)m);
	}
	lua_pushinteger(L, old);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "mount", l_mount }, { "umount", l_umount },
	{ "mkdir", l_mkdir }, { "mkdirp", l_mkdirp }, { "rmdir", l_rmdir },
	{ "unlink", l_unlink }, { "rename", l_rename }, { "chmod", l_chmod },
	{ "chown", l_chown }, { "symlink", l_symlink }, { "readlink", l_readlink },
	{ "mknod", l_mknod }, { "chdir", l_chdir }, { "chroot", l_chroot },
	{ "pivot_root", l_pivot_root }, { "exists", l_exists }, { "access", l_access },
	{ "stat", l_stat }, { "lstat", l_lstat }, { "readdir", l_readdir },
	{ "statfs", l_statfs }, { "umask", l_umask },
	{ NULL, NULL }
};

int luaopen_luainit_fs(lua_State *L);
int luaopen_luainit_fs(lua_State *L)
{
	luaL_newlib(L, funcs);
	lx_fd_register(L);  /* open, fdopen, pipe, readfile, writefile, the syncs */
	return 1;
}
