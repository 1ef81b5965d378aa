-- bench/host/roundtrip.lua: the `status` request alone, without starting a
-- client process: one connection to $LUAINIT_CONTROL (luactl's own Conn),
-- 20 warm-up requests, then N (arg[1], default 500) timed from sending the
-- request to the decoded reply. Prints "ROUNDTRIP p50=MS p99=MS n=N".
local luactl = require "luactl"
local event = require "luainit.event"

local n = tonumber(arg[1]) or 500
local c = assert(luactl.connect())
local times = {}
for i = 1, n + 20 do
	local t0 = event.now()
	local r = assert(c:request("status", {}, {}))
	assert(r.ok, r.error)
	if i > 20 then times[#times + 1] = event.now() - t0 end
end
c:close()
table.sort(times)
print(string.format("ROUNDTRIP p50=%.3f p99=%.3f n=%d", times[(#times + 1) // 2], times[math.max(1, math.floor(#times * 0.99))], #times))
