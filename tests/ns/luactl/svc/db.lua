return { command = { "/bin/sh", "-c", "echo db up; exec sleep 1000" } }
