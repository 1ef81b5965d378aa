-- tests/lua/event.lua: luainit.event's arguments (the loop itself is
-- exercised by sched.lua and every test that waits).
local event = require "luainit.event"
local fs = require "luainit.fs"
local process = require "luainit.process"

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

-- watch and spawn read a descriptor with two copies: watch refused a
-- plain table with a fileno method, which spawn took, and cast 2^32 + 3
-- to descriptor 3; spawn said "bad descriptor" for -1 and for a fileno
-- that returned a string. One rule (lx_tofd) now, in the same words after
-- the argument or the field.
T["watch and spawn take a descriptor by one rule, and say the same"] = function()
	local r, w = assert(fs.pipe())
	local plain = { fileno = function() return r:fileno() end }
	local float = setmetatable({}, { __index = { fileno = function() return r:fileno() + 0.0 end } })
	for _, v in ipairs({ plain, float }) do
		local wt = assert(event.watch(v, "r", function() end))
		wt:close()
		local pid = assert(process.spawn({ argv = { "/bin/true" }, stdin = v, fds = { [3] = v } }))
		process.wait(pid)
	end
	for _, c in ipairs({
		{ -1, "descriptor -1 out of range 0..2147483647" },
		{ (1 << 32) + r:fileno(), "descriptor " .. (1 << 32) + r:fileno() .. " out of range 0..2147483647" },
		{ 1.5, "descriptor number expected, got non-integer number 1.5" },
		{ 2^63, "descriptor number expected, got number 9.223372036854776e+18 out of integer range" },
		{ true, "descriptor number or object with fileno expected, got boolean" },
		{ {}, "descriptor number or object with fileno expected, got table" },
		{ io.stdout, "object has no fileno method" },
		{ { fileno = function() return -1 end }, "descriptor -1 out of range 0..2147483647" },
		{ { fileno = function() return "3" end }, "fileno returned string, not a descriptor number" },
		{ { fileno = function() return 3.5 end }, "fileno returned non-integer number 3.5, not a descriptor number" },
	}) do
		local ok, err = pcall(event.watch, c[1], "r", function() end)
		assert(not ok and err:find("(" .. c[2] .. ")", 1, true), err)
		ok, err = pcall(process.spawn, { argv = { "/bin/true" }, stdout = c[1] })
		assert(not ok and err == "spawn: stdout: " .. c[2], err)
		ok, err = pcall(process.spawn, { argv = { "/bin/true" }, fds = { [4] = c[1] } })
		assert(not ok and err == "spawn: fds[4]: " .. c[2], err)
	end
	r:close()
	w:close()
end

return T
