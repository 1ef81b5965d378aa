/* bench/probe: the readiness probe and markers shared by the PID 1s of
 * `make bench`. Every init starts it the same way, as one more service, at
 * the time it starts the others. It polls (every 10 ms) until httpd answers
 * GET / on 127.0.0.1:80 with 200 and every expected process is running
 * (syslogd klogd crond httpd getty, plus /etc/bench-extra's count of
 * `pause`), then writes to /dev/kmsg, so that every marker carries the
 * kernel's printk timestamp, the clock of "Run /sbin/init as init process"
 * and "reboot: Power down":
 *   BENCH ready uptime=S pid1_rss_kb=N pid1_pss_kb=N mem_used_kb=N procs=N
 *   BENCH shutdown-request uptime=S pid1_rss_kb=N pid1_pss_kb=N mem_used_kb=N
 * (mem_used_kb: MemTotal - MemAvailable, the whole system's), and, a second
 * after ready (PID 1's memory after the boot, once it has settled: luainit
 * hands the boot's back half a second after its last step), asks PID 1 to
 * power off: SIGUSR2 (luainit, BusyBox init and the floor), or SIGRTMIN+4
 * when PID 1 is systemd. Every init starts it last, after its other
 * services, so that its polling never competes with their starts.
 *
 * /etc/bench-probe, when present, sets another workload (the Debian image):
 *   port 22            the TCP port on 127.0.0.1 to ask
 *   banner SSH-        ready when the server's first bytes are these
 *                      (without it: GET / answered with 200)
 *   names cron sshd    the processes (comm) that must run */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAXNAMES 32
static const char *names[MAXNAMES] = { "syslogd", "klogd", "crond", "httpd", "getty" };
static size_t nnames = 5;
static int port = 80;
static char banner[32]; /* empty: HTTP */
static char conf[1024];
static char conf_error[128]; /* what /etc/bench-probe got wrong */

static int readfile(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return (int)r;
}

static void mark(const char *fmt, ...)
{
	char line[256], msg[240];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* <5>: notice, above the default console loglevel, so the serial log
	 * shows it with its timestamp */
	n = snprintf(line, sizeof line, "<5>BENCH %s\n", msg);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0)
			dprintf(1, "BENCH %s\n", msg);
		close(fd);
	}
	else
		dprintf(1, "BENCH %s\n", msg);
}

static void uptime(char *out, size_t n)
{
	char buf[64];

	if (readfile("/proc/uptime", buf, sizeof buf) < 0) {
		snprintf(out, n, "?");
		return;
	}
	buf[strcspn(buf, " ")] = 0;
	snprintf(out, n, "%s", buf);
}

/* PID 1's memory from smaps_rollup, which walks the page tables: VmRSS in
 * /proc/1/status lags behind (per-task counters are folded into it only
 * every few dozen faults), so a small static PID 1 would show a few kB. */
static long rollup_kb(const char *key)
{
	char buf[4096], *p;

	if (readfile("/proc/1/smaps_rollup", buf, sizeof buf) < 0 || !(p = strstr(buf, key)))
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

/* MemTotal - MemAvailable: what the whole system uses */
static long mem_used_kb(void)
{
	char buf[4096], *t, *a;

	if (readfile("/proc/meminfo", buf, sizeof buf) < 0 || !(t = strstr(buf, "MemTotal:")) ||
	    !(a = strstr(buf, "MemAvailable:")))
		return -1;
	return strtol(t + 9, NULL, 10) - strtol(a + 13, NULL, 10);
}

/* /etc/bench-probe: port, banner and names (see the top of this file);
 * what it gets wrong goes to conf_error, and the probe reports it rather
 * than guess */
static void configure(void)
{
	static const char sep[] = " \t\r";
	char *line, *save, *w, *save2;
	long p;
	int n = readfile("/etc/bench-probe", conf, sizeof conf);

	if (n < 0)
		return;
	if (n == (int)sizeof conf - 1)
		snprintf(conf_error, sizeof conf_error, "/etc/bench-probe: over %d bytes", n);
	for (line = strtok_r(conf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		w = strtok_r(line, sep, &save2);
		if (!w)
			continue;
		if (strcmp(w, "port") == 0) {
			w = strtok_r(NULL, sep, &save2);
			p = w ? strtol(w, NULL, 10) : 0;
			if (p < 1 || p > 65535)
				snprintf(conf_error, sizeof conf_error, "/etc/bench-probe: port: 1 to 65535 expected");
			else
				port = (int)p;
		} else if (strcmp(w, "banner") == 0 && (w = strtok_r(NULL, sep, &save2))) {
			snprintf(banner, sizeof banner, "%s", w);
		} else if (strcmp(w, "names") == 0) {
			for (nnames = 0; (w = strtok_r(NULL, sep, &save2));) {
				if (nnames == MAXNAMES) {
					snprintf(conf_error, sizeof conf_error, "/etc/bench-probe: over %d names", MAXNAMES);
					break;
				}
				names[nnames++] = w;
			}
		} else {
			snprintf(conf_error, sizeof conf_error, "/etc/bench-probe: unknown line '%.40s'", w);
		}
	}
}

/* Does the server answer: GET / with 200, or its banner? */
static int server_ok(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	static const char req[] = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	char buf[64];
	int fd, ok = 0;
	ssize_t n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	/* a server that accepts and never answers holds no poll */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ .tv_sec = 1 }, sizeof(struct timeval));
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
		if (banner[0]) {
			n = read(fd, buf, sizeof buf - 1);
			ok = n >= (ssize_t)strlen(banner) && strncmp(buf, banner, strlen(banner)) == 0;
		}
		else if (write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1) &&
			 (n = read(fd, buf, sizeof buf - 1)) > 12) {
			buf[n] = 0;
			ok = strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 9, "200", 3) == 0;
		}
	}
	close(fd);
	return ok;
}

