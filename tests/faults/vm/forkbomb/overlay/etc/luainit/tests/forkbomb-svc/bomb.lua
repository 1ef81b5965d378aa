-- a fork bomb that never gives up: forks until fork fails, then keeps trying
return { cgroup = { pids_max = 32 }, stop_timeout = 1,
	command = { "/bin/sh", "-c", "while :; do sleep 1000 & done" } }
