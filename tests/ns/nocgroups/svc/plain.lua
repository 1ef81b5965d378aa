return { command = { "/bin/sleep", "1000" } }
