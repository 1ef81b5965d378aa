-- tests/nstest.lua: what the namespace tests' boot files (tests/ns,
-- tests/faults/ns) share. Every way the runners start PID 1 puts tests/ on
-- its package.path (PID1_ENV in tests/lib.sh sets LUAINIT_PATH), so a boot
-- file begins with `local T = require "nstest"`. It gives the test its own
-- directory, a private tmpfs, a cgroup2 and supervisor paths for services,
-- CHECK lines, the stop and cleanup at the end, and the proof that PID 1 is
-- still alive and responsive after a fault.
local event = require "luainit.event"
local fs = require "luainit.fs"
local process = require "luainit.process"
local sched = require "sched"
local sup = require "supervisor"

local T = {}

--- The boot file's directory (every runner names the file in
-- LUAINIT_BOOT): where the test keeps svc/ and its other files.
T.here = (os.getenv("LUAINIT_BOOT") or ""):match("^(.*)/[^/]+$")

--- A tmpfs at dir, private to this mount namespace; data is the mount's
-- options. Returns dir.
-- tmpfs : (dir, data?) -> dir
function T.tmpfs(dir, data)
	fs.mkdirp(dir)
	assert(fs.mount("tmpfs", dir, "tmpfs", nil, data))
	return dir
end

--- cgroup2 at /sys/fs/cgroup when the namespace has none there (it is the
-- host's hierarchy), and a group of this run's own for the services, name
-- (default: a fresh one), so another run's leftovers do not mix in.
-- T.stop_services removes it.
-- cgroups : (name?) -> true | (nil, string)
function T.cgroups(name)
	local cg = fs.statfs("/sys/fs/cgroup")
	local ok, err = true, nil
	if not cg or cg.type ~= "cgroup2" then ok, err = fs.mount("cgroup2", "/sys/fs/cgroup", "cgroup2") end
	name = name or ("luainit-fault-" .. process.getpid() .. "-" .. math.random(1e6))
	sup.cgroup_root = "/sys/fs/cgroup/" .. name
	T.cgroup_root = sup.cgroup_root
	return ok, err
end

--- The usual test machine: a tmpfs at dir (T.dir), a cgroup2 group of
-- its own, the supervisor's notify socket and logs in dir, and a control
-- socket at dir/control (T.control) for T.responsive.
-- setup : (dir) -> nil
function T.setup(dir)
	T.dir = T.tmpfs(dir, "mode=1777")
	T.cgroups()
	sup.notify_path = dir .. "/notify"
	sup.log_dir = dir .. "/log"
	T.control = dir .. "/control"
	assert(require("control").listen(T.control))
end

--- One line the expect file or run script looks for:
-- "CHECK name ok" or "CHECK name FAILED", with " (detail)" when given.
function T.check(name, cond, detail)
	print(string.format("CHECK %s %s%s", name, cond and "ok" or "FAILED",
		detail ~= nil and (" (" .. tostring(detail) .. ")") or ""))
end

--- The network tests' start (tests/ns/network-*): network.start with the
-- config at $NETTEST_CONF, then its wait for online for at most
-- online_ms; each result printed as "TAG: start ..." and "TAG: online ...".
-- start_network : (tag, online_ms) -> nil
function T.start_network(tag, online_ms)
	local network = require "network"
	local ok, res = network.start(os.getenv("NETTEST_CONF"))
	print(tag .. ": start " .. tostring(ok) .. " " .. tostring(res))
	print(tag .. ": online " .. tostring(network.wait_online(online_ms)))
end

--- Wait, for at most ms, until the run script creates
-- $NETTEST_WORK/NAME.stop, which says it is done.
-- wait_stop : (name, ms) -> nil
function T.wait_stop(name, ms)
	local stop = os.getenv("NETTEST_WORK") .. "/" .. name .. ".stop"
	T.wait_until(function() return fs.exists(stop) end, ms, 100)
end

--- Call fn every step_ms (default 50) until it returns a true value, for
-- at most ms; that value, or nil when the time ran out.
-- wait_until : (fn, ms, step_ms?) -> value | nil
function T.wait_until(fn, ms, step_ms)
	local deadline = event.now() + ms
	while true do
		local v = fn()
		if v then return v end
		if event.now() >= deadline then return nil end
		sched.sleep(step_ms or 50)
	end
end

--- Run `luactl ARGS...` against this PID 1's control socket and wait
-- for it (30 s at most); its exit code, its output (stdout and stderr)
-- and how it ended. From a task.
function T.luactl(...)
	local out = T.dir .. "/luactl.out"
	local pid = process.spawn({ path = "/proc/self/exe", argv = { "luactl", ... },
		env = { "LUAINIT_CONTROL=" .. T.control }, stdout = { file = out }, stderr = "stdout" })
	local how, code = sched.wait_child(pid, 30000)
	return code, fs.readfile(out) or "", how
end

--- PID 1 is alive and responsive: this task still runs, a child it
-- spawns is started and reaped, and `luactl status` gets an answer over
-- the control socket.
function T.responsive(what)
	local pid = process.spawn({ argv = { "/bin/sh", "-c", "exit 3" } })
	local how, code = sched.wait_child(pid, 10000)
	T.check("responsive " .. what, how == "exited" and code == 3, tostring(how) .. " " .. tostring(code))
	if T.control then
		local text
		code, text, how = T.luactl("status")
		T.check("luactl status answers, " .. what, how == "exited" and (code == 0 or code == 3)
			and (text:match("NAME") or text:match("no services")) ~= nil, tostring(code) .. " " .. text:sub(1, 60))
	end
end

--- A field of /proc/self/status in kB ("VmRSS", "VmHWM").
function T.status_kb(field)
	local s = fs.readfile("/proc/self/status") or ""
	return tonumber(s:match(field .. ":%s*(%d+)"))
end

--- utime + stime of a process in clock ticks (100 per second on Linux).
function T.cpu_ticks(pid)
	local s = fs.readfile("/proc/" .. (pid or "self") .. "/stat") or ""
	local rest = s:match("%) (.*)$") or ""
	local f = {}
	for w in rest:gmatch("%S+") do f[#f + 1] = w end
	-- after "(comm) ": state is field 3; utime 14, stime 15 (1-based)
	return tonumber(f[12]) + tonumber(f[13])
end

--- How many zombies the namespace holds.
function T.zombies()
	local n = 0
	for _, p in ipairs(fs.readdir("/proc") or {}) do
		local st = p:match("^%d+$") and fs.readfile("/proc/" .. p .. "/stat")
		if st and st:match("%) Z ") then n = n + 1 end
	end
	return n
end

--- The service definitions of dir (default: the test's svc/), added to
-- the supervisor; dir becomes services.dir, which `luactl reload` reads.
-- A definition that does not load is an "ERROR file: message" line.
-- load_services : (dir?) -> set, errors
function T.load_services(dir)
	local services = require "services"
	services.dir = dir or T.here .. "/svc"
	local set, errs = services.load_dir(services.dir)
	for _, e in ipairs(errs) do print("ERROR " .. e) end
	sup.add(set)
	return set, errs
end

--- Service definitions written as {name = "lua source"} into T.dir/svc,
-- loaded and added to the supervisor; the errors are the caller's to print.
-- services : (defs) -> set, errors
function T.services(defs)
	local services = require "services"
	local d = T.dir .. "/svc"
	fs.mkdirp(d)
	for name, src in pairs(defs) do assert(fs.writefile(d .. "/" .. name .. ".lua", src)) end
	local set, errs = services.load_dir(d)
	sup.add(set)
	return set, errs
end

--- Stop every service, as shutdown does, and remove their groups and the
-- run's own group (T.cgroups): they are on the host's cgroup2 hierarchy,
-- and outlive the namespace.
-- stop_services : () -> nil
function T.stop_services()
	sup.stop_all(10000)
	-- (svcgroup.remove retries while a group is busy: without
	-- cgroup_clone one may not be empty yet when the stop is over)
	local remove = require("svcgroup").remove
	for _, svc in pairs(sup.services) do if svc.cgroup_path then remove(svc.cgroup_path) end end
	if T.cgroup_root then remove(T.cgroup_root) end
end

--- The end of a test: stop the services (T.stop_services), print line
-- (default "FAULT TEST: done") and power off.
-- finish : (line?) -> nil
function T.finish(line)
	T.stop_services()
	print(line or "FAULT TEST: done")
	require("shutdown").request("poweroff")
end

return T
