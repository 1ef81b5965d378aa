-- exits at once and is started again 0.3 s later: mostly in backoff, where
-- stop_all must reach it before its retry does
return { restart = "always", restart_delay = 0.3, restart_max_delay = 0.3, crash_limit = { 1000, 10 },
	command = { "/bin/sh", "-c", "exit 1" } }
