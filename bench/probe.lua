-- bench/probe.lua: the shared readiness probe, as a luainit service. It
-- starts after every other service, as the floor and BusyBox init (the
-- last ::respawn: line of bench/inittab) start it: polling /proc while
-- services start would slow the very starts it measures.
local fs = require "luainit.fs"

local after = {}
for _, n in ipairs(fs.readdir("/etc/luainit/services") or {}) do
	local name = n:match("^(.+)%.lua$")
	if name and name ~= "bench-probe" then after[#after + 1] = name end
end

return {
	description = "make bench readiness probe",
	command = { "/bench/probe" },
	restart = "never",
	log = { file = false },
	after = after,
}
