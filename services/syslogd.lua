-- The system log: /var/log/messages, from /dev/log.
return {
	description = "system logger",
	command = { "/sbin/syslogd", "-n", "-O", "/var/log/messages" },
	restart = "always",
}
