-- bench/host/instrs.lua: a boot file for build/luainit as PID 1 of a PID
-- namespace, run under valgrind's callgrind by bench/host.py, which counts
-- every instruction PID 1 executes (C and Lua alike, the same count on
-- every run). It loads the definitions in BENCH_DIR through the compiled
-- cache BENCH_CACHE, as a machine's boot does, starts them all, waits until
-- all are ready, and powers off, which stops them (bench/host/_cleanup.lua).
-- host.py runs it with an empty BENCH_DIR and with N definitions: the
-- difference divided by N is what one service costs PID 1 from its load to
-- its reaping, its cgroup included. BENCH_SAVE=1 (a run outside valgrind)
-- writes the cache first.
local chunk = require "luainit.chunk"
local fs = require "luainit.fs"
local services = require "services"
local sup = require "supervisor"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$")
-- each service in a cgroup, as on a machine: cgroup2 in this mount
-- namespace if the host has it elsewhere (the groups are the host's)
local cg = fs.statfs("/sys/fs/cgroup")
if not cg or cg.type ~= "cgroup2" then fs.mount("cgroup2", "/sys/fs/cgroup", "cgroup2") end
dofile(here .. "/_setup.lua")
chunk.use(assert(os.getenv("BENCH_CACHE")))
local set, errs = services.load_dir(assert(os.getenv("BENCH_DIR")))
assert(#errs == 0, errs[1])
sup.add(set)
sup.start_all()
local n = 0
for name in pairs(set) do
	-- no polling: a poll's count would depend on the host's speed
	assert(sup.wait_settled(name, 60000) == "ready", name)
	n = n + 1
end
if os.getenv("BENCH_SAVE") then assert(chunk.save()) end
print(string.format("INSTRS %d", n))
dofile(here .. "/_cleanup.lua")
require("shutdown").request("poweroff")
