-- The way down has a deadline: a shutdown hook that waits for ever (here
-- a boot file's own, which sleeps) held the machine up for good. Past
-- shutdown.deadline_ms the shutdown is forced: every process killed,
-- sync, and down. A service keeps running until then.
local sched = require "sched"
local shutdown = require "shutdown"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-deadline")

T.services({ idle = 'return { command = { "/bin/sleep", "1000" } }' })
sup.start_all()
sup.wait_settled("idle", 10000)
shutdown.deadline_ms = 1500
shutdown.hook(function()
	print("FAULT TEST: a hook that never returns")
	sched.sleep(1e9)
end)
print("FAULT TEST: done")
shutdown.request("poweroff")
