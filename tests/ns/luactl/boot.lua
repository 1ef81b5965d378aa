-- luactl against a real PID 1: services, a root-only control socket (0600
-- in a 0700 directory, as in production) and a public one (0666) on which
-- SO_PEERCRED alone decides what a non-root user may do. The run script
-- copies this directory to a host-visible place and drives luactl.
local sup = require "supervisor"
local control = require "control"
local shutdown = require "shutdown"
local T = require "nstest"

-- no tmpfs: the run script reads the sockets and logs from the host; a
-- group named for this run's work directory
assert(T.cgroups("luainit-luactl-" .. (T.here:match("luainit%-ns%.(%w+)") or "x")))
sup.notify_path = T.here .. "/run/notify"
-- clone3 into the groups although this PID 1 is not in the root group:
-- stop then start must work on kernels that kill a child cloned into a
-- group once killed (the supervisor makes such a group anew)
sup.cgroup_clone = true
sup.log_dir = T.here .. "/log"

T.load_services()
shutdown.hook(function()
	T.stop_services()
	return "stopped services"
end)
sup.start_all()
assert(control.listen(T.here .. "/private/control"))
assert(control.listen(T.here .. "/public/control", { mode = 438, dir_mode = 493 }))
print("LUACTL: ready")
