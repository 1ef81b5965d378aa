-- bench/host/zombies.lua: a boot file for build/luainit as PID 1 of a PID
-- namespace. A shell starts N pause processes in the background and exits,
-- so they are orphans reparented to PID 1; then PID 1 kills them all at
-- once (kill(-1, KILL)) and the figure is the time from that kill to
-- has_children() false: N zombies reaped by the C reaper, each exit told
-- to Lua's child hook. Prints "ZOMBIES n ms".
local event = require "luainit.event"
local process = require "luainit.process"
local sched = require "sched"

local n = tonumber(os.getenv("BENCH_ZOMBIES")) or 10000
local pause = assert(os.getenv("BENCH_PAUSE"))
local script = string.format("i=0; while [ $i -lt %d ]; do %s & i=$((i+1)); done", n, pause)
local pid = assert(process.spawn({ argv = { "/bin/busybox", "sh", "-c", script } }))
sched.wait_child(pid)
local alive = 0
for _ = 1, 600 do -- the shell is gone; wait until every orphan has exec'ed
	alive = 0
	for _, p in ipairs(require("luainit.fs").readdir("/proc")) do
		if p:match("^%d+$") and p ~= "1" then alive = alive + 1 end
	end
	if alive >= n then break end
	sched.sleep(50)
end
local t0 = event.now()
process.kill(-1, "KILL")
sched.wait_no_children(120000)
local ms = event.now() - t0
print(string.format("ZOMBIES %d %.1f %s", alive, ms, tostring(process.has_children())))
require("shutdown").request("poweroff")
