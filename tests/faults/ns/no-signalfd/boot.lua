-- PID 1 without a signalfd (refused by a seccomp filter: see run). Nothing
-- wakes the loop for a child's exit or a signal, so it waits at most a
-- second at a time and then takes the pending signals and reaps: a child's
-- exit still reaches Lua (sched.wait_child), orphans are reaped, and a
-- shutdown signal still shuts down.
local process = require "luainit.process"
local sched = require "sched"
local T = require "nstest"
T.setup("/tmp/luainit-fault-no-signalfd")

-- no timer of the boot's own running meanwhile: only the poll can wake PID 1
local t0 = require("luainit.event").now()
local pid = assert(process.spawn({ argv = { "/bin/sh", "-c", "sleep 0.2; exit 7" } }))
local how, code = sched.wait_child(pid)
local took = require("luainit.event").now() - t0
T.check("child exit reaches Lua", how == "exited" and code == 7, tostring(how) .. " " .. tostring(code))
T.check("within the poll interval", took < 3000, string.format("%.0f ms", took))

-- orphans: a shell that leaves three children behind, reparented to PID 1
process.spawn({ argv = { "/bin/sh", "-c", "sleep 0.1 & sleep 0.2 & sleep 0.3 & exit 0" } })
sched.sleep(2500)
T.check("orphans reaped", T.zombies() == 0 and not process.has_children(), T.zombies())
T.responsive("without a signalfd")
print("FAULT TEST: done")
-- a shutdown signal to PID 1 itself: taken from the blocked set
process.kill(1, "USR2")
