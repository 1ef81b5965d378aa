-- How PID 1 took the kernel command line (LUAINIT_CMDLINE, set by run):
-- prints one CMDLINE line of what it decided, whether the console is
-- quiet, a line of each kind through log, and one MODE line, then
-- powers off. A PID 1 that takes itself for the machine's init here (a
-- bug: run expects a container's) must not go the machine's way down,
-- which unmounts everything and remounts / read-only: in a namespace
-- that is the host's /. reboot(2) at once ends PID 1 of a PID namespace
-- instead, with nothing unmounted.
local event = require "luainit.event"
local sys = require "luainit.sys"
local stage = require "stage"
local log = require "log"

local c = stage.cmdline
print(string.format("CMDLINE root=%s foo=%s debug=%s rescue=%s", tostring(c.root), tostring(c.foo),
	tostring(log.debug_enabled), tostring(stage.rescue_requested())))
-- what the console shows of each kind of line (quiet keeps status lines off)
print("QUIET " .. tostring(log.quiet))
log.ok("a status line")
log.info("an info line")
log.warn("a warning line")
log.failed("a step", "a failure line")
log.notice("a notice line")
print("MODE " .. event.mode())
if event.mode() ~= "container" then
	io.stdout:flush()
	sys.reboot("poweroff")
end
require("shutdown").request("poweroff")
