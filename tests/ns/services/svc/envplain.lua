-- started after envset: a service with no env of its own sees only PATH
return { command = { "/bin/sh", "-c", "echo \"GREETING=${GREETING-unset} PATH=$PATH\"; exec sleep 1000" },
	after = { "envset" } }
