-- 200 double-forked orphans that exit must leave no zombie behind.
local process = require "luainit.process"
local fs = require "luainit.fs"
local sched = require "sched"

for _ = 1, 200 do
	assert(process.spawn({ argv = { "/bin/sh", "-c", "sleep 0.2 & exit 0" } }))
end
-- the shells exit at once; their sleeps are reparented to PID 1
sched.wait_no_children(20000)
local zombies = 0
for _, p in ipairs(fs.readdir("/proc")) do
	local stat = p:match("^%d+$") and fs.readfile("/proc/" .. p .. "/stat")
	if stat and stat:match("%) Z ") then zombies = zombies + 1 end
end
print(string.format("ORPHANS: 200 spawned, zombies left %d, children left %s", zombies,
	tostring(process.has_children())))
require("shutdown").request("poweroff")
