-- A small web server for /var/www on port 80.
return {
	description = "web server on port 80",
	command = { "/usr/sbin/httpd", "-f", "-p", "80", "-h", "/var/www" },
	after = { "syslogd" },
	restart = "on-failure",
	cgroup = { pids_max = 64, memory_max = "32M" },
}
