-- Services that misbehave toward the readiness protocols and the state
-- machine, as real daemons do; each case a bug PID 1 had. PID 1 must
-- keep its state right, stay cheap, and answer afterwards.
local event = require "luainit.event"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-misbehave")

T.services({
	-- type fd: 8 MiB without a newline on its ready_fd, then the newline.
	-- PID 1 kept everything before the newline and copied it at each read:
	-- quadratic, 100 % of a CPU and a growing heap for as long as it wrote
	fdgarbage = [[return { type = "fd", ready_fd = 3, start_timeout = 10,
		command = { "/bin/sh", "-c", "head -c 8388608 /dev/zero >&3; echo >&3; exec sleep 1000" } }]],
})

local t0, ticks0 = event.now(), T.cpu_ticks(1)
sup.start_all()

local fdg = sup.services.fdgarbage
T.check("fd: ready after 8 MiB without a newline", sup.wait_settled("fdgarbage", 10000) == "ready", fdg.why)
local cpu_ms, wall_ms = (T.cpu_ticks(1) - ticks0) * 10, event.now() - t0
T.check("fd: PID 1 cpu below 50 % meanwhile", cpu_ms < wall_ms / 2 + 100, string.format("%.0f/%.0f ms", cpu_ms, wall_ms))

T.responsive("after the misbehaving services")
T.finish()
