return { command = { "/bin/sh", "-c", "echo web v1; exec sleep 1000" } }
