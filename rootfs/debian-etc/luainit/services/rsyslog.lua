-- rsyslog.lua: Debian's rsyslog.service. rsyslogd opens /dev/log itself
-- (no syslog.socket activation) and says READY=1 over $NOTIFY_SOCKET.
return {
	description = "System Logging Service",
	type = "notify",
	command = { "/usr/sbin/rsyslogd", "-n", "-iNONE" },
	restart = "on-failure",
	rlimits = { nofile = 16384 },
}
