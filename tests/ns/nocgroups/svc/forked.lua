-- a forking daemon in a session of its own (setsid), as most are: the
-- started shell exits 0 once the daemon wrote its pid file. The daemon
-- and a child in its process group each note a USR1 in a file.
local d = "/tmp/luainit-nocg-test"
return { type = "forking", pid_file = d .. "/forked.pid", command = { "/bin/sh", "-c",
	"setsid /bin/sh -c 'trap \"echo daemon >>" .. d .. "/got\" USR1; "
	.. "(trap \"echo child >>" .. d .. "/got; exit 0\" USR1; sleep 1000 & wait) & "
	.. "echo $$ >" .. d .. "/forked.pid; while :; do sleep 1 & wait; done' & "
	.. "while [ ! -s " .. d .. "/forked.pid ]; do sleep 0.05; done" } }
