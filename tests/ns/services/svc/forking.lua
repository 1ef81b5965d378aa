return { type = "forking", pid_file = "/tmp/luainit-svc-test/forking.pid",
	command = { "/bin/sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $! > /tmp/luainit-svc-test/forking.pid; exit 0" } }
