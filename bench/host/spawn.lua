-- bench/host/spawn.lua: spawn-and-reap throughput, in script mode
-- (build/luainit --lua). N times: process.spawn /bin/true (the service
-- spawner: clone with the child's fd and signal set-up) and wait for its exit
-- through the C reaper and sched.wait_child; one at a time, so each figure
-- is a full start-to-reaped round trip. Prints "SPAWN n ms rate". (The
-- waits carry a timeout: it registers the timerfd, and script mode leaves
-- the loop when nothing but the signalfd is registered.)
local event = require "luainit.event"
local process = require "luainit.process"
local sched = require "sched"

local n = tonumber(arg[1]) or 2000
local argv = { arg[2] or "/bin/true" }
sched.main(function()
	for _ = 1, 50 do sched.wait_child(assert(process.spawn({ argv = argv })), 60000) end -- warm-up
	local t0 = event.now()
	for _ = 1, n do
		local pid = assert(process.spawn({ argv = argv, stdin = "null", stdout = "null", stderr = "null" }))
		sched.wait_child(pid, 60000)
	end
	local ms = event.now() - t0
	print(string.format("SPAWN %d %.1f %.0f", n, ms, n / ms * 1000))
	return 0
end)
