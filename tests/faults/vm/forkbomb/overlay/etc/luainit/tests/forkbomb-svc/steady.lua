return { command = { "/bin/sh", "-c", "exec sleep 1000" } }
