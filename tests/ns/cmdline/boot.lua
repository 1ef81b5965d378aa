-- How PID 1 took the kernel command line (LUAINIT_CMDLINE, set by run):
-- prints one CMDLINE line of what it decided, then powers off.
local stage = require "stage"
local log = require "log"

local c = stage.cmdline
print(string.format("CMDLINE root=%s foo=%s debug=%s rescue=%s", tostring(c.root), tostring(c.foo),
	tostring(log.debug_enabled), tostring(stage.rescue_requested())))
require("shutdown").request("poweroff")
