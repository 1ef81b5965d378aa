-- takes 2 s to stop, and web stops only after it (after = web): the
-- shutdown is under way meanwhile, with web still up
return {
	command = { "/bin/sh", "-c", "trap 'sleep 2; exit 0' TERM; while :; do sleep 0.1; done" },
	after = { "web" },
}
