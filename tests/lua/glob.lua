-- tests/lua/glob.lua: shell globs as Lua patterns. The expected answers
-- are glibc fnmatch(3)'s (flags 0) for the same glob and name; the globs
-- fnmatch quietly matches nothing with are errors here.
local glob = require "glob"

local T = {}

-- {glob, name, matches?}
local CASES = {
	{ "eth*", "eth0", true }, { "eth*", "wlan0", false }, { "enp?s0", "enp1s0", true },
	{ "eth[0-3]", "eth2", true }, { "eth[0-3]", "eth4", false }, { "wl[!x]*", "wlan0", true },
	{ "wl[!x]*", "wlx0", false }, { "eth.", "ethX", false }, { "enp0s-1", "enp0s-1", true },
	-- regression: "[!]" made the Lua set "[^]" and raised
	{ "eth[!]*", "eth0", false }, { "eth[!]*", "eth[!]", true }, { "eth[!]*", "eth[!]x", true },
	{ "eth[!]0]", "eth1", true }, { "eth[!]0]", "eth]", false }, { "eth[!]0]", "eth0", false },
	-- an unbalanced '[' is itself
	{ "eth[", "eth[", true }, { "eth[", "eth0", false }, { "x[a", "x[a", true },
	-- ']' first is a member
	{ "[]a]x", "]x", true }, { "[]a]x", "ax", true }, { "[]a]x", "bx", false },
	{ "eth[[:digit:]]", "eth0", true }, { "eth[[:digit:]]", "etha", false },
	{ "x[!-]", "x-", false }, { "x[!-]", "xa", true },
	-- a range between punctuation, with Lua's magic characters in it
	{ "x[%-^]", "x%", true }, { "x[%-^]", "x^", true }, { "x[%-^]", "xA", true },
	{ "x[%-^]", "x]", true }, { "x[%-^]", "xa", false },
	{ "x[^a]", "xa", false }, { "x[^a]", "xb", true },
	{ "x[\\]]", "x]", true }, { "x[\\]]", "x\\", false }, { "a\\*", "a*", true }, { "a\\*", "ab", false },
	{ "%d(", "%d(", true }, { "%d(", "1(", false },
}

T["globs match as fnmatch does, brackets included"] = function()
	for _, c in ipairs(CASES) do
		local p, err = glob.pattern(c[1])
		assert(p, c[1] .. ": " .. tostring(err))
		assert(pcall(string.find, "", p), c[1] .. ": bad Lua pattern " .. p)
		assert(glob.match(c[1], c[2]) == c[3], string.format("%s on %s: expected %s", c[1], c[2], c[3]))
	end
end

T["what fnmatch quietly matches nothing with is an error"] = function()
	for _, c in ipairs({
		{ "e[z-a]", "range 'z-a' is reversed (expected a-z)" },
		{ "a\\", "a '\\' at the end (expected a character after it)" },
		{ "x[[:foo:]]", "unknown class '[:foo:]' (expected one of alnum, alpha," },
	}) do
		local p, err = glob.pattern(c[1])
		assert(p == nil and err:find(c[2], 1, true), c[1] .. ": " .. tostring(p or err))
		assert(glob.match(c[1], "ea") == false)
		local ok, msg = glob.check(c[1])
		assert(ok == nil and msg == "glob '" .. c[1] .. "': " .. err, tostring(msg))
	end
	assert(glob.check("eth[0-3]") == true)
	assert(glob.match(5, "5") == false, "not a string: matches nothing")
end

return T
