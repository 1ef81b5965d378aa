-- A service that ignores SIGTERM is killed after its stop timeout, both at
-- `stop` and at shutdown (the supervisor's shutdown hook).
local sched = require "sched"
local sup = require "supervisor"
local shutdown = require "shutdown"
local T = require "nstest"
T.setup("/tmp/luainit-fault-stop")

local stubborn = 'return { stop_timeout = 0.5, command = { "/bin/sh", "-c", "trap \\"\\" TERM; while :; do sleep 0.1; done" } }'
T.services({ deaf1 = stubborn, deaf2 = stubborn })
sup.start_all()
sup.wait_settled("deaf1", 10000)
sup.wait_settled("deaf2", 10000)
sched.sleep(300) -- the shells have set their traps
sup.stop("deaf1")
T.check("deaf1 stopping", sup.services.deaf1.state == "stopping")
sup.wait_settled("deaf1", 10000)
T.check("deaf1 stopped after its timeout", sup.services.deaf1.state == "stopped", sup.services.deaf1.state)
T.check("deaf1 killed", sup.services.deaf1.last_exit and sup.services.deaf1.last_exit.code == "KILL",
	sup.services.deaf1.last_exit and sup.services.deaf1.last_exit.code)
T.responsive("after stop timeout")
-- now the way down: deaf2 is still running and ignores TERM
shutdown.hook(function()
	T.stop_services()
	local deaf2 = sup.services.deaf2
	T.check("deaf2 stopped at shutdown", deaf2.state == "stopped", deaf2.last_exit and deaf2.last_exit.code)
	return "stopped services"
end)
print("FAULT TEST: done")
shutdown.request("poweroff")
