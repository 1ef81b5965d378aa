-- tests/lua/_unitimport.lua: helpers shared by the unitimport tests (a
-- file whose name starts with "_" is no test file; all.lua skips it): a
-- unit converted with no files to read, its definition loaded as the
-- loader loads it, and the notes of a line.
local ui = require "unitimport"

local M = {}

--- ui.convert of text, with file "test.service" and no file to read
-- (EnvironmentFile= finds none) unless opts says otherwise.
-- convert : (text, opts?) -> src?, {note}, {string}, extra
function M.convert(text, opts)
	opts = opts or {}
	opts.file = opts.file or "test.service"
	opts.readfile = opts.readfile or function() return nil end
	return ui.convert(text, opts)
end

--- The definition src returns, loaded with what a definition may use.
-- def_of : (src) -> table
function M.def_of(src)
	return assert(load(src, "=def", "t", { tonumber = tonumber, math = math }))()
end

--- The unit "[Service]\nExecStart=/bin/d\n" .. lines converted: it must
-- convert without errors to a definition ui.validate accepts; what, if
-- given, begins the messages (the line or value being tried).
-- service : (lines, opts?, what?) -> table, {note}, string
function M.service(lines, opts, what)
	local src, notes, errs = M.convert("[Service]\nExecStart=/bin/d\n" .. lines, opts)
	local at = what and what .. ": " or ""
	assert(#errs == 0, at .. table.concat(errs, "; "))
	local ok, verrs = ui.validate(src, "d")
	assert(ok, at .. "not a valid definition: " .. table.concat(verrs or {}, "; ") .. "\n" .. src)
	return M.def_of(src), notes, src
end

--- The notes of line, each as fmt makes it (by default "kind: reason"),
-- joined by " | ".
-- said : ({note}, integer, (note) -> string?) -> string
function M.said(notes, line, fmt)
	fmt = fmt or function(n) return n.kind .. ": " .. n.reason end
	local got = {}
	for _, n in ipairs(notes) do
		if n.line == line then got[#got + 1] = fmt(n) end
	end
	return table.concat(got, " | ")
end

return M
