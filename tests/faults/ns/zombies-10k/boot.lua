-- 10,000 orphaned zombies reparented to PID 1 at once (a parent forks them,
-- they exit, the parent exits without waiting) are all reaped, and PID 1's
-- resident memory does not grow with them (VmRSS before/after, generous
-- bound).
local process = require "luainit.process"
local sched = require "sched"
local T = require "nstest"

local maker = [[
import os, sys
n = int(sys.argv[1])
for i in range(n):
    if os.fork() == 0:
        os._exit(0)
os._exit(0)
]]
local function orphans(n)
	local pid = assert(process.spawn({ argv = { "python3", "-c", maker, tostring(n) } }))
	sched.wait_child(pid, 120000)
	-- the exited children are PID 1's now; the reaper takes them
	return sched.wait_no_children(120000)
end

orphans(1000) -- warm up: the loop, the hooks and the allocator at steady state
collectgarbage()
local rss0 = T.status_kb("VmRSS")
local ok = orphans(10000)
collectgarbage()
local rss1 = T.status_kb("VmRSS")
print(string.format("ZOMBIES: VmRSS %d kB before, %d kB after 10000 orphans", rss0, rss1))
T.check("all reaped", ok and not process.has_children() and T.zombies() == 0, T.zombies())
T.check("VmRSS bounded", rss1 - rss0 < 4096, (rss1 - rss0) .. " kB growth")
T.responsive("after 10000 zombies")
T.finish()
