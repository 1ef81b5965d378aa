/* log.c: PID 1's own messages, to the console (fd 2) and to /dev/kmsg. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pid1.h"

static int kmsg_fd = -1;
static int console_fd = 2;
static unsigned long console_dropped;

/* A console that takes no output (a serial line held by flow control, a
 * pipe nobody reads) must not stop PID 1, and with it the reaping: console
 * lines go through a second, non-blocking open file description of fd 2's
 * tty or pipe, and what does not fit soon is dropped (the log ring and
 * /dev/kmsg keep every line). fd 2 itself stays blocking for the services
 * that inherit it. A regular file never blocks, and a reopened one would
 * not share its offset: it is written as it is. Needs /proc: PID 1 calls
 * this again once it has mounted it. */
void lx_console_open(void)
{
	struct stat st;
	int fd;

	if (console_fd != 2 || fstat(2, &st) < 0 || S_ISREG(st.st_mode))
		return;
	fd = open("/proc/self/fd/2", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		console_fd = fd;
}

/* fd 2 was pointed elsewhere (sys.console): write there from now on. */
void lx_console_reset(void)
{
	if (console_fd != 2)
		close(console_fd);
	console_fd = 2;
	lx_console_open();
}

/* Write p to the console; returns the bytes written. A console that is
 * merely slow (a serial line draining a burst of boot lines) gets up to
 * CONSOLE_WAIT_MS for room; one that took nothing for that long is taken
 * as stuck, and from then on lines that do not fit at once are dropped,
 * until a write goes through again. */
#define CONSOLE_WAIT_MS 200
static int console_stuck;

size_t lx_console_write(const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(console_fd, p + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			console_stuck = 0;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN && !console_stuck) {
			struct pollfd pfd = { .fd = console_fd, .events = POLLOUT };
			int r = poll(&pfd, 1, CONSOLE_WAIT_MS);
			if (r > 0 || (r < 0 && errno == EINTR))
				continue;
			console_stuck = 1;
		}
		console_dropped++;
		break;
	}
	return done;
}

unsigned long lx_console_dropped(void) { return console_dropped; }

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void lx_kmsg(int level, const char *msg, size_t len)
{
	char buf[1024];
	int n;

	if (lx_script_mode)
		return; /* a test or tool on a host must not write the host's kmsg */
	/* /dev may not be mounted yet at the first messages: retry later. */
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (kmsg_fd < 0)
		return;
	if (len > sizeof buf - 32)
		len = sizeof buf - 32;
	/* facility daemon (3 << 3) so kmsg readers can tell us from the kernel */
	n = snprintf(buf, sizeof buf, "<%d>luainit: %.*s", 24 + (level & 7),
	             (int)len, msg);
	if (n > 0)
		write_all(kmsg_fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void lx_log(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 2)
		n = sizeof buf - 2;
	lx_console_write("luainit: ", 9);
	buf[n] = '\n';
	lx_console_write(buf, (size_t)n + 1);
	lx_kmsg(7, buf, (size_t)n); /* debug: not echoed to the console again */
}
