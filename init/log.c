/* log.c: PID 1's own messages, to the console (fd 2) and to /dev/kmsg. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pid1.h"

static int kmsg_fd = -1;

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
	write_all(2, "luainit: ", 9);
	buf[n] = '\n';
	write_all(2, buf, (size_t)n + 1);
	lx_kmsg(7, buf, (size_t)n); /* debug: not echoed to the console again */
}
