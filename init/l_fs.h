/* l_fs.h: what the two files of luainit.fs share. l_fs.c owns the
 * namespace (mounts, paths, metadata, directories) and opens the module;
 * l_fd.c owns file contents (the fs.fd descriptor type, whole-file reads
 * and writes, syncs) and adds its functions to the module's table. */
#ifndef LUAINIT_L_FS_H
#define LUAINIT_L_FS_H

#include <sys/stat.h>
#include <lua.h>

/* The fs.fd userdata (metatable LX_FD_MT). */
#define LX_FD_MT "luainit.fs.fd"
struct lx_fd {
	int fd;       /* < 0: closed */
	int gcclose;  /* 0 for fdopen: the collector must not close 0, 1, 2 */
};

/* Push a closed fs.fd; the caller stores the descriptor into it after
 * the push (l_fd.c). */
struct lx_fd *lx_fd_new(lua_State *L, int gcclose);

/* Close once; later calls are no-ops. 0 or an errno value (l_fd.c). */
int lx_fd_release(struct lx_fd *f);

/* Register the fs.fd metatable and add l_fd.c's functions to the module
 * table at the top of the stack (l_fd.c). */
void lx_fd_register(lua_State *L);

/* Push the table of stat, lstat and fd:stat (l_fs.c). */
int lx_fs_pushstat(lua_State *L, const struct stat *st);

#endif
