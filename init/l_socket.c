/* l_socket.c: luainit.socket, UNIX domain sockets for PID 1: the sd_notify
 * datagram socket (sender credentials through SCM_CREDENTIALS) and the
 * luactl stream socket (peer credentials through SO_PEERCRED). Every socket
 * PID 1 makes is non-blocking and close-on-exec; PID 1 waits on them with
 * event.watch. connect is the client's (luactl): it blocks. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lx.h"

#define SOCK_MT "luainit.socket"
#define MAX_DGRAM 4096

struct sock {
	int fd;          /* -1: closed */
	int type;        /* SOCK_DGRAM or SOCK_STREAM */
	int listening;
	int blocking;    /* a client's connection (connect): writes wait for room */
};

static struct sock *check_sock(lua_State *L, int idx)
{
	struct sock *s = luaL_checkudata(L, idx, SOCK_MT);
	if (s->fd < 0)
		luaL_error(L, "socket used after close");
	return s;
}

static struct sock *new_sock(lua_State *L, int type)
{
	struct sock *s = lua_newuserdatauv(L, sizeof *s, 0);
	s->fd = -1;
	s->type = type;
	s->listening = 0;
	s->blocking = 0;
	luaL_setmetatable(L, SOCK_MT);
	return s;
}

/* "@name" is an abstract address (sd_notify's convention). */
static socklen_t make_addr(lua_State *L, int arg, struct sockaddr_un *sa)
{
	size_t len;
	const char *path = luaL_checklstring(L, arg, &len), *msg;

	luaL_argcheck(L, len > 0 && len < sizeof sa->sun_path, arg, "socket path empty or too long");
	/* an abstract name is bytes, NULs too; a path stops at the first */
	if (path[0] != '@' && (msg = lx_nulbyte(L, arg)))
		luaL_argerror(L, arg, msg);
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	else
		len++; /* the terminating NUL of a path */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

static int sock_close(lua_State *L)
{
	struct sock *s = luaL_checkudata(L, 1, SOCK_MT);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}

static int sock_tostring(lua_State *L)
{
	struct sock *s = luaL_checkudata(L, 1, SOCK_MT);
	lua_pushfstring(L, "socket (%s, fd %d)", s->type == SOCK_DGRAM ? "dgram" : "stream", s->fd);
	return 1;
}

static int sock_fileno(lua_State *L)
{
	lua_pushinteger(L, check_sock(L, 1)->fd);
	return 1;
}

/** dgram : (path | "@abstract", mode?) -> socket | (nil, string, integer)
 * A bound datagram socket that receives sender credentials (sd_notify).
 * An existing socket file at path is replaced. mode: the permission bits,
 * 0..0777 (lx.h's LX_MODE_PERM: setuid, setgid and sticky mean nothing on
 * a socket, and a decimal 660 given for 0660 raises). */
static int l_dgram(lua_State *L)
{
	struct sockaddr_un sa;
	socklen_t alen = make_addr(L, 1, &sa);
	int mode = lua_isnoneornil(L, 2) ? -1 : (int)lx_checkmode(L, 2, -1, LX_MODE_PERM);
	struct sock *s = new_sock(L, SOCK_DGRAM);
	int one = 1;

	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return lx_fail(L, errno, "socket");
	if (sa.sun_path[0])
		unlink(sa.sun_path);
	if (setsockopt(s->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
	    bind(s->fd, (struct sockaddr *)&sa, alen) < 0) {
		int err = errno;
		close(s->fd);
		s->fd = -1;
		return lx_fail(L, err, "bind %s", lua_tostring(L, 1));
	}
	if (mode >= 0 && sa.sun_path[0])
		chmod(sa.sun_path, (mode_t)mode);
	return 1;
}

/** socket:recvfrom : () -> data, pid, uid, gid | (nil, string, integer)
 * One datagram with its sender's credentials (pid 0 if none were sent);
 * EAGAIN when nothing is queued. Datagrams over 4096 bytes are truncated
 * and reported as EMSGSIZE. */
static int sock_recvfrom(lua_State *L)
{
	struct sock *s = check_sock(L, 1);
	char buf[MAX_DGRAM];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	struct iovec iov = { buf, sizeof buf };
	struct msghdr msg = { 0 };
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	ssize_t n;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.b;
	msg.msg_controllen = sizeof ctl.b;
	n = recvmsg(s->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return lx_fail(L, errno, "recvmsg");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof cred)) {
			memcpy(&cred, CMSG_DATA(c), sizeof cred);
		} else if (c->cmsg_type == SCM_RIGHTS) {
			/* descriptors we did not ask for (FDSTORE) are closed */
			int nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int *fds = (int *)CMSG_DATA(c);
			for (int i = 0; i < nfd; i++)
				close(fds[i]);
		}
	}
	if (msg.msg_flags & MSG_TRUNC)
		return lx_fail(L, EMSGSIZE, "recvmsg");
	lua_pushlstring(L, buf, (size_t)n);
	lua_pushinteger(L, cred.pid);
	lua_pushinteger(L, (lua_Integer)cred.uid);
	lua_pushinteger(L, (lua_Integer)cred.gid);
	return 4;
}

/** sendto : (path | "@abstract", data) -> true | (nil, string, integer)
 * Send one datagram (a client of the notify protocol, for tools and tests). */
