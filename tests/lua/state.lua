-- tests/lua/state.lua: PID 1's Lua state (init/state.c): the allocator's
-- small blocks (headerless, by size) and libc's large ones, and the cap.
local event = require "luainit.event"

local T = {}

-- a string of length n whose bytes depend on n and the position
local function pattern(n)
	local t = {}
	for i = 1, n do t[i] = string.char(32 + (i * 7 + n) % 90) end
	return table.concat(t)
end

T["strings of every size up to 700 keep their bytes through collections"] = function()
	local kept = {}
	for n = 1, 700 do kept[n] = pattern(n) end
	-- garbage of every size in between, so freed blocks are reused
	for round = 1, 3 do
		for n = 1, 700, 3 do local _ = pattern(n) .. round end
		collectgarbage("collect")
	end
	for n = 1, 700 do assert(kept[n] == pattern(n), "string of " .. n .. " bytes changed") end
end

T["a table grows across the small/large boundary and back, values intact"] = function()
	local t = {}
	for i = 1, 300 do
		t[i] = i * 3
		for j = 1, i, 37 do assert(t[j] == j * 3, "lost t[" .. j .. "] at size " .. i) end
	end
	local h = {}
	for i = 1, 200 do h["k" .. i] = i end          -- hash part: many reallocations
	for i = 200, 1, -1 do t[i + 100] = nil; h["k" .. i] = nil end
	collectgarbage("collect")                       -- tables shrink on the next rehash
	for i = 1, 100 do assert(t[i] == i * 3) end
	for i = 1, 50 do h["n" .. i] = -i end
	for i = 1, 50 do assert(h["n" .. i] == -i) end
end

T["the cap still holds, and memory comes back to Lua's count"] = function()
	collectgarbage("collect")
	local used0, cap0 = event.memory()
	event.memory(used0 + 2 * 1048576)
	local ok, err = pcall(function()
		local t = {}
		for i = 1, 1e6 do t[i] = pattern(40) .. i end
	end)
	event.memory(cap0)
	assert(not ok and tostring(err):find("not enough memory"), tostring(err))
	collectgarbage("collect")
	local used1 = event.memory()
	assert(used1 < used0 + 64 * 1024, string.format("used %d after, %d before", used1, used0))
end

T["table.create makes an empty table of any room; a bad size is an error"] = function()
	local t = table.create(0, 64)
	assert(type(t) == "table" and next(t) == nil)
	for i = 1, 64 do t["k" .. i] = i end
	for i = 1, 64 do assert(t["k" .. i] == i) end
	local a = table.create(10)
	assert(#a == 0)
	for i = 1, 20 do a[i] = i end
	assert(#a == 20)
	assert(not pcall(table.create, -1), "negative size")
	assert(not pcall(table.create, 0, 1 << 30), "huge size")
	assert(not pcall(table.create, "x"), "not a number")
end

return T
