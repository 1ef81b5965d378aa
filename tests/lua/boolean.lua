-- tests/lua/boolean.lua: the on/off words stage.flag and unitkeys (a unit
-- file's booleans, for unitimport) share, systemd's parse_boolean's.
local boolean = require "boolean"

local T = {}

T["parse: systemd's words in any case; nil for anything else"] = function()
	for _, w in ipairs({ "1", "yes", "y", "true", "t", "on", "YES", "Y", "True", "T", "oN" }) do
		assert(boolean.parse(w) == true, w)
	end
	for _, w in ipairs({ "0", "no", "n", "false", "f", "off", "NO", "N", "False", "F", "OFF" }) do
		assert(boolean.parse(w) == false, w)
	end
	for _, w in ipairs({ "", "2", "-1", "yess", "enable", " yes", "no ", "o", "1.0", "onn" }) do
		assert(boolean.parse(w) == nil, "'" .. w .. "'")
	end
	assert(boolean.parse(nil) == nil and boolean.parse(1) == nil and boolean.parse(true) == nil, "not a string")
	assert(boolean.expected == "on (1, yes, y, true, t, on) or off (0, no, n, false, f, off)")
end

return T
