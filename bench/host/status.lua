-- bench/host/status.lua: a boot file for build/luainit as PID 1 of a PID
-- namespace: 20 services (pause) and the control socket at
-- $BENCH_CONTROL, for the `luactl status` round-trip benchmark (the host
-- side runs the client; bench/host.py). Prints "STATUS ready".
local services = require "services"
local sup = require "supervisor"
local control = require "control"

local pause = assert(os.getenv("BENCH_PAUSE"))
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$")
dofile(here .. "/_setup.lua")
local set = {}
for i = 1, 20 do
	local name = string.format("svc%02d", i)
	set[name] = assert(services.check(name, { command = { pause, tostring(i) }, log = { file = false } }, name .. ".lua"))
end
sup.add(set)
sup.start_all()
dofile(here .. "/_cleanup.lua")
assert(control.listen(assert(os.getenv("BENCH_CONTROL"))))
print("STATUS ready")
