--- glob: shell globs (fnmatch(3) without flags) as anchored Lua patterns,
-- for the names users write in configuration ("eth*", "enp?s0",
-- "eth[0-3]", "wl[!x]*"). A glob is turned into a pattern once and
-- checked where it is written: a bracket the shell reads as a plain
-- character must not become a Lua pattern error when a link appears.
--   *  any run of characters      ?  one character
--   [abc] [a-z] [!x] [^x]         a class; a ']' right after '[' or '[!'
--                                 is a member; [:alpha:] and its kin inside
--   \c                            c itself
-- A '[' with no closing ']' stands for itself, as in the shell. An unknown
-- [:name:], a reversed range (z-a) and a '\' at the end are errors: the
-- shell would quietly match nothing, or only itself.
local M = {}

-- POSIX character classes, as the members of a Lua set
local POSIX = {
	alpha = "%a", digit = "%d", alnum = "%w", upper = "%u", lower = "%l",
	space = "%s", xdigit = "%x", punct = "%p", cntrl = "%c", blank = " \t",
	graph = "%w%p", print = "%w%p ",
}
local POSIX_NAMES = "alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit"

-- One character as a member of a Lua set or as a literal: every
-- punctuation character escaped (% ] ^ - [ have meanings there)
local function lit(c) return (c:gsub("%W", "%%%0")) end

-- The class that starts at g[i] == "["; returns the Lua set and the index
-- of its closing ']', nil when there is none (the '[' is then literal), or
-- nil and an error.
local function class(g, i)
	local n, j, out = #g, i + 1, { "[" }
	local c = g:sub(j, j)
	if c == "!" or c == "^" then
		out[2] = "^"
		j = j + 1
	end
	local first = true
	while true do
		if j > n then return nil end
		c = g:sub(j, j)
		if c == "]" and not first then break end
		first = false
		if c == "[" and g:sub(j + 1, j + 1) == ":" then
			local close = g:find(":]", j + 2, true)
			if close then
				local name = g:sub(j + 2, close - 1)
				if not POSIX[name] then
					return nil, string.format("unknown class '[:%s:]' (expected one of %s)", name, POSIX_NAMES)
				end
				out[#out + 1] = POSIX[name]
				j = close + 2
				goto continue
			end
		end
		if c == "\\" and j < n then
			j = j + 1
			c = g:sub(j, j)
		end
		do
			local hi, last = g:sub(j + 2, j + 2), j + 2
			if g:sub(j + 1, j + 1) == "-" and hi ~= "" and hi ~= "]" then
				if hi == "\\" and last < n then
					last = last + 1
					hi = g:sub(last, last)
				end
				if hi < c then
					return nil, string.format("range '%s-%s' is reversed (expected %s-%s)", c, hi, hi, c)
				end
				-- Lua takes only plain characters as the ends of a range
				if c:match("%w") and hi:match("%w") then
					out[#out + 1] = c .. "-" .. hi
				else
					for b = c:byte(), hi:byte() do out[#out + 1] = lit(string.char(b)) end
				end
				j = last + 1
			else
				out[#out + 1] = lit(c)
				j = j + 1
			end
		end
		::continue::
	end
	out[#out + 1] = "]"
	return table.concat(out), j
end

--- The anchored Lua pattern of a glob, or nil and what is wrong with it.
-- pattern : (string) -> string | (nil, string)
function M.pattern(g)
	local out, i, n = { "^" }, 1, #g
	while i <= n do
		local c = g:sub(i, i)
		if c == "*" then
			out[#out + 1] = ".*"
		elseif c == "?" then
			out[#out + 1] = "."
		elseif c == "\\" then
			if i == n then return nil, "a '\\' at the end (expected a character after it)" end
			i = i + 1
			out[#out + 1] = lit(g:sub(i, i))
		elseif c == "[" then
			local set, j = class(g, i)
			if set then
				out[#out + 1] = set
				i = j
			elseif j then
				return nil, j
			else
				out[#out + 1] = "%["
			end
		else
			out[#out + 1] = lit(c)
		end
		i = i + 1
	end
	return table.concat(out) .. "$"
end

--- Is g a glob that can be used? The message names the glob, for the
-- checks of the configuration that takes it (devices.rule, network.lua).
-- check : (string) -> true | (nil, string)
function M.check(g)
	local ok, why = M.pattern(g)
	if not ok then return nil, string.format("glob '%s': %s", g, why) end
	return true
end

-- glob -> its pattern, or false when it is not valid: a network entry's
-- match runs at every link event, and its glob never changes (emptied at
-- 256 entries: strings are never weak keys)
local compiled, ncompiled = {}, 0

--- Does s match glob g? A glob that is not valid (or not a string)
-- matches nothing.
-- match : (string, string) -> boolean
function M.match(g, s)
	if type(g) ~= "string" then return false end
	local p = compiled[g]
	if p == nil then
		p = M.pattern(g) or false
		if ncompiled >= 256 then compiled, ncompiled = {}, 0 end
		compiled[g], ncompiled = p, ncompiled + 1
	end
	return p and s:find(p) ~= nil or false
end

return M
