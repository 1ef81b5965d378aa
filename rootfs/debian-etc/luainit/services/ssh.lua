-- ssh.lua: Debian's ssh.service (unitimport's output, plus after rsyslog so
-- its first lines reach syslog). sshd -t checks the configuration first,
-- as ExecStartPre= does; `exec` keeps the pid that sends READY=1.
-- /run/sshd comes from /etc/tmpfiles.d/luainit-ssh.conf (RuntimeDirectory=).
return {
	description = "OpenBSD Secure Shell server",
	type = "notify",
	command = { "/bin/sh", "-c", "/usr/sbin/sshd -t && exec /usr/sbin/sshd -D" },
	after = { "rsyslog" },
	restart = "on-failure",
}
