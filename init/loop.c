/* loop.c: the epoll loop every event of PID 1 goes through: signals, timers,
 * sockets, pipes, netlink. Pure C; the Lua side lives in l_event.c. */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

static int epfd = -1;
static int nwatches;
/* The batch being dispatched: a watch removed by a callback is cleared from
 * it, so a later entry of the same batch never touches freed memory. */
static struct epoll_event batch[16];
static int batch_n;

int lx_loop_init(void)
{
	if (epfd >= 0)
		return 0;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? errno : 0;
}

int lx_loop_reset(void)
{
	/* the watches' memory belongs to their owners; only forget them */
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
	nwatches = 0;
	for (int i = 0; i < batch_n; i++)
		batch[i].data.ptr = NULL;
	return lx_loop_init();
}

static int ctl(int op, struct lx_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(epfd, op, w->fd, &ev) < 0)
		return errno;
	w->events = events;
	return 0;
}

int lx_loop_add(struct lx_watch *w, uint32_t events)
{
	int err = ctl(EPOLL_CTL_ADD, w, events);

	if (!err)
		nwatches++;
	return err;
}

int lx_loop_count(void)
{
	return nwatches;
}

int lx_loop_mod(struct lx_watch *w, uint32_t events)
{
	return ctl(EPOLL_CTL_MOD, w, events);
}

int lx_loop_del(struct lx_watch *w)
{
	w->events = 0;
	for (int i = 0; i < batch_n; i++)
		if (batch[i].data.ptr == w)
			batch[i].data.ptr = NULL;
	nwatches--;
	if (epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL) < 0)
		return errno;
	return 0;
}

int lx_loop_once(int timeout_ms)
{
	int n = epoll_wait(epfd, batch, 16, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	batch_n = n;
	for (int i = 0; i < n; i++) {
		struct lx_watch *w = batch[i].data.ptr;
		if (w && w->events)
			w->fn(w, batch[i].events);
	}
	batch_n = 0;
	return n;
}
