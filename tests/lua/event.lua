-- tests/lua/event.lua: luainit.event's arguments (the loop itself is
-- exercised by sched.lua and every test that waits).
local event = require "luainit.event"
local fs = require "luainit.fs"

local T = {}

-- a fileno that returned no integer said "bad argument #-1"; an object
-- without one "attempt to call a nil value"
T["watch: a bad descriptor raises saying what is wrong"] = function()
	local r, w = assert(fs.pipe())
	local wt = assert(event.watch(r:fileno() + 0.0, "r", function() end))
	wt:close()
	wt = assert(event.watch(r, "r", function() end))
	wt:close()
	r:close()
	w:close()
	for _, c in ipairs({
		{ 1.5, "descriptor number expected, got non-integer number 1.5" },
		{ {}, "descriptor number or object with fileno expected, got table" },
		{ setmetatable({}, { __index = {} }), "object has no fileno method" },
		{ setmetatable({}, { __index = { fileno = function() return "3" end } }),
			"fileno returned string, not a descriptor number" },
	}) do
		local ok, err = pcall(event.watch, c[1], "r", function() end)
		assert(not ok and err:find("(" .. c[2] .. ")", 1, true), err)
	end
end

return T
