return { stop_timeout = 0.5,
	command = { "/bin/sh", "-c", "trap '' TERM; ( trap '' TERM; sleep 1000 & ); exec sleep 1000" } }
