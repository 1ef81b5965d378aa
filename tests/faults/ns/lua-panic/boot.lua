-- An error outside every protected call (a Lua "panic"): the reaper's
-- lookup of its hook raises. PID 1 must not abort (the kernel would panic
-- with it): it logs, drops Lua and goes on reaping with a shell on the
-- console. The boot reaches the panic through the hooks table's
-- metatable, which nothing but a test would touch.
local process = require "luainit.process"
local hooks = debug.getregistry()["luainit.hooks"]
hooks.child = nil
setmetatable(hooks, { __index = function(_, k) error("test panic on hook " .. tostring(k)) end })
print("FAULT TEST: panic armed")
-- children still running when Lua is gone: the C reaper must reap them
for i = 1, 3 do process.spawn({ argv = { "/bin/sh", "-c", "sleep " .. i } }) end
process.spawn({ argv = { "/bin/true" } })
