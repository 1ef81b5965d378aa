-- bench/host/rss.lua: a boot file for build/luainit as PID 1 of a PID
-- namespace. Adds N generated service definitions (checked by
-- services.check, as files would be) to the supervisor and reports PID
-- 1's memory with all defined and stopped, then with all started (each
-- runs BENCH_PAUSE with its output pipe, log ring and cgroup, when cgroup v2
-- is writable). Rss is /proc/self/smaps_rollup's. Prints "RSS n stopped_kb
-- started_kb lua_kb started_count".
local fs = require "luainit.fs"
local sched = require "sched"
local services = require "services"
local sup = require "supervisor"

local n = tonumber(os.getenv("BENCH_SERVICES")) or 1000
local pause = assert(os.getenv("BENCH_PAUSE"))
local function rss()
	collectgarbage("collect")
	local s = fs.readfile("/proc/self/smaps_rollup") or ""
	return tonumber(s:match("\nRss:%s+(%d+)")) or -1
end
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$")
dofile(here .. "/_setup.lua")
local set = {}
for i = 1, n do
	local name = string.format("svc%04d", i)
	set[name] = assert(services.check(name, { command = { pause, tostring(i) }, log = { file = false },
		description = "generated service " .. i }, name .. ".lua"))
end
sup.add(set)
local stopped = rss()
sup.start_all()
local up = 0
for _ = 1, 600 do
	up = 0
	for _, svc in pairs(sup.services) do if svc.state == "ready" then up = up + 1 end end
	if up == n then break end
	sched.sleep(50)
end
sched.sleep(200)
local started = rss()
print(string.format("RSS %d %d %d %.0f %d", n, stopped, started, collectgarbage("count"), up))
dofile(here .. "/_cleanup.lua")
require("shutdown").request("poweroff")
