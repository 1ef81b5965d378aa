/* bench/floor: the physical limit of `make bench`'s workload. A PID 1 with
 * no interpreter, no shell and no supervision logic that does the same work
 * as luainit's default boot, hard-coded, with bare system calls: the same
 * mounts (stage.early + fstab's /tmp) and remount of /, the hostname, the
 * sysctl, the same modules (finit_module in dependency order), lo and eth0
 * up with 10.0.2.15/24 via 10.0.2.2 (ioctl), the random seed, the same five
 * services plus /etc/bench-extra's count of /bench/pause, and the probe.
 * Then it reaps until SIGUSR2 (poweroff) or SIGTERM, and goes down the way
 * luainit does: TERM all, wait for the reaper (5 s at most), KILL, sync,
 * unmount in reverse, reboot(2). Nothing is respawned. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *src, *target, *type;
	unsigned long flags;
	const char *data;
} mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, NULL },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, NULL },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC | MS_RELATIME, "gid=5,mode=620,ptmxmode=000" },
	{ "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, "nsdelegate" },
	{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" }, /* /etc/fstab */
};
#define NMOUNTS (sizeof mounts / sizeof mounts[0])

/* modules.dep order for virtio_pci and virtio_net: dependencies first */
static const char *const modules[] = {
	"kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
	"kernel/drivers/virtio/virtio_pci_legacy_dev.ko", "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
	"kernel/drivers/virtio/virtio_pci.ko", "kernel/net/core/failover.ko",
	"kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko",
};

static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

static void say(const char *what, int err)
{
	if (err)
		dprintf(2, "floor: %s: %s\n", what, strerror(err));
}

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

static void writefile(const char *path, const void *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, buf, n) != (ssize_t)n)
		say(path, errno);
	if (fd >= 0)
		close(fd);
}

static void set_addr(int s, unsigned long req, const char *ifname, const char *ip)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin->sin_addr);
	if (ioctl(s, req, &ifr) < 0)
		say(ip, errno);
}

static void link_up(int s, const char *ifname)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		say(ifname, errno);
		return;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		say(ifname, errno);
}

static void network(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct rtentry rt = { 0 };
	struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
	struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst;
	struct sockaddr_in *mask = (struct sockaddr_in *)&rt.rt_genmask;

	if (s < 0) {
		say("socket", errno);
		return;
	}
	link_up(s, "lo");
	set_addr(s, SIOCSIFADDR, "eth0", "10.0.2.15");
	set_addr(s, SIOCSIFNETMASK, "eth0", "255.255.255.0");
	link_up(s, "eth0");
	dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
	inet_pton(AF_INET, "10.0.2.2", &gw->sin_addr);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = "eth0";
	if (ioctl(s, SIOCADDRT, &rt) < 0)
		say("default route", errno);
	close(s);
}

static pid_t start(char *const argv[], int tty)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t none;
		int fd = open(tty ? "/dev/console" : "/dev/null", O_RDWR);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execve(argv[0], argv, env);
		_exit(127);
	}
	if (pid < 0)
		say(argv[0], errno);
	return pid;
}

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void down(void)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };

	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	for (int i = 0; i < 500; i++) { /* 5 s */
		reap();
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			break;
		nanosleep(&t, NULL);
	}
	kill(-1, SIGKILL);
	reap();
	sync();
	for (int i = NMOUNTS - 1; i >= 0; i--)
		if (umount2(mounts[i].target, 0) < 0)
			umount2(mounts[i].target, MNT_DETACH);
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		say("remount / ro", errno);
	sync();
	reboot(RB_POWER_OFF);
}

int main(void)
{
	sigset_t all;
	struct utsname u;
	char buf[4096], path[512];
	int extra = 0, n;

	/* The bench image's init only: run by hand on a host it would mount
	 * over /proc, /run and /tmp, readdress eth0 and kill(-1) at the end. */
	if (getpid() != 1) {
		fprintf(stderr, "bench/floor: the benchmark image's PID 1; not PID 1 here, doing nothing\n");
		return 2;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	reboot(RB_DISABLE_CAD);
	for (size_t i = 0; i < NMOUNTS; i++) {
		mkdir(mounts[i].target, 0755);
		if (mount(mounts[i].src, mounts[i].target, mounts[i].type, mounts[i].flags, mounts[i].data) < 0 &&
		    errno != EBUSY)
			say(mounts[i].target, errno);
		if (i == NMOUNTS - 2 && mount(NULL, "/", NULL, MS_REMOUNT, NULL) < 0) /* fstab's / is rw */
			say("remount /", errno);
	}
	if ((n = readfile("/etc/hostname", buf, sizeof buf)) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		if (sethostname(buf, strlen(buf)) < 0)
			say("sethostname", errno);
	}
	writefile("/proc/sys/vm/swappiness", "10\n", 3); /* /etc/sysctl.conf */
	uname(&u);
	for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++) {
		snprintf(path, sizeof path, "/lib/modules/%s/%s", u.release, modules[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
			say(path, errno);
		if (fd >= 0)
			close(fd);
	}
	network();
	/* the random seed, as luainit's boot.random_seed() */
	if ((n = readfile("/var/lib/luainit/random-seed", buf, sizeof buf)) > 0)
		writefile("/dev/urandom", buf, (size_t)n);
	if (syscall(SYS_getrandom, buf, 512, 0x0001 /* GRND_NONBLOCK */) == 512)
		writefile("/var/lib/luainit/random-seed", buf, 512);

	{
		static char *const svcs[][8] = {
			{ "/sbin/syslogd", "-n", "-O", "/var/log/messages", NULL },
			{ "/sbin/klogd", "-n", NULL },
			{ "/usr/sbin/crond", "-f", "-c", "/etc/crontabs", NULL },
			{ "/usr/sbin/httpd", "-f", "-p", "80", "-h", "/var/www", NULL },
			{ "/sbin/getty", "-L", "115200", "ttyS0", "vt100", NULL },
		};
		char num[16], *pause_argv[] = { "/bench/pause", num, NULL };
		static char *const probe_argv[] = { "/bench/probe", NULL };

		for (size_t i = 0; i < sizeof svcs / sizeof svcs[0]; i++)
			start(svcs[i], 0);
		if (readfile("/etc/bench-extra", buf, sizeof buf) > 0)
			extra = atoi(buf);
		for (int i = 1; i <= extra; i++) {
			snprintf(num, sizeof num, "%d", i);
			start(pause_argv, 0);
		}
		start(probe_argv, 1);
	}
	for (;;) {
		siginfo_t si;

		if (sigwaitinfo(&all, &si) < 0)
			continue;
		if (si.si_signo == SIGCHLD)
			reap();
		else if (si.si_signo == SIGUSR2 || si.si_signo == SIGTERM || si.si_signo == SIGINT)
			down();
	}
}
