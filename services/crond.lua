-- Periodic jobs from /etc/crontabs.
return {
	description = "periodic jobs",
	command = { "/usr/sbin/crond", "-f", "-c", "/etc/crontabs" },
	after = { "syslogd" },
	restart = "on-failure",
}
