-- bench/host/_cleanup.lua: the shutdown hook the host benchmarks that run
-- services as PID 1 of a PID namespace share (status.lua, rss.lua): stop
-- the services, then remove what they left on the host, their cgroups and
-- the notify socket.
local fs = require "luainit.fs"
local sup = require "supervisor"

require("shutdown").hook(function()
	sup.stop_all(20000)
	for _, svc in pairs(sup.services) do if svc.cgroup_path then fs.rmdir(svc.cgroup_path) end end
	if sup.cgroup_root:find("bench") then fs.rmdir(sup.cgroup_root) end
	os.remove(sup.notify_path)
	return "stopped"
end)
