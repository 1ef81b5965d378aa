-- Kernel messages into syslog.
return {
	description = "kernel log to syslog",
	command = { "/sbin/klogd", "-n" },
	requires = { "syslogd" },
	restart = "always",
}
