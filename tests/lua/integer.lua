-- tests/lua/integer.lua: the one rule of every integer field of a
-- definition (a service's umask, nice and ready_fd refused 18.0, 5.0 and
-- 3.0 that its user, groups and cgroup took; a device rule's mode refused
-- 432.0 that its owner took).
local integer = require "integer"

local T = {}

T["of: an integer or an integral float in range, as an integer; nil for anything else"] = function()
	for _, c in ipairs({ { 0 }, { 18.0 }, { -0.0 }, { 1e3 }, { 4 * 2^20 }, { -20.0, -20, 19 }, { 19, -20, 19 },
		{ 255.0, 3, 255 }, { 2^53 }, { math.mininteger }, { -5, nil, 0 }, { 7, 7 } }) do
		local v, min, max = c[1], c[2], c[3]
		local i = integer.of(v, min, max)
		assert(math.type(i) == "integer" and i == v, tostring(v) .. " -> " .. tostring(i))
	end
	for _, c in ipairs({ { 1.5 }, { 0.5 }, { -0.5 }, { math.huge }, { -math.huge }, { 0 / 0 }, { 2^63 },
		{ "1000" }, { "0x10" }, { " 5 " }, { true }, { {} }, { nil }, { -21, -20, 19 }, { 20.0, -20, 19 },
		{ 2, 3, 255 }, { 256.0, 3, 255 }, { 6, 7 }, { 1, nil, 0 } }) do
		assert(integer.of(c[1], c[2], c[3]) == nil, tostring(c[1]) .. " taken")
	end
end

return T
