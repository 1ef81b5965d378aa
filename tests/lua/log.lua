-- tests/lua/log.lua: PID 1's log ring.
local log = require "log"

local T = {}

T["the ring keeps the most recent lines, oldest first"] = function()
	local saved = log.console
	log.console = assert(io.open("/dev/null", "w"))
	for i = 1, 600 do log.info("ring line %d", i) end
	log.console:close()
	log.console = saved
	local r = log.ring(3)
	assert(#r == 3)
	assert(r[1] == "ring line 598" and r[3] == "ring line 600", r[1])
	assert(#log.ring() == 512)
end

return T
