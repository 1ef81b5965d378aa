return { command = { "/bin/sh", "-c", "echo \"GREETING=${GREETING-unset} PATH=$PATH\"; exec sleep 1000" },
	env = { GREETING = "hi" } }
