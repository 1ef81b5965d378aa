-- supervisor.cgroups = false: services supervised by process group, as
-- runit and s6 do, on a machine that has cgroup v2 (T.setup mounts one):
-- no service group is made, a service runs in PID 1's group, status shows
-- no group, and stopping reaches every process of the process group.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-nocg-test")
local check = T.check
sup.cgroups = false

T.load_services()
sup.start_all()
for _, n in ipairs({ "plain", "family", "forked" }) do sup.wait_settled(n, 10000) end

local plain, family = sup.services.plain, sup.services.family
check("ready plain", plain.state == "ready", plain.state)
check("ready family", family.state == "ready", family.state)
local mine = fs.readfile("/proc/self/cgroup")
local its = fs.readfile("/proc/" .. plain.pid .. "/cgroup")
check("in PID 1's group", mine and its == mine, its)
check("no group made", not fs.exists(sup.cgroup_root), sup.cgroup_root)
local st = sup.status("plain", true)
check("status without group", st and st.cgroup == nil and st.tasks == nil, st and st.cgroup)

-- the family's two processes, found by process group
sched.sleep(200)
local members = {}
for _, p in ipairs(fs.readdir("/proc")) do
	local stat = p:match("^%d+$") and fs.readfile("/proc/" .. p .. "/stat")
	local pgrp = stat and stat:match("^%d+ %b() %S+ %d+ (%d+)")
	if pgrp and tonumber(pgrp) == family.pid then members[#members + 1] = tonumber(p) end
end
check("family has two", #members == 2, #members)
-- luactl kill --all: the process group, which reaches both (WINCH: no harm)
local to = sup.signal("family", "WINCH", true)
check("signal to the process group", to == "process group " .. family.pid, to)
check("signal to the main process", sup.signal("family", 28) == "pid " .. family.pid)
-- a forking daemon's process group is its own (setsid), not the started
-- shell's, which is gone: --all reaches the daemon and its child
local forked = sup.services.forked
check("ready forked", forked.state == "ready", forked.state .. " " .. tostring(forked.why))
to = sup.signal("forked", "USR1", true)
check("signal to the daemon's group", to == "process group " .. tostring(forked.pid), to)
local got = T.wait_until(function()
	local s = fs.readfile("/tmp/luainit-nocg-test/got") or ""
	return s:find("daemon") and s:find("child") and s
end, 5000)
check("daemon and child signalled", got, fs.readfile("/tmp/luainit-nocg-test/got"))
-- the group a stop signals is the daemon's own too, not the started
-- shell's, whose id may name another group once it is reaped
check("the daemon's group is the one stopped", forked.pgid == forked.pid, tostring(forked.pgid))
sup.stop("family")
sup.wait_settled("family", 10000)
check("family stopped", family.state == "stopped", family.state)
check("no process group kept past the exit", family.pgid == nil, tostring(family.pgid))
sched.sleep(200)
local left = 0
for _, p in ipairs(members) do
	local stat = fs.readfile("/proc/" .. p .. "/stat")
	if stat and not stat:match("%) Z ") then left = left + 1 end
end
check("family all gone", left == 0, left)
-- a newline on the ready_fd of a run that ended counts for that run
-- only: the process that escaped the first run of `escaped` writes it
-- while the second one starts
local esc = sup.services.escaped
sup.start("escaped")
T.wait_until(function() return fs.exists("/tmp/luainit-nocg-test/escaped.ran") end, 5000)
sup.stop("escaped")
sup.wait_settled("escaped", 5000)
check("escaped: its first run stopped", esc.state == "stopped", esc.state)
sup.start("escaped")
local wrote = T.wait_until(function() return fs.exists("/tmp/luainit-nocg-test/escaped.wrote") end, 5000)
check("escaped: the old run's ready_fd written to", wrote, esc.state)
sched.sleep(300)
check("escaped: the next run not made ready by it", esc.state == "starting", esc.state .. " " .. tostring(esc.why))
sup.stop_all(10000)
check("plain stopped", plain.state == "stopped", plain.state)
T.finish("NOCGROUPS: done")
