-- tests/lib.lua: shared by the namespace tests' boot files (tests/ns, tests/faults/ns)
-- (dofile'd): a private tmpfs, a cgroup2 for services, CHECK lines, and the
-- proof that PID 1 is still alive and responsive after a fault.
local fs = require "luainit.fs"
local process = require "luainit.process"
local sched = require "sched"
local sup = require "supervisor"

local T = {}

--- A tmpfs at dir (private to this mount namespace) and supervisor paths in it.
function T.setup(dir)
	T.dir = dir
	fs.mkdirp(dir)
	assert(fs.mount("tmpfs", dir, "tmpfs", nil, "mode=1777"))
	local cg = fs.statfs("/sys/fs/cgroup")
	if not cg or cg.type ~= "cgroup2" then fs.mount("cgroup2", "/sys/fs/cgroup", "cgroup2") end
	sup.cgroup_root = "/sys/fs/cgroup/luainit-fault-" .. process.getpid() .. "-" .. math.random(1e6)
	sup.notify_path = dir .. "/notify"
	sup.log_dir = dir .. "/log"
	T.control = dir .. "/control"
	assert(require("control").listen(T.control))
end

function T.check(name, cond, detail)
	print(string.format("CHECK %s %s%s", name, cond and "ok" or "FAILED",
		detail ~= nil and (" (" .. tostring(detail) .. ")") or ""))
end

--- PID 1 is alive and responsive: this task still runs, a child it
-- spawns is started and reaped, and `luactl status` gets an answer over
-- the control socket.
function T.responsive(what)
	local pid = process.spawn({ argv = { "/bin/sh", "-c", "exit 3" } })
	local how, code = sched.wait_child(pid, 10000)
	T.check("responsive " .. what, how == "exited" and code == 3, tostring(how) .. " " .. tostring(code))
	if T.control then
		local out = T.dir .. "/luactl.out"
		pid = process.spawn({ path = "/proc/self/exe", argv = { "luactl", "status" },
			env = { "LUAINIT_CONTROL=" .. T.control }, stdout = { file = out }, stderr = "stdout" })
		how, code = sched.wait_child(pid, 10000)
		local text = fs.readfile(out) or ""
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

function T.zombies()
	local n = 0
	for _, p in ipairs(fs.readdir("/proc") or {}) do
		local st = p:match("^%d+$") and fs.readfile("/proc/" .. p .. "/stat")
		if st and st:match("%) Z ") then n = n + 1 end
	end
	return n
end

--- Load service definitions written as {name = "lua source"} into dir.
function T.services(defs)
	local services = require "services"
	local d = T.dir .. "/svc"
	fs.mkdirp(d)
	for name, src in pairs(defs) do assert(fs.writefile(d .. "/" .. name .. ".lua", src)) end
	local set, errs = services.load_dir(d)
	sup.add(set)
	return set, errs
end

function T.finish()
	sup.stop_all(10000)
	for _, svc in pairs(sup.services) do if svc.cgroup_path then fs.rmdir(svc.cgroup_path) end end
	fs.rmdir(sup.cgroup_root)
	print("FAULT TEST: done")
	require("shutdown").request("poweroff")
end

return T
