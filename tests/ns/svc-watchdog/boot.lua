-- A notify service with watchdog = 1 s: its pings keep it running; when
-- they stop, PID 1 kills it (SIGABRT) and restarts it, as systemd does.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local services = require "services"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$")
-- a tmpfs, a cgroup2 of our own and the supervisor's paths
dofile(here .. "/../../lib.lua").setup("/tmp/luainit-wd-test")

local set, errs = services.load_dir(here .. "/svc")
for _, e in ipairs(errs) do print("ERROR " .. e) end
sup.add(set)
sup.start_all()
local svc = sup.services.pinger
sup.wait_settled("pinger", 10000)
print("CHECK ready " .. svc.state)
sched.sleep(600)
print("CHECK still running while pinging " .. tostring(svc.state == "ready" and svc.restarts == 0))
for _ = 1, 100 do
	if svc.restarts >= 1 then break end
	sched.sleep(100)
end
print("CHECK restarted after the pings stopped " .. tostring(svc.restarts >= 1)
	.. " (last exit: " .. tostring(svc.last_exit and svc.last_exit.code) .. ")")
print("CHECK env " .. tostring(table.concat(svc.ring, " "):match("WATCHDOG_USEC=%d+")))
sup.stop_all(10000)
for _, s in pairs(sup.services) do if s.cgroup_path then fs.rmdir(s.cgroup_path) end end
fs.rmdir(sup.cgroup_root)
require("shutdown").request("poweroff")
