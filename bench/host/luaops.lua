-- bench/host/luaops.lua: a boot file for build/luainit as PID 1 of a PID
-- namespace. Counts the Lua VM instructions the supervisor runs per
-- service, a figure that does not move with the host's speed (under
-- emulation each costs ~1 us): N definition files written to a directory
-- and loaded by services.load_dir, started by start_all (until all are
-- ready) and stopped by stop_all. A count hook on every coroutine,
-- the loop's callbacks included, counts each instruction.
-- Prints "LUAOPS n load start stop" (instructions per service).
local fs = require "luainit.fs"
local sched = require "sched"
local services = require "services"
local sup = require "supervisor"

local n = tonumber(os.getenv("BENCH_SERVICES")) or 200
local pause = assert(os.getenv("BENCH_PAUSE"))
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$")
local tag = dofile(here .. "/_setup.lua")
local dir = "/tmp/luainit-bench-" .. tag .. ".svc"
fs.mkdirp(dir)
for i = 1, n do
	fs.writefile(string.format("%s/svc%04d.lua", dir, i), string.format(
		'return { command = { %q, "%d" }, restart = "always", log = { file = false } }\n', pause, i))
end

local count = 0
local function hook() count = count + 1 end
local counting = false
local create = coroutine.create
coroutine.create = function(f)
	local co = create(f)
	if counting then debug.sethook(co, hook, "", 1) end
	return co
end
local main = debug.getregistry()[1] -- LUA_RIDX_MAINTHREAD: the loop's callbacks run there
local function measure(fn)
	count, counting = 0, true
	debug.sethook(hook, "", 1)
	debug.sethook(main, hook, "", 1)
	fn()
	debug.sethook()
	debug.sethook(main)
	counting = false
	return count
end

local set
local load = measure(function() set = services.load_dir(dir) end)
sup.add(set)
local start = measure(function()
	sup.start_all()
	for _ = 1, 600 do
		local up = 0
		for _, svc in pairs(sup.services) do if svc.state == "ready" then up = up + 1 end end
		if up == n then break end
		sched.sleep(50)
	end
end)
sched.sleep(200)
local stop = measure(function() sup.stop_all(20000) end)
print(string.format("LUAOPS %d %.0f %.0f %.0f", n, load / n, start / n, stop / n))
for i = 1, n do fs.unlink(string.format("%s/svc%04d.lua", dir, i)) end
fs.rmdir(dir)
dofile(here .. "/_cleanup.lua")
require("shutdown").request("poweroff")
