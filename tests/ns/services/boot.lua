-- Supervision in a real PID namespace: dependency order, oneshot gating,
-- readiness (sd_notify from an independent client, a descriptor, a pid file),
-- crash-loop limits, stopping a double-forked group that ignores SIGTERM,
-- privilege drop, descriptor hygiene, log rotation and stop order.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
-- a tmpfs, a cgroup2 of our own and the supervisor's paths under dir
T.setup("/tmp/luainit-svc-test")
local dir, check = T.dir, T.check

T.load_services()
sup.start_all()

for _, n in ipairs({ "first", "second", "third", "notify", "fdready", "forking", "nobody", "fds", "envset", "envplain" }) do
	sup.wait_settled(n, 10000)
end
local order = fs.readfile(dir .. "/order") or ""
check("order", order == "first\nsecond\nthird\n", order:gsub("\n", " "))
check("oneshot done", sup.services.first.state == "done", sup.services.first.state)
for _, n in ipairs({ "second", "notify", "fdready", "forking", "nobody", "fds" }) do
	check("ready " .. n, sup.services[n].state == "ready", sup.services[n].state .. " " .. tostring(sup.services[n].why))
end
-- regression: a wants loop was rejected as a dependency cycle
for _, n in ipairs({ "wantsa", "wantsb" }) do
	local svc = sup.services[n]
	check("wants loop " .. n .. " ready", svc and svc.state == "ready", svc and svc.state)
end
-- a disabled service pulled in by a boot service is the boot's too (analyze)
sup.wait_settled("puller", 10000)
local in_boot = {}
for _, s in ipairs(require("analyze").collect().services) do in_boot[s.name] = true end
check("pulled in, ready and the boot's", sup.services.pulled.state == "ready" and in_boot.pulled == true,
	sup.services.pulled.state .. " " .. tostring(in_boot.pulled))
check("notify status", sup.services.notify.status == "warming up", sup.services.notify.status)
check("forking pid", sup.services.forking.pid == tonumber((fs.readfile(dir .. "/forking.pid") or ""):match("%d+")))

-- crash loop: restarts with backoff, then failed; the others are untouched
local c = sup.services.crasher
T.wait_until(function() return c.state == "failed" end, 5000)
check("crash loop failed", c.state == "failed" and c.why:match("crash loop"), c.state .. ": " .. tostring(c.why))
check("crash loop restarts", c.restarts == 3, c.restarts)
check("others unaffected", sup.services.second.state == "ready")

