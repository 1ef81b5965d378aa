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

T["quiet keeps status and info lines off the console, not off the ring"] = function()
	local saved, seen = log.console, {}
	log.console = { write = function(self, l) seen[#seen + 1] = l return self end, flush = function(self) return self end }
	log.quiet = true
	local ok, err = pcall(function()
		log.ok("q status", 3)
		log.info("q info")
		log.skipped("q skip")
		log.warn("q warn")
		log.err("q err")
		log.failed("q step", "q why")
		log.notice("q notice")
	end)
	log.quiet, log.console = false, saved
	assert(ok, err)
	assert(table.concat(seen) == "warning: q warn\nerror: q err\n[FAILED] q step: q why\nq notice\n", table.concat(seen))
	local r = log.ring(7)
	assert(r[1] == "[  OK  ] q status (3 ms)" and r[2] == "q info" and r[3] == "[ SKIP ] q skip", r[1])
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

-- regression: debug.traceback as the boot file's handler gave back a
-- value that is no string as it was, and log.failed's tostring of it
-- raised in the boot task (no rescue console) when its __tostring raised
T["traceback makes text of any error value, with the traceback"] = function()
	for _, c in ipairs({
		{ "boom", "^boom\nstack traceback:\n" },
		{ setmetatable({}, { __tostring = function() return "obj" end }), "^obj\nstack traceback:\n" },
		{ setmetatable({}, { __tostring = function() error("no") end }), "^a table error value\nstack traceback:\n" },
		{ nil, "^nil\nstack traceback:\n" },
		{ 42, "^42\nstack traceback:\n" },
	}) do
		local ok, m = xpcall(function() error(c[1], 0) end, log.traceback)
		assert(not ok and type(m) == "string" and m:find(c[2]), tostring(m))
		assert(m:find("in function 'error'", 1, true), m)
	end
end

return T
