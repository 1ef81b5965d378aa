-- Faults in Lua code PID 1 runs: a boot step, a timer callback, an fd
-- watch callback, a task, a child listener and a service definition that
-- raise (or do not load). Each is logged with a traceback, and the rest goes
-- on: later steps run, the good service starts, PID 1 still reaps.
local event = require "luainit.event"
local fs = require "luainit.fs"
local sched = require "sched"
local stage = require "stage"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-errors")

-- a boot step that raises: [FAILED] with its traceback, the boot goes on
stage.step("faulty step", function() error("boom in a boot step") end)
print("CHECK after the faulty step ok")

-- a timer callback that raises, once
local t = event.timer(function() error("boom in a timer callback") end)
t:arm(0)
-- an fd watch callback that raises: a pipe made readable
local r, w = fs.pipe()
local wt
wt = event.watch(r, "r", function() wt:close() error("boom in a watch callback") end)
w:write("x")
-- a task that raises
sched.spawn(function() sched.sleep(10) error("boom in a task") end, "faulty-task")
-- a child listener that raises (for every child; PID 1 still reaps)
sched.on_child(function() error("boom in a child listener") end)
sched.sleep(200)
t:close()

-- service definitions: one that raises, one that does not parse, one with
-- an unknown key, one that calls os.exit (which would end PID 1), one that
-- never ends (PID 1 ran it for ever), and a good one that must still start
local set, errs = T.services({
	raises = 'error("boom in a service definition")',
	syntax = 'return { command = { "/bin/true" }',
	typo = 'return { comand = { "/bin/true" } }',
	quits = 'os.exit(0) return { command = { "/bin/true" } }',
	endless = 'while true do pcall(function() while true do end end) end',
	good = 'return { command = { "/bin/sh", "-c", "exec sleep 1000" } }',
})
for _, e in ipairs(errs) do print("SVCERR " .. e:gsub("\n", " | ")) end
sup.start_all()
T.check("good service ready", sup.wait_settled("good", 10000) == "ready", sup.services.good.state)
T.check("bad services left out", set.raises == nil and set.syntax == nil and set.typo == nil
	and set.quits == nil and set.endless == nil)
T.responsive("after errors")
T.finish()
