-- A login prompt on the serial console (busybox getty + login).
return {
	description = "login prompt on ttyS0",
	command = { "/sbin/getty", "-L", "115200", "ttyS0", "vt100" },
	restart = "always",
	restart_delay = 0.5,
	crash_limit = { 10, 10 },
	log = { file = false },
}
