-- The C core looks up the child hook for every reaped child and the signal
-- hook for every signal, and pushes their arguments. That lookup raises
-- here (a metatable on the hooks table, which nothing but a test would
-- touch); it ran outside the protected call once, and the error was a Lua
-- "panic" that cost PID 1 its Lua state. Now every call into Lua does all
-- of its Lua work inside the protected call: the error is logged, the
-- children are still reaped (reaping never depends on Lua), and Lua goes on.
local process = require "luainit.process"
local sched = require "sched"
local T = require "nstest"
T.setup("/tmp/luainit-fault-hook-errors")

local hooks = debug.getregistry()["luainit.hooks"]
local child, signal = hooks.child, hooks.signal
hooks.child, hooks.signal = nil, nil
setmetatable(hooks, { __index = function(_, k) error("test error on hook " .. tostring(k)) end })
print("FAULT TEST: hook lookups raise")
for i = 1, 3 do process.spawn({ argv = { "/bin/sh", "-c", "sleep 0." .. i } }) end
process.spawn({ argv = { "/bin/true" } })
process.kill(1, "HUP")
sched.sleep(1500)   -- a timer: the loop and its callbacks still run
T.check("children reaped without their hook", T.zombies() == 0 and not process.has_children(),
	T.zombies())
setmetatable(hooks, nil)
hooks.child, hooks.signal = child, signal
T.responsive("after hook lookup errors")
T.finish()
