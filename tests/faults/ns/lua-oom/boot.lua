-- Lua out of memory: with the heap capped (event.memory), a timer callback
-- and a task that allocate without bound each get a memory error, contained
-- to them; the emergency collection gives the memory back, and PID 1 goes on
-- (it runs the next step, spawns and reaps, allocates normally).
local event = require "luainit.event"
local sched = require "sched"
local T = require "nstest"

collectgarbage()
local used0, cap0 = event.memory()
-- 16 MiB above what is in use now
event.memory(used0 + 16 * 1048576)
print(string.format("OOM: used %d KiB, cap %d KiB", used0 // 1024, (used0 + 16 * 1048576) // 1024))

local function hog()
	local t = {}
	for i = 1, math.huge do t[i] = string.rep("x", 1000) .. i end
end

local fired = false
local tm = event.timer(function() fired = true hog() end)
tm:arm(0)
sched.sleep(100)
tm:close()
T.check("timer handler ran", fired)

local task_done = false
sched.spawn(function() hog() task_done = true end, "hog-task")
sched.sleep(100)
T.check("task stopped by the memory error", not task_done)

-- a protected request in this task: the error is a value here
local ok, err = pcall(hog)
T.check("pcall sees the memory error", not ok and tostring(err):match("not enough memory"), err)

collectgarbage()
local used1 = event.memory()
T.check("memory given back", used1 < used0 + 4 * 1048576, string.format("%d KiB", used1 // 1024))
local big = {}
for i = 1, 1000 do big[i] = string.rep("y", 100) .. i end
T.check("normal allocation works", #big == 1000)
big = nil
event.memory(cap0)
T.responsive("after out-of-memory")
T.finish()
