-- What a service or its definition may not do to PID 1: name PID 1, a
-- process group or a process outside its group as its main process
-- (MAINPID=); pass the checks with values the spawn binding refuses; start
-- while the machine shuts down.
local process = require "luainit.process"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-guards")

-- a process of no service: stopping `liar` must not reach it
local bystander = assert(process.spawn({ argv = { "/bin/sleep", "60" } }))

local set, errs = T.services({
	-- claims -1 (every process), 0 (its process group), 1 (PID 1), a
	-- fraction and a process outside its group as its main process
	liar = ([[return { type = "notify", stop_timeout = 2, command = { "/usr/bin/python3", "-c", %q } }]]):format(([[
import os, socket, time
addr = os.environ["NOTIFY_SOCKET"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for v in ("-1", "0", "1", "1.5", "BYSTANDER"):
    s.sendto(("MAINPID=" + v).encode(), addr)
s.sendto(b"READY=1", addr)
time.sleep(60)
]]):gsub("BYSTANDER", tostring(bystander))),
	-- a real hand-over: the main process names the child it forked
	handover = ([[return { type = "notify", command = { "/usr/bin/python3", "-c", %q } }]]):format([[
import os, socket, time
addr = os.environ["NOTIFY_SOCKET"]
child = os.fork()
if child == 0:
    time.sleep(60)
    os._exit(0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(("MAINPID=%d\nREADY=1" % child).encode(), addr)
print("child", child, flush=True)
time.sleep(60)
]]),
	-- out of range: refused when the definition is checked
	badnice = [[return { nice = 20, command = { "/bin/true" } }]],
	badumask = [[return { umask = 4096, command = { "/bin/true" } }]],
	-- an unknown capability: refused at load, as spawn would refuse it
	badcap = [[return { capabilities = { "CAP_NO_SUCH_THING" }, command = { "/bin/sleep", "60" } }]],
	-- passes the checks, refused by the spawn binding: a failed start
	baduser = [[return { user = "no-such-user-luainit", command = { "/bin/sleep", "60" } }]],
	-- starts after baduser in name order: still started
	good = [[return { command = { "/bin/sleep", "60" } }]],
})
local function has(pat) for _, e in ipairs(errs) do if e:find(pat) then return e end end end
T.check("nice 20 refused", has("badnice.lua.*nice.*%-20 to 19") ~= nil, has("badnice"))
T.check("umask 4096 refused", has("badumask.lua.*umask") ~= nil, has("badumask"))
T.check("an unknown capability refused", has("badcap.lua.*capabilities%[1%].*CAP_NO_SUCH_THING") ~= nil, has("badcap"))
T.check("the others loaded", set.liar ~= nil and set.baduser ~= nil and set.good ~= nil)

sup.start_all()
sup.wait_settled("liar", 10000)
sup.wait_settled("good", 10000)
local liar = sup.services.liar
T.check("liar ready", liar.state == "ready", liar.state)
sched.sleep(200) -- the MAINPID lines came before READY=1; let the log settle
T.check("liar's main process is still its own", liar.pid and liar.pid > 1 and liar.pid ~= bystander, liar.pid)
sup.wait_settled("handover", 10000)
local ho = sup.services.handover
sched.sleep(200)
local child = tonumber(table.concat(ho.ring, "\n"):match("child (%d+)"))
T.check("MAINPID of a process in the group taken", ho.state == "ready" and child ~= nil and ho.pid == child,
	tostring(ho.pid) .. " " .. tostring(child))
T.check("baduser failed, not raised", sup.services.baduser.state == "failed", sup.services.baduser.why)
T.check("good started", sup.services.good.state == "ready", sup.services.good.state)

sup.stop("liar")
sup.wait_settled("liar", 10000)
T.check("liar stopped", liar.state == "stopped", liar.state)
T.check("the bystander lives", process.kill(bystander, 0) == true)
T.responsive("after the liar")

-- no start once a shutdown is under way
local sd = require "shutdown"
sd.in_progress = "test"
local ok, why = sup.start("liar")
sd.in_progress = false
T.check("no start while shutting down", ok == nil and why:find("shutting down") ~= nil, why)
T.check("liar still stopped", liar.state == "stopped", liar.state)

process.kill(bystander, "KILL")
sched.wait_child(bystander, 5000)
T.finish()