/* Are all the named services and `extra` pauses running? Sets *procs. */
static int all_running(int extra, int *procs, char *missing, size_t mlen)
{
	int seen[MAXNAMES] = { 0 }, pauses = 0, total = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], comm[32];

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
		if (readfile(path, comm, sizeof comm) < 0)
			continue;
		total++;
		comm[strcspn(comm, "\n")] = 0;
		if (strcmp(comm, "pause") == 0)
			pauses++;
		for (size_t i = 0; i < nnames; i++)
			if (strcmp(comm, names[i]) == 0)
				seen[i] = 1;
	}
	closedir(d);
	*procs = total;
	missing[0] = 0;
	for (size_t i = 0; i < nnames; i++)
		if (!seen[i])
			snprintf(missing + strlen(missing), mlen - strlen(missing), " %s", names[i]);
	if (pauses < extra)
		snprintf(missing + strlen(missing), mlen - strlen(missing), " pause(%d/%d)", pauses, extra);
	return missing[0] == 0;
}

int main(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 }, settle = { 1, 0 };
	char buf[32], up[64], missing[256] = "";
	int extra = 0, procs = 0, ready = 0, sig = SIGUSR2;

	/* started by the benchmark image's init, which it asks to power off:
	 * run by hand it would send SIGUSR2 to the host's init */
	if (getppid() != 1) {
		fprintf(stderr, "bench/probe: started by the benchmark image's PID 1 only\n");
		return 2;
	}
	if (readfile("/etc/bench-extra", buf, sizeof buf) > 0)
		extra = atoi(buf);
	configure();
	/* systemd powers off on SIGRTMIN+4, its C library's SIGRTMIN (glibc:
	 * 34; this probe's musl counts differently) */
	if (readfile("/proc/1/comm", buf, sizeof buf) > 0 && strcmp(buf, "systemd\n") == 0)
		sig = 34 + 4;
	for (int i = 0; i < 6000 && !conf_error[0]; i++) { /* 60 s */
		if (server_ok() && all_running(extra, &procs, missing, sizeof missing)) {
			ready = 1;
			break;
		}
		nanosleep(&tick, NULL);
	}
	uptime(up, sizeof up);
	if (ready)
		mark("ready uptime=%s pid1_rss_kb=%ld pid1_pss_kb=%ld mem_used_kb=%ld procs=%d", up,
		     rollup_kb("\nRss:"), rollup_kb("\nPss:"), mem_used_kb(), procs);
	else if (conf_error[0])
		mark("timeout uptime=%s config: %s", up, conf_error);
	else
		mark("timeout uptime=%s missing:%s%s", up, server_ok() ? "" : " server", missing);
	/* the boot's last lines reach the console, PID 1 settles */
	nanosleep(&settle, NULL);
	uptime(up, sizeof up);
	mark("shutdown-request uptime=%s pid1_rss_kb=%ld pid1_pss_kb=%ld mem_used_kb=%ld", up,
	     rollup_kb("\nRss:"), rollup_kb("\nPss:"), mem_used_kb());
	kill(1, sig);
	/* stay until the init's shutdown ends it: BusyBox init would start a
	 * ::respawn: entry that exits again, and a second probe would ask for
	 * a second shutdown */
	for (;;)
		pause();
}
