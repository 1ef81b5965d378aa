/* loop.h: PID 1's one epoll loop (pure C, no Lua). Every descriptor PID 1
 * waits on is a struct lx_watch registered here. */
#ifndef LUAINIT_LOOP_H
#define LUAINIT_LOOP_H

#include <stdint.h>

struct lx_watch;
typedef void (*lx_watch_fn)(struct lx_watch *w, uint32_t events);

struct lx_watch {
	int fd;
	uint32_t events;      /* EPOLLIN, EPOLLOUT ... currently registered */
	lx_watch_fn fn;
	void *ctx;
};

/* Create the epoll instance. Returns 0 or an errno value. */
int lx_loop_init(void);
/* Forget every watch (a new, empty epoll set); 0 or an errno. */
int lx_loop_reset(void);
/* Register, change or remove a watch. Return 0 or an errno value. */
int lx_loop_add(struct lx_watch *w, uint32_t events);
int lx_loop_mod(struct lx_watch *w, uint32_t events);
int lx_loop_del(struct lx_watch *w);
/* Number of registered watches. */
int lx_loop_count(void);
/* Wait up to timeout_ms (-1: forever) and dispatch ready watches.
 * Returns the number dispatched, or -errno. EINTR is not an error. */
int lx_loop_once(int timeout_ms);

#endif
