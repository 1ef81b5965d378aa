-- cron.lua: Debian's cron.service (EnvironmentFile=-/etc/default/cron sets
-- only READ_ENV=yes; $EXTRA_OPTS is empty).
return {
	description = "Regular background program processing daemon",
	command = { "/usr/sbin/cron", "-f" },
	env = { READ_ENV = "yes" },
	after = { "rsyslog" },
	restart = "on-failure",
}
