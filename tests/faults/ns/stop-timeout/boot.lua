-- A service that ignores SIGTERM is killed after its stop timeout, both at
-- `stop` and at shutdown (the supervisor's shutdown hook).
local sched = require "sched"
local sup = require "supervisor"
local shutdown = require "shutdown"
local T = require "nstest"
T.setup("/tmp/luainit-fault-stop")

local stubborn = 'return { stop_timeout = 0.5, command = { "/bin/sh", "-c", "trap \\"\\" TERM; while :; do sleep 0.1; done" } }'
-- a helper of deaf3's, stopped (SIGSTOP), gets its TERM too: the stop's
-- SIGCONT went to the main process only, and the helper, holding its
-- TERM, waited for the KILL at stop_timeout
local helper = T.dir .. "/helper.sh"
require("luainit.fs").writefile(helper, "trap 'echo helper-term >> " .. T.dir .. "/helper; exit 0' TERM\n"
	.. "kill -STOP $$\nwhile :; do sleep 0.1; done\n")
local deaf3 = string.format('return { stop_timeout = 2, command = { "/bin/sh", "-c", %q } }',
	"/bin/sh " .. helper .. " & trap '' TERM; while :; do sleep 0.1; done")
T.services({ deaf1 = stubborn, deaf2 = stubborn, deaf3 = deaf3 })
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
sup.wait_settled("deaf3", 10000)
sched.sleep(300) -- (the helper has stopped itself)
sup.stop("deaf3")
sup.wait_settled("deaf3", 10000)
local got = require("luainit.fs").readfile(T.dir .. "/helper") or ""
T.check("deaf3's stopped helper had its TERM", got == "helper-term\n", got)
-- now the way down: deaf2 is still running and ignores TERM
shutdown.hook(function()
	T.stop_services()
	local deaf2 = sup.services.deaf2
	T.check("deaf2 stopped at shutdown", deaf2.state == "stopped", deaf2.last_exit and deaf2.last_exit.code)
	return "stopped services"
end)
print("FAULT TEST: done")
shutdown.request("poweroff")
