-- A notify service with watchdog = 1 s: its pings keep it running; when
-- they stop, PID 1 kills it (SIGABRT) and restarts it, as systemd does.
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
-- a tmpfs, a cgroup2 of our own and the supervisor's paths
T.setup("/tmp/luainit-wd-test")

T.load_services()
sup.start_all()
local svc = sup.services.pinger
sup.wait_settled("pinger", 10000)
print("CHECK ready " .. svc.state)
sched.sleep(600)
print("CHECK still running while pinging " .. tostring(svc.state == "ready" and svc.restarts == 0))
T.wait_until(function() return svc.restarts >= 1 end, 10000, 100)
print("CHECK restarted after the pings stopped " .. tostring(svc.restarts >= 1)
	.. " (last exit: " .. tostring(svc.last_exit and svc.last_exit.code) .. ")")
print("CHECK env " .. tostring(table.concat(svc.ring, " "):match("WATCHDOG_USEC=%d+")))
T.stop_services()
require("shutdown").request("poweroff")