-- an explicit stop reaches what requires the service, directly or not,
-- before it (systemd's Requires=); what is only ordered after it runs on,
-- and starting it again brings back only what is asked for
for _, n in ipairs({ "reqbase", "reqmid", "reqtop", "reqafter" }) do sup.wait_settled(n, 10000) end
local function states(...)
	local t = {}
	for _, n in ipairs({ ... }) do t[#t + 1] = n .. "=" .. sup.services[n].state end
	return table.concat(t, " ")
end
local also = sup.stop_with("reqbase", 10000)
local ro = fs.readfile(dir .. "/reqorder") or ""
check("stop_with names what requires it", table.concat(also, " ") == "reqmid reqtop", table.concat(also, " "))
check("what requires it stops first", ro == "top\nmid\nbase\n", (ro:gsub("\n", " ")))
check("stopped with it", states("reqbase", "reqmid", "reqtop") == "reqbase=stopped reqmid=stopped reqtop=stopped",
	states("reqbase", "reqmid", "reqtop"))
check("ordered after only: left running", sup.services.reqafter.state == "ready", states("reqafter"))
sup.start("reqbase")
sup.wait_settled("reqbase", 5000)
sched.sleep(100)
check("a start brings back only what is named", states("reqbase", "reqmid", "reqtop")
	== "reqbase=ready reqmid=stopped reqtop=stopped", states("reqbase", "reqmid", "reqtop"))

-- privilege drop, seen by the service itself in /proc/self/status
sched.sleep(200)
local ring = table.concat(sup.services.nobody.ring, "\n")
check("uid", ring:match("Uid:%s+65534%s+65534%s+65534%s+65534"), ring:match("Uid:[^\n]*"))
check("gid", ring:match("Gid:%s+65534%s+65534%s+65534%s+65534"), ring:match("Gid:[^\n]*"))
check("nonewprivs", ring:match("NoNewPrivs:%s+1"))
-- a user's HOME, USER, LOGNAME and SHELL, as systemd's User= gives them
local pw = require("luainit.process").getpwnam("nobody")
check("user env", ring:find(string.format("USER=nobody LOGNAME=nobody HOME=%s SHELL=%s", pw.home, pw.shell), 1, true),
	ring:match("USER=[^\n]*"))
check("capbnd", ring:match("CapBnd:%s+0000000000000400"), ring:match("CapBnd:[^\n]*"))
local fds = table.concat(sup.services.fds.ring, " ")
check("only fds 0 1 2", fds == "0 1 2", fds)
local want_path = "PATH=" .. sup.path
local envset, envplain = table.concat(sup.services.envset.ring, " "), table.concat(sup.services.envplain.ring, " ")
check("env of its own", envset == "GREETING=hi PORT=8080 RATIO=0.1 " .. want_path, envset)
check("no env of its own: only PATH", envplain == "GREETING=unset " .. want_path, envplain)

-- a group that ignores SIGTERM and double-forked is gone after stop
local tough = sup.services.tough
sup.wait_settled("tough", 5000)
sched.sleep(300)
local before = #sup.cg_pids(tough)
sup.stop("tough")
sup.wait_settled("tough", 10000)
check("tough had a group", before >= 2, before)
check("tough stopped", tough.state == "stopped", tough.state)
check("tough group empty", #sup.cg_pids(tough) == 0, #sup.cg_pids(tough))

-- log rotation at the configured size
sup.wait_settled("chatty", 10000)
T.wait_until(function() return sup.services.chatty.state == "stopped" end, 2000)
check("log rotated", fs.exists(dir .. "/log/chatty.log.1") and fs.exists(dir .. "/log/chatty.log.2")
	and not fs.exists(dir .. "/log/chatty.log.3"))
check("ring bounded", #sup.services.chatty.ring == 50, #sup.services.chatty.ring)

-- shutdown's stop: in reverse dependency order, all down when it returns
sup.wait_settled("stoptop", 5000)
local flapper = sup.services.flapper
T.wait_until(function() return flapper.state == "backoff" end, 500, 10)
local flapped_at = flapper.started_at
sup.stop_all(10000)
local so = fs.readfile(dir .. "/stoporder") or ""
check("stop order", so == "top\nbase\n", so:gsub("\n", " "))
local up = {}
for name, svc in pairs(sup.services) do
	if svc.state == "starting" or svc.state == "ready" or svc.state == "stopping" then up[#up + 1] = name end
end
check("all down after stop_all", #up == 0, table.concat(up, " "))
-- PID 1 was at real-time priority while it stopped them, and is no more
local pol = fs.readfile(dir .. "/stoppolicy") or ""
local after = (fs.readfile("/proc/1/stat") or ""):match("%) (.*)$") or ""
local fields = {}
for w in after:gmatch("%S+") do fields[#fields + 1] = w end
check("stop_all at real-time priority", pol == "1\n", pol)
check("ordinary priority after stop_all", fields[39] == "0", fields[39])
sched.sleep(500)
check("no restart after stop_all", flapper.state == "stopped" and flapper.started_at == flapped_at,
	flapper.state .. " " .. tostring(flapper.why))
-- T.stop_services removes every group, also one not empty yet: a process
-- still in tough's group (it leaves in 0.3 s, as a task of a stopped
-- service on its way out does) made the one rmdir fail (EBUSY), which
-- left the group, and the run's own, on the host's hierarchy.
local process = require "luainit.process"
local late = process.spawn({ argv = { "/bin/sleep", "0.3" }, cgroup = tough.cgroup_path })
local busy = T.wait_until(function() return #sup.cg_pids(tough) == 1 end, 1000, 5)
T.stop_services()
check("no group left after stop_services", busy and not fs.exists(T.cgroup_root),
	tostring(late) .. " " .. tostring(busy) .. " " .. tostring(fs.exists(tough.cgroup_path)))
T.finish("SERVICES: done")