static int l_sendto(lua_State *L)
{
	struct sockaddr_un sa;
	socklen_t alen = make_addr(L, 1, &sa);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return lx_fail(L, errno, "socket");
	if (sendto(fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, alen) < 0) {
		err = errno;
		close(fd);
		return lx_fail(L, err, "sendto %s", lua_tostring(L, 1));
	}
	close(fd);
	return lx_ok(L);
}

/** listen : (path, mode?, backlog?) -> socket | (nil, string, integer)
 * A listening stream socket; an existing socket file is replaced. mode
 * as dgram's, default 0600. */
static int l_listen(lua_State *L)
{
	struct sockaddr_un sa;
	socklen_t alen = make_addr(L, 1, &sa);
	mode_t mode = lx_checkmode(L, 2, 0600, LX_MODE_PERM);
	int backlog = (int)luaL_optinteger(L, 3, 64), err;
	struct sock *s = new_sock(L, SOCK_STREAM);
	mode_t old;

	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return lx_fail(L, errno, "socket");
	if (sa.sun_path[0])
		unlink(sa.sun_path);
	/* create the file with its final mode: no window where it is open */
	old = umask(0777 & ~mode);
	err = bind(s->fd, (struct sockaddr *)&sa, alen) < 0 ? errno : 0;
	umask(old);
	if (!err && listen(s->fd, backlog) < 0)
		err = errno;
	if (err) {
		close(s->fd);
		s->fd = -1;
		return lx_fail(L, err, "listen %s", lua_tostring(L, 1));
	}
	s->listening = 1;
	return 1;
}

/** socket:accept : () -> conn | (nil, string, integer)
 * A non-blocking connection; EAGAIN when none is pending. */
static int sock_accept(lua_State *L)
{
	struct sock *s = check_sock(L, 1);
	struct sock *c;

	luaL_argcheck(L, s->listening, 1, "not a listening socket");
	c = new_sock(L, SOCK_STREAM);
	c->fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c->fd < 0)
		return lx_fail(L, errno, "accept");
	return 1;
}

/** connect : (path) -> conn | (nil, string, integer)
 * A blocking stream connection (clients: luactl, tests): reads wait for
 * data and writes for room. */
static int l_connect(lua_State *L)
{
	struct sockaddr_un sa;
	socklen_t alen = make_addr(L, 1, &sa);
	struct sock *s = new_sock(L, SOCK_STREAM);

	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return lx_fail(L, errno, "socket");
	if (connect(s->fd, (struct sockaddr *)&sa, alen) < 0) {
		int err = errno;
		close(s->fd);
		s->fd = -1;
		return lx_fail(L, err, "connect %s", lua_tostring(L, 1));
	}
	s->blocking = 1;
	return 1;
}

/** socket:peercred : () -> pid, uid, gid | (nil, string, integer) */
static int sock_peercred(lua_State *L)
{
	struct sock *s = check_sock(L, 1);
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(s->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return lx_fail(L, errno, "SO_PEERCRED");
	lua_pushinteger(L, cred.pid);
	lua_pushinteger(L, (lua_Integer)cred.uid);
	lua_pushinteger(L, (lua_Integer)cred.gid);
	return 3;
}

/** socket:read : (max?) -> data ("" at end of stream) | (nil, string, integer) */
static int sock_read(lua_State *L)
{
	struct sock *s = check_sock(L, 1);
	char buf[16384];
	lua_Integer max = luaL_optinteger(L, 2, sizeof buf);
	ssize_t n;

	if (max <= 0 || max > (lua_Integer)sizeof buf)
		max = sizeof buf;
	do
		n = read(s->fd, buf, (size_t)max);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return lx_fail(L, errno, "read");
	lua_pushlstring(L, buf, (size_t)n);
	return 1;
}

/** socket:write : (data) -> bytes written | (nil, string, integer)
 * Never raises SIGPIPE. On PID 1's sockets it never waits: a short count
 * or EAGAIN means the peer's buffer is full. On a connection from connect
 * it waits for room: a client has nothing else to do, and EAGAIN would
 * cut a request larger than the socket's buffer short. */
static int sock_write(lua_State *L)
{
	struct sock *s = check_sock(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	ssize_t n;

	do
		n = send(s->fd, data, len, MSG_NOSIGNAL | (s->type == SOCK_STREAM && !s->blocking ? MSG_DONTWAIT : 0));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return lx_fail(L, errno, "write");
	lua_pushinteger(L, n);
	return 1;
}

/** socket:shutdown : () -> true  (no more writes: the peer sees end of stream) */
static int sock_shutdown(lua_State *L)
{
	shutdown(check_sock(L, 1)->fd, SHUT_WR);
	return lx_ok(L);
}

static const luaL_Reg methods[] = {
	{ "fileno", sock_fileno }, { "recvfrom", sock_recvfrom }, { "accept", sock_accept },
	{ "peercred", sock_peercred }, { "read", sock_read }, { "write", sock_write },
	{ "shutdown", sock_shutdown }, { "close", sock_close },
	{ NULL, NULL }
};

static const luaL_Reg funcs[] = {
	{ "dgram", l_dgram }, { "sendto", l_sendto }, { "listen", l_listen },
	{ "connect", l_connect },
	{ NULL, NULL }
};

int luaopen_luainit_socket(lua_State *L);
int luaopen_luainit_socket(lua_State *L)
{
	lx_newtype(L, SOCK_MT, methods, sock_close, sock_close, sock_tostring);
	luaL_newlib(L, funcs);
	return 1;
}
