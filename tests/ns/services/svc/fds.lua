return { command = { "/bin/sh", "-c", "ls /proc/$$/fd; exec sleep 1000" } }
