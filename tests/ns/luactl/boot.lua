-- luactl against a real PID 1: services, a root-only control socket (0600
-- in a 0700 directory, as in production) and a public one (0666) on which
-- SO_PEERCRED alone decides what a non-root user may do. The run script
-- copies this directory to a host-visible place and drives luactl.
local fs = require "luainit.fs"
local sup = require "supervisor"
local services = require "services"
local control = require "control"
local shutdown = require "shutdown"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$")
local cg = fs.statfs("/sys/fs/cgroup")
if not cg or cg.type ~= "cgroup2" then
	assert(fs.mount("cgroup2", "/sys/fs/cgroup", "cgroup2"))
end
-- a group of this run's own: another run's leftovers must not mix in
sup.cgroup_root = "/sys/fs/cgroup/luainit-luactl-" .. (here:match("luainit%-ns%.(%w+)") or "x")
sup.notify_path = here .. "/run/notify"
-- clone3 into the groups although this PID 1 is not in the root group:
-- stop then start must work on kernels that kill a child cloned into a
-- group once killed (the supervisor makes such a group anew)
sup.cgroup_clone = true
sup.log_dir = here .. "/log"
services.dir = here .. "/svc"

local set, errs = services.load_dir()
for _, e in ipairs(errs) do print("ERROR " .. e) end
sup.add(set)
shutdown.hook(function()
	sup.stop_all(10000)
	for _, svc in pairs(sup.services) do
		if svc.cgroup_path then fs.rmdir(svc.cgroup_path) end
	end
	fs.rmdir(sup.cgroup_root)
	return "stopped services"
end)
sup.start_all()
assert(control.listen(here .. "/private/control"))
assert(control.listen(here .. "/public/control", { mode = 438, dir_mode = 493 }))
print("LUACTL: ready")
