-- Services that misbehave toward the readiness protocols and the state
-- machine, as real daemons do; each case a bug PID 1 had. PID 1 must
-- keep its state right, stay cheap, and answer afterwards.
local event = require "luainit.event"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-misbehave")
local function py(src) return ("{ \"/usr/bin/python3\", \"-c\", %q }"):format(src) end
local NOTIFY = [[
import os, socket, time
addr = os.environ["NOTIFY_SOCKET"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def send(m): s.sendto(m.encode(), addr)
]]

T.services({
	-- type fd: 8 MiB without a newline on its ready_fd, then the newline.
	-- PID 1 kept everything before the newline and copied it at each read:
	-- quadratic, 100 % of a CPU and a growing heap for as long as it wrote
	fdgarbage = [[return { type = "fd", ready_fd = 3, start_timeout = 10,
		command = { "/bin/sh", "-c", "head -c 8388608 /dev/zero >&3; echo >&3; exec sleep 1000" } }]],
	-- EXTEND_TIMEOUT_USEC may only lengthen the start (systemd): 1 ms,
	-- 0 and a negative or infinite value made the start time out at once
	-- ("not ready within 10 s" after 1 ms)
	extendshort = ([[return { type = "notify", start_timeout = 10, command = %s }]]):format(py(NOTIFY .. [[
for v in ("1000", "0", "-5000000", "1e400", "0x10", " 7"): send("EXTEND_TIMEOUT_USEC=" + v)
time.sleep(1.5)
send("READY=1")
time.sleep(1000)
]])),
	-- and a longer one does lengthen it: ready after 2.5 s of a 1 s timeout
	extendlong = ([[return { type = "notify", start_timeout = 1, command = %s }]]):format(py(NOTIFY .. [[
send("EXTEND_TIMEOUT_USEC=3000000")
time.sleep(2.5)
send("READY=1")
time.sleep(1000)
]])),
	-- takes 1 s to stop: a start, then a stop, while it stops
	slowstop = [[return { stop_timeout = 5, command = { "/bin/sh", "-c", "trap 'sleep 1; exit 0' TERM; while :; do sleep 0.1; done" } }]],
})

local t0, ticks0 = event.now(), T.cpu_ticks(1)
sup.start_all()

local fdg = sup.services.fdgarbage
T.check("fd: ready after 8 MiB without a newline", sup.wait_settled("fdgarbage", 10000) == "ready", fdg.why)
local cpu_ms, wall_ms = (T.cpu_ticks(1) - ticks0) * 10, event.now() - t0
T.check("fd: PID 1 cpu below 50 % meanwhile", cpu_ms < wall_ms / 2 + 100, string.format("%.0f/%.0f ms", cpu_ms, wall_ms))

T.check("notify: a short EXTEND_TIMEOUT_USEC does not shorten the start",
	sup.wait_settled("extendshort", 10000) == "ready", sup.services.extendshort.why)
T.check("notify: a long EXTEND_TIMEOUT_USEC lengthens the start",
	sup.wait_settled("extendlong", 10000) == "ready", sup.services.extendlong.why)

-- the last word is the stop: it was ignored while stopping, and the
-- start asked for before it restarted the service
sup.wait_settled("slowstop", 5000)
sched.sleep(300) -- its trap is set
sup.stop("slowstop")
sched.sleep(100)
sup.start("slowstop")
sched.sleep(100)
sup.stop("slowstop")
T.check("stop, start, stop while stopping: stopped", sup.wait_settled("slowstop", 10000) == "stopped"
	and sup.services.slowstop.pid == nil, sup.services.slowstop.why)
sched.sleep(300)
T.check("stop, start, stop while stopping: not restarted", sup.services.slowstop.state == "stopped", sup.services.slowstop.why)

T.responsive("after the misbehaving services")
T.finish()
