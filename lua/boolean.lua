--- boolean: the on/off words people write in configuration, read as
-- systemd's parse_boolean reads them, so a kernel command line flag
-- (stage.flag) and a unit file's boolean (unitkeys, for unitimport) take
-- the same ones.
-- What to do with anything else (warn, refuse) is the caller's: each names
-- its own parameter.
local M = {}

local WORDS = {
	["1"] = true, yes = true, y = true, ["true"] = true, t = true, on = true,
	["0"] = false, no = false, n = false, ["false"] = false, f = false, off = false,
}

--- The words, as a message can list them.
M.expected = "on (1, yes, y, true, t, on) or off (0, no, n, false, f, off)"

--- true for 1, yes, y, true, t, on; false for 0, no, n, false, f, off (any
-- case); nil for anything else, spaces around a word included.
-- parse : (string) -> boolean | nil
function M.parse(s)
	if type(s) ~= "string" then return nil end
	local b = WORDS[s]
	if b == nil then b = WORDS[s:lower()] end
	return b
end

return M
