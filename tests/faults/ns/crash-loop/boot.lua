-- A crash-looping service (exits at once, restart = always, a crash limit
-- it never reaches) does not starve the others: a steady service starts and
-- stays ready, another service started during the loop becomes ready, and
-- PID 1 reaps and answers. PID 1's own CPU time (utime+stime from
-- /proc/1/stat) over the loop stays under half the time that passed: a
-- resource bound, not a timing assertion.
local event = require "luainit.event"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-crash")

T.services({
	looper = 'return { restart = "always", restart_delay = 0.02, restart_max_delay = 0.05, crash_limit = { 100000, 1 }, command = { "/bin/sh", "-c", "exit 1" } }',
	steady = 'return { command = { "/bin/sh", "-c", "exec sleep 1000" } }',
	late = 'return { enabled = false, command = { "/bin/sh", "-c", "exec sleep 1000" } }',
})
sup.start_all()
sched.sleep(200)
local ticks0, t0 = T.cpu_ticks(1), event.now()
local r0 = sup.services.looper.restarts
sched.sleep(1500)
sup.start("late")
T.check("late service ready during the loop", sup.wait_settled("late", 10000) == "ready", sup.services.late.state)
sched.sleep(1500)
T.responsive("during the crash loop")
local ticks1, t1 = T.cpu_ticks(1), event.now()
local restarts = sup.services.looper.restarts - r0
local cpu_ms, wall_ms = (ticks1 - ticks0) * 10, t1 - t0
print(string.format("CRASHLOOP: %d restarts, PID 1 cpu %.0f ms over %.0f ms", restarts, cpu_ms, wall_ms))
T.check("looper restarted many times", restarts >= 20, restarts)
T.check("PID 1 cpu below 50%", cpu_ms < wall_ms / 2, string.format("%.0f/%.0f ms", cpu_ms, wall_ms))
T.check("steady still ready", sup.services.steady.state == "ready", sup.services.steady.state)
T.finish()
