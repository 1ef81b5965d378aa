-- type "fd" whose first run leaves a process in a session of its own
-- (setsid: out of reach of the stop, without cgroups) holding its
-- ready_fd; 1.5 s later, the run stopped and the next one started, that
-- process writes the newline. It made the next run "ready".
local d = "/tmp/luainit-nocg-test"
return { type = "fd", ready_fd = 3, start_timeout = 10, enabled = false,
	command = { "/bin/sh", "-c",
	"if [ ! -e " .. d .. "/escaped.ran ]; then "
	.. "setsid /bin/sh -c ': >" .. d .. "/escaped.ran; sleep 1.5; : >" .. d .. "/escaped.wrote; echo >&3; sleep 5' & "
	.. "while [ ! -e " .. d .. "/escaped.ran ]; do sleep 0.02; done; fi; "
	.. "exec sleep 1000" } }
