return { restart = "always", restart_delay = 0.05, crash_limit = { 3, 30 }, command = { "/bin/sh", "-c", "exit 3" } }
