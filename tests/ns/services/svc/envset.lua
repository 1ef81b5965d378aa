-- numbers reach the service as they were written: PORT=8080, not 8080.0
return { command = { "/bin/sh", "-c", "echo \"GREETING=${GREETING-unset} PORT=$PORT RATIO=$RATIO PATH=$PATH\"; exec sleep 1000" },
	env = { GREETING = "hi", PORT = 8080.0, RATIO = 0.1 } }
