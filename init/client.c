/* client.c: luactl, poweroff, reboot and halt (the same binary, chosen by
 * argv[0]). For now they ask PID 1 by signal, following the BusyBox/sysvinit
 * convention: SIGTERM reboots, SIGUSR1 halts, SIGUSR2 powers off. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "pid1.h"

static int usage_power(const char *name)
{
	fprintf(stderr, "usage: %s [-f] [-n]\n"
	        "  -f  force: skip the orderly shutdown, reboot(2) at once\n"
	        "  -n  with -f: do not sync first\n", name);
	return 2;
}

static int power(const char *name, int argc, char **argv)
{
	int force = 0, nosync = 0, sig, cmd;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1])
			return usage_power(name);
		for (const char *c = a + 1; *c; c++) {
			if (*c == 'f') force = 1;
			else if (*c == 'n') nosync = 1;
			else if (*c == 'd' || *c == 'w' || *c == 'i' || *c == 'h' || *c == 'p')
				; /* sysvinit flags people type out of habit: accepted, no effect */
			else
				return usage_power(name);
		}
	}
	if (strcmp(name, "reboot") == 0) { sig = SIGTERM; cmd = RB_AUTOBOOT; }
	else if (strcmp(name, "halt") == 0) { sig = SIGUSR1; cmd = RB_HALT_SYSTEM; }
	else { sig = SIGUSR2; cmd = RB_POWER_OFF; }
	if (force) {
		if (!nosync)
			sync();
		reboot(cmd);
		fprintf(stderr, "%s: reboot(2): %s\n", name, strerror(errno));
		return 1;
	}
	if (kill(1, sig) < 0) {
		fprintf(stderr, "%s: cannot signal PID 1: %s\n", name, strerror(errno));
		return 1;
	}
	return 0;
}

static int luactl(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fprintf(stderr, "usage: luactl poweroff|reboot|halt [-f] [-n]\n");
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "poweroff") == 0 || strcmp(argv[1], "reboot") == 0 ||
	    strcmp(argv[1], "halt") == 0)
		return power(argv[1], argc - 1, argv + 1);
	fprintf(stderr, "luactl: unknown command '%s'; expected poweroff, reboot or halt\n",
	        argv[1]);
	return 2;
}

int lx_client_main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	name = name ? name + 1 : argv[0];
	if (strcmp(name, "poweroff") == 0 || strcmp(name, "reboot") == 0 ||
	    strcmp(name, "halt") == 0)
		return power(name, argc, argv);
	return luactl(argc, argv);
}
