--- unitfile: the syntax of systemd unit files (systemd.syntax(7)): sections
-- and Key=Value lines with continuations, command lines split into words
-- with quotes and C escapes, environment files, time spans, integers,
-- memory sizes and unit names, and which keys systemd reads as
-- dependencies or lists. Pure Lua, no policy: unitkeys decides what each
-- key becomes.
local M = {}

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

--- Parse unit text into {section, key, value, line} entries.
-- parse : (text) -> {entry}, {string}
function M.parse(text)
	local entries, errs = {}, {}
	local section, pending, pending_line = nil, nil, nil
	local n = 0
	for raw in (text:gsub("\r\n", "\n") .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		local line = raw
		if pending then
			-- a comment inside a continuation is skipped, as systemd does
			if line:match("^%s*[#;]") then goto next end
			line = pending .. " " .. line
		end
		if line:match("\\$") and not line:match("\\\\$") then
			pending, pending_line = line:sub(1, -2), pending_line or n
			goto next
		end
		do
			local at = pending_line or n
			pending, pending_line = nil, nil
			local l = trim(line)
			if l == "" or l:match("^[#;]") then goto next end
			local sec = l:match("^%[(.+)%]$")
			if sec then
				section = sec
			else
				local k, v = l:match("^([%w_%-%.:]+)%s*=%s*(.*)$")
				if not k then
					errs[#errs + 1] = string.format("line %d: expected Key=Value, got '%s'", at, l)
				elseif not section then
					errs[#errs + 1] = string.format("line %d: '%s' outside a [section]", at, k)
				else
					entries[#entries + 1] = { section = section, key = k, value = v, line = at }
				end
			end
		end
		::next::
	end
	return entries, errs
end

local ESC = { n = "\n", t = "\t", r = "\r", a = "\a", b = "\b", f = "\f", v = "\v",
	["\\"] = "\\", ['"'] = '"', ["'"] = "'", s = " ", [" "] = " " }

--- Split a systemd command line or assignment list into words: whitespace
-- separates, "double" and 'single' quotes group, C escapes are decoded.
-- A quote left open fails, and so does a \x escape systemd refuses (not
-- two hex digits, or \x00: no value holds a NUL); the words before the
-- one it is in, and where that one starts, are returned too (systemd
-- keeps them for some keys).
-- words : (s) -> {string} | (nil, string, {string}, integer)
function M.words(s)
	local out, cur, inword, quote = {}, {}, false, nil
	local i, n = 1, #s
	local start -- where the word being read starts
	-- the escape starting at the backslash at i: its text and the index of
	-- its last character, or nil and what is wrong with it
	local function escape()
		local e = s:sub(i + 1, i + 1)
		if e == "x" then
			local h = s:sub(i + 2, i + 3)
			if not h:match("^%x%x$") then return nil, "'\\x" .. h .. "': two hex digits expected after \\x" end
			if h == "00" then return nil, "'\\x00': a NUL, which no value can hold (systemd refuses it)" end
			return string.char(tonumber(h, 16)), i + 3
		end
		return ESC[e] or e, i + 1
	end
	while i <= n do
		local c = s:sub(i, i)
		-- an escape, in quotes or not (a quote has begun its word)
		if c == "\\" and i < n then
			if not inword then start, inword = i, true end
			local t, j = escape()
			if not t then return nil, j, out, start end
			cur[#cur + 1], i = t, j
		elseif quote then
			if c == quote then quote = nil
			else cur[#cur + 1] = c end
		elseif c:match("%s") then
			if inword then out[#out + 1] = table.concat(cur); cur = {}; inword = false end
		else
			if not inword then start = i end
			if c == '"' or c == "'" then
				quote, inword = c, true
			else
				cur[#cur + 1] = c; inword = true
			end
		end
		i = i + 1
	end
	if quote then return nil, "unterminated " .. quote .. " quote", out, start end
	if inword then out[#out + 1] = table.concat(cur) end
	return out
end

--- A unit name's stem and type ("a@b.service" -> "a@b", "service"); nil
-- for a word systemd refuses as one: a character no unit name holds (a
-- quote), more than 255 characters, or no known type.
-- unit_name : (w) -> string, string | nil
local UNIT_TYPES = { service = true, socket = true, target = true, device = true, mount = true,
	automount = true, swap = true, path = true, timer = true, slice = true, scope = true }
function M.unit_name(w)
	if #w > 255 or not w:match("^[%w:%-_%.\\@]+$") then return nil end
	local stem, suffix = w:match("^(.+)%.(%a+)$")
	if stem and UNIT_TYPES[suffix] then return stem, suffix end
end

--- An integer from min to max in plain decimal: digits, a sign only where
-- min < 0; nil for anything else (1e3, 1.5, out of range). systemd's
-- parsers (safe_atou and kin: strtoul with base 0) also take 0x10, 0o10,
-- 0b10 and a leading 0 as octal (010 is 8 there): those are nil too (see
-- other_base), not read as another number than systemd's.
-- integer : (s, min, max) -> integer | nil
function M.integer(s, min, max)
	local n = s:match(min < 0 and "^[+-]?%d+$" or "^%d+$") and not s:match("^[+-]?0%d")
		and math.tointeger(tonumber(s))
	if n and n >= min and n <= max then return n end
end

--- For s (or a part of a SOFT:HARD pair) that systemd reads in a base
-- other than 10 (0x10, 0o10, 0b10, 010), which integer refuses: the end of
-- the message saying so; nil for any other s.
-- other_base : (s) -> string | nil
function M.other_base(s)
	if (":" .. s):find(":[+-]?0[%dxXoObB]") then
		return ", in plain decimal (systemd reads 0x, 0o, 0b and a leading 0 as another base: "
			.. "write the number it means)"
	end
end

--- A memory size as memory.max takes it: systemd's infinity is the
-- kernel's "max"; a size with a suffix goes as written (both count K, M,
-- G ... in powers of 1024), from 1 byte to below 2^64, as systemd's
-- parse_size takes it; nil for anything else.
-- memory_size : (s) -> string | nil
local SIZE = { [""] = 0, K = 1, M = 2, G = 3, T = 4, P = 5, E = 6 }
function M.memory_size(s)
	if s == "infinity" then return "max" end
	local n, unit = s:match("^(%d+)([KMGTPE]?)$")
	local bytes = n and tonumber(n) * 1024.0 ^ SIZE[unit]
	if bytes and bytes >= 1 and bytes < 2 ^ 64 then return s end
end

local function set(names)
	local t = {}
	for k in names:gmatch("%S+") do t[k] = true end
	return t
end

--- The [Unit] keys systemd reads as dependencies (config_parse_unit_deps),
-- which an empty assignment does not reset ("dependencies cannot be reset
-- to an empty list", systemd.unit(5): the parser finds no word).
M.dependencies = set("After Before Requires Requisite Wants BindsTo BindTo Upholds Conflicts OnSuccess "
	.. "OnFailure PartOf PropagatesReloadTo PropagateReloadTo ReloadPropagatedFrom PropagateReloadFrom "
	.. "PropagatesStopTo StopPropagatedFrom JoinsNamespaceOf")

--- [Service] keys whose lines build a list that an empty assignment resets
-- (systemd.service(5), systemd.exec(5)): those unitkeys converts, and
-- those it lists as not carried over.
M.lists = set("ExecStart ExecStartPre Environment EnvironmentFile SupplementaryGroups CapabilityBoundingSet "
	.. "RuntimeDirectory StateDirectory CacheDirectory LogsDirectory ConfigurationDirectory "
	.. "ExecStartPost ExecStop ExecStopPost ExecReload ExecCondition RestartPreventExitStatus "
	.. "RestartForceExitStatus SuccessExitStatus ReadWritePaths ReadOnlyPaths InaccessiblePaths "
	.. "SystemCallFilter UnsetEnvironment PassEnvironment")

--- Parse an environment file (KEY=VALUE lines, # comments, quotes).
-- envfile : (text) -> {KEY = value}
function M.envfile(text)
	local env = {}
	local joined = text:gsub("\\\n", "")
	for line in (joined .. "\n"):gmatch("([^\n]*)\n") do
		local l = trim(line)
		if l ~= "" and not l:match("^[#;]") then
			l = l:gsub("^export%s+", "")
			local k, v = l:match("^([%a_][%w_]*)%s*=%s*(.*)$")
			if k then
				local q = v:sub(1, 1)
				if (q == '"' or q == "'") and v:sub(-1) == q and #v >= 2 then
					v = v:sub(2, -2)
					if q == '"' then v = v:gsub('\\(.)', function(e) return ESC[e] or e end) end
				else
					v = trim(v:gsub("%s+#.*$", ""))
				end
				env[k] = v
			end
		end
	end
	return env
end

--- A systemd time span in seconds ("90", "1min 30s", "100ms"); "infinity"
-- gives math.huge; nil for nonsense.
-- seconds : (s) -> number | nil
local UNITS = {
	us = 1e-6, usec = 1e-6, ms = 1e-3, msec = 1e-3, [""] = 1, s = 1, sec = 1, second = 1, seconds = 1,
	m = 60, min = 60, minute = 60, minutes = 60, h = 3600, hr = 3600, hour = 3600, hours = 3600,
	d = 86400, day = 86400, days = 86400, w = 604800, week = 604800, weeks = 604800,
}
function M.seconds(s)
	s = trim(s)
	if s == "infinity" then return math.huge end
	if s == "" then return nil end
	local total, rest = 0, s
	while rest ~= "" do
		local num, unit, tail = rest:match("^([%d%.]+)%s*(%a*)%s*(.*)$")
		if not num or not tonumber(num) or not UNITS[unit] then return nil end
		total = total + tonumber(num) * UNITS[unit]
		rest = tail
	end
	if math.type(total) == "float" and total == math.floor(total) and total < 2^53 then total = math.tointeger(total) end
	return total
end

return M
