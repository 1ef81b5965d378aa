return { restart = "never", log = { max_size = 8192, keep = 2, ring = 50 },
	command = { "/bin/sh", "-c", "i=0; while [ $i -lt 400 ]; do echo line $i of a service that prints a lot of output to its log; i=$((i+1)); done" } }
