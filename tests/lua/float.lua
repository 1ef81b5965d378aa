-- tests/lua/float.lua: the one writing of a float (luactl's JSON, a
-- service's env, unitimport's files), which three loops did before: 15 or
-- 17 digits (proto), 15, 16 or 17 (services), 1 to 17 (unitimport).
local float = require "float"

local T = {}

T["text: the fewest of 15, 16 or 17 digits that read back, as %g writes them"] = function()
	for _, c in ipairs({ { 0.1, "0.1" }, { 46.012, "46.012" }, { -2.5, "-2.5" }, { 1.5e-7, "1.5e-07" },
		{ 1 / 3, "0.3333333333333333" }, { 0.1 + 0.2, "0.30000000000000004" }, { 8080.0, "8080" },
		{ 0.0, "0" }, { -0.0, "-0" }, { 1e15, "1e+15" }, { 1e20, "1e+20" }, { 2^70, "1.1805916207174113e+21" },
		{ 1e300, "1e+300" }, { 2^-1074, "4.94065645841247e-324" }, { 1.7976931348623157e308, "1.7976931348623157e+308" } }) do
		local s = float.text(c[1])
		assert(s == c[2], string.format("%.17g -> %s, not %s", c[1], s, c[2]))
	end
end

-- Random bit patterns, short decimals and ordinary magnitudes: each reads
-- back as itself, and comes out as the fewest digits (1 to 17) would but
-- for the two kinds float.lua names: a whole number from 10 to 1e15 (8080,
-- not 8.08e+03) and a subnormal (15 digits, not 5e-324). And 15 or 17
-- digits (proto's old loop) differ only where 16 are enough, and are longer.
T["text: reads back; the same as trying 1 to 17 digits but for whole numbers and subnormals"] = function()
	local fmt = string.format
	local function fewest(v)
		for p = 1, 17 do
			local s = fmt("%." .. p .. "g", v)
			if tonumber(s) == v or p == 17 then return s end
		end
	end
	local function check(v)
		if v ~= v or v == math.huge or v == -math.huge then return end
		local s = float.text(v)
		assert(tonumber(s) == v, fmt("%.17g -> %s", v, s))
		local f = fewest(v)
		if s ~= f then
			local a = math.abs(v)
			assert((a == math.floor(a) and a >= 10 and a < 1e15) or (a > 0 and a < 2.2250738585072014e-308),
				fmt("%.17g: %s, the fewest %s", v, s, f))
		end
		local old = fmt("%.15g", v)
		if tonumber(old) ~= v then old = fmt("%.17g", v) end
		assert(s == old or s == fmt("%.16g", v), fmt("%.17g: %s, %s", v, s, old))
	end
	math.randomseed(1074)
	for _ = 1, 2000 do
		check(string.unpack("<d", string.pack("<i8", math.random(math.mininteger, math.maxinteger))))
		local d = math.random(1, 17)
		check(tonumber(math.random(1, 10 ^ d - 1) .. "e" .. math.random(-30, 30)))
		check(math.random() * 10 ^ math.random(-8, 20))
		check(math.random(1, 10 ^ 6) / 1000)
	end
end

return T
