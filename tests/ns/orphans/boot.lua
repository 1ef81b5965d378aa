-- 200 double-forked orphans that exit must leave no zombie behind.
local process = require "luainit.process"
local sched = require "sched"
local T = require "nstest"

for _ = 1, 200 do
	assert(process.spawn({ argv = { "/bin/sh", "-c", "sleep 0.2 & exit 0" } }))
end
-- the shells exit at once; their sleeps are reparented to PID 1
sched.wait_no_children(20000)
print(string.format("ORPHANS: 200 spawned, zombies left %d, children left %s", T.zombies(),
	tostring(process.has_children())))
require("shutdown").request("poweroff")
