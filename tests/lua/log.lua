-- tests/lua/log.lua: PID 1's log ring, and the wording of a file's error.
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

T["a file's error names the file once"] = function()
	local W = " (raised while the returned table was checked)"
	for _, c in ipairs({
		{ "/e/a.lua:3: boom", "/e/a.lua:3: boom" },
		{ "boom", "/e/a.lua: boom" },
		{ "/e/a.luax: boom", "/e/a.lua: /e/a.luax: boom" },
		{ setmetatable({}, { __tostring = function() return "obj" end }), "/e/a.lua: obj" },
		{ setmetatable({}, { __tostring = function() error("no") end }), "/e/a.lua: a table error value" },
		{ setmetatable({}, { __tostring = function() return {} end }), "/e/a.lua: a table error value" },
		{ nil, "/e/a.lua: nil" },
	}) do
		assert(log.file_error("/e/a.lua", c[1]) == c[2], log.file_error("/e/a.lua", c[1]))
		assert(log.file_error("/e/a.lua", c[1], true) == c[2] .. W)
	end
end

return T
