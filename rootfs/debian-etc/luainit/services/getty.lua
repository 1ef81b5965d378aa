-- getty.lua: a login prompt on the serial console, the way sysvinit's
-- inittab runs it (`T0:23:respawn:/sbin/getty -L ttyS0 ...`): agetty opens
-- ttyS0 itself and makes it its controlling terminal (luainit starts every
-- service in a new session). Debian's serial-getty@.service passes `-` and
-- lets the service manager open the terminal instead, which luainit's
-- `tty` field does too (read-write, for all three streams); naming the
-- terminal here keeps agetty's own line setup (-L, the baud rates).
return {
	description = "Serial Getty on ttyS0",
	command = { "/sbin/agetty", "-o", "-p -- \\u", "--keep-baud", "-L", "115200,57600,38400,9600", "ttyS0", "vt220" },
	restart = "always",
	restart_delay = 0.5,
	restart_max_delay = 2,
}
