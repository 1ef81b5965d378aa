--- unitfile: the syntax of systemd unit files (systemd.syntax(7)): sections
-- and Key=Value lines with continuations, command lines split into words
-- with quotes and C escapes, environment files, time spans, integers,
-- modes, sizes, resource limits and unit names, and which keys systemd
-- reads as dependencies or lists. Pure Lua, no policy: unitkeys decides
-- what each key becomes.
local M = {}

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

local function set(names)
	local t = {}
	for k in names:gmatch("%S+") do t[k] = true end
	return t
end

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

-- systemd's C escapes (cunescape_one, src/basic/escape.c): these, \xHH,
-- \uHHHH and \UHHHHHHHH (UTF-8) and \OOO; any other is refused, and so
-- is a NUL, an octal above \377 and a \U that is no Unicode character
local CESC = { n = "\n", t = "\t", r = "\r", a = "\a", b = "\b", f = "\f", v = "\v",
	["\\"] = "\\", ['"'] = '"', ["'"] = "'", s = " " }
local HEX = { x = 2, u = 4, U = 8 }
local COUNT = { [2] = "two hex digits", [4] = "four hex digits", [8] = "eight hex digits" }

-- the escape at the backslash s[i]: its text and the index of its last
-- character; else nil, why systemd refuses it, and true for a NUL (in an
-- argument, for relax: see words)
local function unescape(s, i, relax)
	local e = s:sub(i + 1, i + 1)
	if CESC[e] then return CESC[e], i + 1 end
	local n, octal = HEX[e], e:match("^[0-7]$")
	if not (n or octal) then return nil, "'\\" .. e .. "': no escape systemd knows" end
	local last = octal and i + 3 or i + 1 + n
	local text, d = s:sub(i, last), s:sub(octal and i + 1 or i + 2, last)
	if not d:match(octal and "^[0-7][0-7][0-7]$" or "^" .. ("%x"):rep(n) .. "$") then
		return nil, "'" .. text .. "': " .. (n and COUNT[n] .. " expected after \\" .. e or "three octal digits expected")
	end
	local c = tonumber(d, octal and 8 or 16)
	if c == 0 then
		return nil, "'" .. text .. "': a NUL, which no " .. (relax
			and "argument can hold (systemd passes the text as written, with a warning)" or "value can hold"), true
	end
	if octal and c > 255 then return nil, "'" .. text .. "': above \\377" end
	-- unichar_is_valid: no surrogate, nothing above U+10FFFF, no noncharacter
	if e == "U" and not M.utf8_valid(c <= 0x7fffffff and utf8.char(c) or "\255") then
		return nil, "'" .. text .. "': no Unicode character"
	end
	return (octal or e == "x") and string.char(c) or utf8.char(c), last
end

--- Whether s is UTF-8 as systemd's utf8_is_valid takes it: no overlong
-- form, no surrogate, nothing above U+10FFFF, and no noncharacter
-- (U+FDD0 to U+FDEF, U+FFFE and U+FFFF of each plane).
-- utf8_valid : (s) -> boolean
function M.utf8_valid(s)
	if not utf8.len(s) then return false end
	for _, c in utf8.codes(s) do
		if c >= 0xFDD0 and c <= 0xFDEF or c & 0xFFFE == 0xFFFE then return false end
	end
	return true
end

--- Split a systemd command line or assignment list into words as its
-- extract_first_word does with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE:
-- whitespace separates, "double" and 'single' quotes group, C escapes are
-- decoded in quotes or not (cunescape). A quote left open fails, and so
-- does an escape systemd refuses (\q, \xZZ, \x00: no value holds a NUL);
-- the words before the one it is in, and where that one starts, are
-- returned too (systemd keeps them for some keys). With relax, as
-- ExecStart= reads its words (extract_first_word_and_warn, which tries
-- again keeping them), such an escape but a NUL is kept as written, the
-- backslash too, and listed in kept; so is a backslash at the end. The
-- words' text as written is in raw (a lone ; is a separator there, a \;
-- the word ;).
-- words : (s, relax?) -> {string, raw = {string}}, {string}? | (nil, string, {string}, integer)
function M.words(s, relax)
	local out, cur, inword, quote, kept = { raw = {} }, {}, false, nil, nil
	local i, n = 1, #s
	local start -- where the word being read starts
	local function word(last)
		out.raw[#out + 1] = s:sub(start, last)
		out[#out + 1] = table.concat(cur)
		cur, inword = {}, false
	end
	while i <= n do
		local c = s:sub(i, i)
		-- an escape, in quotes or not (a quote has begun its word)
		if c == "\\" then
			local t, j, nul = unescape(s, i, relax)
			if relax and not inword and s:find("^\\;%f[%s\0]", i) then
				t, j = ";", i + 1 -- config_parse_exec's own check, before a word is read
			elseif not t and relax and not nul and (i < n or not quote) then
				kept = kept or {}
				kept[#kept + 1] = s:sub(i, i + 1)
				t, j = kept[#kept], i + 1
			elseif not t then
				if i == n then j = quote and "unterminated " .. quote .. " quote" or "a backslash at the end" end
				return nil, j, out, inword and start or i
			end
			if not inword then start, inword = i, true end
			cur[#cur + 1], i = t, j
		elseif quote then
			if c == quote then quote = nil
			else cur[#cur + 1] = c end
		elseif c:match("%s") then
			if inword then word(i - 1) end
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
	if inword then word(n) end
	return out, kept
end

--- An ExecStart= (or ExecStartPre=) value as systemd's config_parse_exec
-- reads it: the prefixes before the first word (- @ + ! : |), then words
-- (see words: relaxed), in commands separated by a lone ; (a ; in quotes
-- too where a command's first word is expected; \; is the word ;).
-- Returns the prefixes (a set), the commands (lists of words) and the
-- escapes kept as written; nil and why for a quote left open, a NUL, or
-- a command whose path systemd refuses (string_is_safe: a control
-- character, a quote or a backslash), with the unit.
-- command : (s) -> {[string] = true}, {{string}}, {string}? | nil, string
function M.command(s)
	local flags = {}
	while s:match("^[-@+!:|]") do flags[s:sub(1, 1)], s = true, s:sub(2) end
	local ws, kept = M.words(s, true)
	if not ws then return nil, kept end -- (kept: why it failed)
	local cmds, cur = {}, {}
	for i, w in ipairs(ws) do
		local raw = ws.raw[i]
		if raw == ";" or #cur == 0 and w == ";" and raw ~= "\\;" then
			if #cur > 0 then cmds[#cmds + 1], cur = cur, {} end
		elseif #cur == 0 and (raw == "\\;" or w:find("[%c\"'\\]")) then
			return nil, "the command's path '" .. (raw == "\\;" and raw or w) .. "' has a control character, a "
				.. "quote or a backslash: systemd refuses the line, and the unit with it"
		else
			cur[#cur + 1] = w
		end
	end
	if #cur > 0 then cmds[#cmds + 1] = cur end
	return flags, cmds, kept
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

-- The digits of s from i in base (2, 8, 10 or 16), as strtoull reads them: a
-- number from 0 to 2^64 - 1, unsigned in a Lua integer (from 2^63 up it
-- reads as negative; math.ult compares), and the index past them (i for
-- none); nil for more than 2^64 - 1 (ERANGE).
local function u64(s, i, base)
	-- (2^64 - 1) // base
	local n, max = 0, math.maxinteger // base * 2 + 1
	while true do
		local d = tonumber(s:sub(i, i), 16)
		if not d or d >= base then return n, i end
		if math.ult(max, n) then return nil end
		local m = n * base
		n = m + d
		if math.ult(n, m) then return nil end
		i = i + 1
	end
end

--- An integer as systemd's readers take it (src/basic/parse-util.c:
-- safe_atoi for Nice= and KillSignal=, safe_atou for StartLimitBurst= and
-- RestartSteps=, safe_atou64 for LimitNOFILE=, TasksMax=, CPUWeight=):
-- after leading whitespace, 0b or 0o picks binary or octal (mangle_base);
-- the rest goes to strtol with that base or 0, which takes a sign, then
-- in base 0 0x for hexadecimal and a leading 0 for octal; nothing may
-- follow the digits. A minus is refused by the unsigned ones unless the
-- number is 0, which min >= 0 does here. Returns the number from min to
-- max, and how it was read when not in plain decimal ("read as 8:
-- systemd reads a leading 0 as octal", for a note); else nil and that,
-- or why it is refused, if there is more to say than the range.
-- A 0b where strtol itself sees it (-0b1, 0b0b1) is refused: glibc reads
-- it as binary only since 2.38 (C23), before that as 0 and garbage.
-- integer : (s, min, max) -> integer, string? | nil, string?
function M.integer(s, min, max)
	local t, base, how = s:gsub("^[ \t\n\r]+", ""), 0, nil
	local b = t:match("^0[bB](.*)$")
	local o = not b and t:match("^0[oO](.*)$")
	if b then t, base, how = b, 2, "0b as binary"
	elseif o then t, base, how = o, 8, "0o as octal" end
	local sign, digits = t:match("^[ \t\n\v\f\r]*([+-]?)(.*)$")
	if base ~= 8 and digits:match("^0[bB][01]") then
		return nil, "systemd's reading of this 0b depends on its C library: binary with glibc 2.38 and "
			.. "later, no number before"
	end
	if base == 0 then
		local hex = digits:match("^0[xX](%x.*)$")
		if hex then digits, base, how = hex, 16, "0x as hexadecimal"
		elseif digits:match("^0.") then base, how = 8, "a leading 0 as octal"
		else base = 10 end
	end
	if digits == "" then return nil end
	local n, e = u64(digits, 1, base)
	-- 2^63 and up is beyond any range here, whatever follows
	if not n or n < 0 then return nil end
	if e <= #digits then
		local c = digits:sub(e, e)
		return nil, how and c:match("%d") and "systemd reads " .. how .. ", where " .. c .. " is no digit"
	end
	if sign == "-" then n = -n end
	-- 07 is 7 either way: no need to say how it was read
	how = how and not (base == 8 and not o and tonumber(digits, 10) == math.abs(n))
		and string.format("read as %d: systemd reads %s", n, how) or nil
	if n < min or n > max then return nil, how end
	return n, how
end

--- A mode as systemd's parse_mode reads it (UMask=, RuntimeDirectoryMode=
-- and its kin): octal digits up to 07777, leading zeros aside; nil for
-- anything else (no sign, no 0o).
-- octal_mode : (s) -> integer | nil
function M.octal_mode(s)
	local digits = s:match("^0*([0-7]+)$")
	return digits and #digits <= 4 and tonumber(digits, 8) or nil
end

--- A Limit*= line (key and value) as systemd's rlimit_parse takes it:
-- N, or SOFT:HARD with the soft limit no higher, each infinity or a
-- number: a count (LimitNOFILE=, LimitNPROC= ...) as integer reads it
-- (safe_atou64), a size in bytes (LimitAS=, LimitFSIZE= ...: size, with
-- K, M, G ... in powers of 1024), a time (LimitCPU= in whole seconds,
-- rounded up, LimitRTTIME= in microseconds: usec, seconds by default for
-- the one and microseconds for the other), LimitNICE= also +N or -N, a
-- nice level, which is the limit 20 - N. Returns the limit (an integer,
-- "infinity" or {soft, hard}), how a part was read, for a note (see
-- integer; a size or time in decimal, a fraction dropped or rounded up),
-- and the resource (LimitNOFILE=: nofile); else nil and why.
-- rlimit : (key, s) -> integer | string | {integer|string}, string?, string | nil, string
local SIZES = set("as core data fsize memlock msgqueue rss stack")
local COUNTS = set("nofile nproc locks sigpending rtprio nice")
local TIMES = { cpu = 1000000, rttime = 1 }   -- the unit of a bare number, in microseconds
function M.rlimit(key, s)
	local what = (key:match("^Limit(%u+)$") or ""):lower()
	if not (SIZES[what] or COUNTS[what] or TIMES[what]) then return nil, "unknown resource limit" end
	local hows, max = {}, what == "nice" and 40 or math.maxinteger
	local KEY = "Limit" .. what:upper() .. "="
	local function one(p)
		if p == "infinity" then return "infinity" end
		local n, how, why
		if SIZES[what] or TIMES[what] then
			local said, zero = {}, nil
			if SIZES[what] then
				n, why, zero = M.size(p)
				-- systemd takes up to 2^64 - 2
				if n and math.type(n) ~= "integer" then
					n, how = nil, "systemd takes it; luainit's limits stop at 2^63 - 1 bytes"
				end
				if why then said[1] = why end
			else
				local u
				u, zero = M.usec(p, TIMES[what])
				if u == math.huge then return "infinity" end
				n = u
				if u and what == "cpu" then
					-- (not (u + 999999) // 1000000: it wraps near 2^63)
					n = u // 1000000
					if u % 1000000 > 0 then n, said[1] = n + 1, "rounds " .. KEY .. " up to whole seconds" end
				end
			end
			if zero then table.insert(said, 1, "reads " .. KEY .. " in decimal") end
			if n and #said > 0 then how = string.format("read as %d: systemd %s", n, table.concat(said, " and ")) end
		elseif what == "nice" and p:match("^[+-]") then
			-- +19 to -20
			local sign = p:sub(1, 1)
			n, how = M.integer(p:sub(2), 0, sign == "+" and 19 or 20)
			how = how and how:gsub("^read as ", "read as " .. sign)
			n = n and (sign == "+" and 20 - n or 20 + n)
		else
			n, how = M.integer(p, 0, max)
		end
		if how then hows[#hows + 1] = (p ~= s and p .. ": " or "") .. how end
		return n
	end
	local soft, hard = s:match("^([^:]*):([^:]*)$")
	local a, b = one(soft or s), hard and one(hard)
	local how = #hows > 0 and table.concat(hows, "; ") or nil
	if not a or hard and not b then
		local expected = SIZES[what] and "a size from 0 to " .. max .. " bytes (or with K, M, G, T, P or E, "
				.. "in powers of 1024: 512M)"
			or what == "cpu" and "a time span in seconds (or with a unit: 90, 1min 30s, 1h)"
			or what == "rttime" and "a time span in microseconds (or with a unit: 500000, 500ms, 2s)"
			or what == "nice" and "an integer from 0 to 40, +19 to -20 (nice levels)"
			or "an integer from 0 to " .. max
		return nil, "not " .. expected .. " or infinity, or SOFT:HARD of those"
			.. ((SIZES[what] or TIMES[what]) and "" or " (no units)") .. (how and " (" .. how .. ")" or "")
	end
	if not hard then return a, how, what end
	if b ~= "infinity" and (a == "infinity" or a > b) then return nil, "a soft limit above the hard limit" end
	return { a, b }, how, what
end

--- A signal as systemd's signal_from_string takes it (KillSignal=): a
-- number (safe_atoi, as integer reads it) from 1 to 64 and no other, or a
-- name as written, SIG or not: HUP ... SYS, RTMIN, RTMIN+n, RTMAX,
-- RTMAX-n (n up to 30). The number or the name without SIG, and how a
-- number was read; nil and why (or nil) for what systemd refuses.
-- signal : (s) -> integer | string, string? | nil, string?
local SIGNAMES = set("HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT "
	.. "STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS RTMIN RTMAX")
function M.signal(s)
	local n, how = M.integer(s, math.mininteger, math.maxinteger)
	if n then
		if n >= 1 and n <= 64 then return n, how end
		return nil, how
	end
	if how then return nil, how end
	local name = s:gsub("^SIG", "")
	local up, down = name:match("^RTMIN(%+.*)$"), name:match("^RTMAX(%-.*)$")
	if SIGNAMES[name] or up and M.integer(up, 0, 30) or down and M.integer(down, -30, 0) then return name end
end

-- One part of a size or a time span in s from i, as parse_size and
-- parse_time read each: blanks, a + or not, digits in decimal, a point
-- and digits or not, blanks, then the first of units ({name, value}
-- each) from index from on that starts there. Returns the number, the
-- index of the point (past the digits when there is none), the index past
-- the fraction's digits (the same when there is no point), the unit's index
-- (nil for none), the index past it (past the blanks for none), whether
-- the number has a leading zero (both read it in decimal) and where its
-- digits start (the point when there are none: parse_time reads ".5s",
-- parse_size no ".5K"). nil for more than 2^64 - 1, a + with no digits,
-- neither digits nor a point, or more text right after the number that is
-- no unit: "12.34.56" and "5x" are none; "12.34 .56" and "5s30" are two
-- parts.
local function part(s, i, units, from)
	i = s:match("^[ \t\n\r]*()", i)
	local j = s:sub(i, i) == "+" and i + 1 or i
	local n, e = u64(s, j, 10)
	if not n then return nil end
	local p = s:sub(e, e) == "." and s:match("^%d*()", e + 1) or e
	if e == j and (j > i or p == e) then return nil end
	local q, k = s:match("^[ \t\n\r]*()", p), nil
	for x = from, #units do
		if s:sub(q, q + #units[x][1] - 1) == units[x][1] then k = x; break end
	end
	local after = k and q + #units[k][1] or q
	if after == p and p <= #s then return nil end
	return n, e, p, k, after, s:find("^0+[1-9]", j) ~= nil, j
end

local function u64_float(n) return n >= 0 and n + 0.0 or n + 2.0 ^ 64 end

--- A size in bytes as systemd's parse_size reads it (base 1024: LimitAS=,
-- MemoryMax=): one or more numbers in decimal, each with a fraction or
-- not and a suffix, E, P, T, G, M, K, B or none, in that order and each
-- once ("1G 512M", "1.5G", "2K1"), blanks between; no sign but +, no
-- lower case, nothing after. The bytes are the sum, the fraction of each
-- part dropped below a byte as systemd drops it ("0.1K" is 102), from 0
-- to 2^64 - 1: an integer, or from 2^63 up a float, which is near it
-- only (memory_size has them exact). Returns the bytes; when a fraction
-- of a byte went, "drops a fraction of a byte" (for a note); whether a
-- number has a leading zero ("010", "1K 010B", read in decimal); and
-- whether s is one number with K, M, G, T, P, E or nothing right after
-- it, and nothing else ("512M": memory.max reads it). Else nil.
-- size : (s) -> integer | number, string?, boolean, boolean | nil
local IEC = { { "E", 60 }, { "P", 50 }, { "T", 40 }, { "G", 30 }, { "M", 20 }, { "K", 10 }, { "B", 0 }, { "", 0 } }
-- size's reading with the bytes exact: unsigned in a Lua integer, from
-- 2^63 up negative (as u64 has them)
local function size_u64(s)
	local r, i, from, dropped, zero, plain = 0, 1, 1, false, false, false
	repeat
		local l, e, p, k, after, z, j = part(s, i, IEC, from)
		-- parse_size reads no ".5K"
		if not k or e == j then return nil end
		-- a fraction as systemd has it: a double, its digits divided by 10 for each
		local frac, shift = p > e and u64(s, e + 1, 10), IEC[k][2]
		if frac == nil then return nil end
		frac = u64_float(frac or 0)
		for _ = e + 1, p - 1 do frac = frac / 10 end
		-- the part must be below 2^64: l + (a fraction?) up to (2^64 - 1) >> shift,
		-- which wraps as in C
		if math.ult(shift == 0 and -1 or (1 << (64 - shift)) - 1, l + (frac > 0 and 1 or 0)) then return nil end
		local f = frac * (1 << shift)
		if f ~= math.floor(f) then dropped = true end
		local bytes = (l << shift) + math.tointeger(math.floor(f))
		if math.ult(-1 - r, bytes) then return nil end
		r, zero = r + bytes, zero or z
		plain = j == 1 and k ~= 7 and e + #IEC[k][1] > #s
		i, from = after, k + 1
	until i > #s
	return r, dropped and "drops a fraction of a byte" or nil, zero, plain
end
function M.size(s)
	local r, how, zero, plain = size_u64(s)
	if not r then return nil end
	return r >= 0 and r or u64_float(r), how, zero, plain
end

--- A memory size as memory.max takes it: systemd's infinity is the
-- kernel's "max"; a size as size reads it, from 1 byte to 2^64 - 2, as
-- systemd's config_parse_memory_limit takes it (2^64 - 1 is its infinity,
-- refused as out of range). One with a suffix or none goes as written
-- (both count K, M, G ... in powers of 1024), without the leading zeros:
-- parse_size reads decimal, the kernel's memparse reads 010K as octal;
-- any other form ("1.5G", "1G 512M", "512B") goes in bytes, exact (the
-- kernel reads up to 2^64 - 1). With how it was read when a zero went or
-- it went in bytes; nil for anything else, and whether it was a size of
-- 0 bytes (which systemd's other memory keys take: unitkeys).
-- memory_size : (s) -> string, string? | (nil, boolean)
function M.memory_size(s)
	if s == "infinity" then return "max" end
	local bytes, how, zero, plain = size_u64(s)
	if not bytes or bytes == 0 or bytes == -1 then return nil, bytes == 0 end
	if plain then
		local w = s:gsub("^0+", "")
		return w, zero and "read as " .. w .. ": systemd reads a size in decimal" or nil
	end
	local b = string.format("%u", bytes)
	return b, "read as " .. b .. " bytes" .. (how and ": systemd " .. how or "")
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
					if q == '"' then v = v:gsub('\\(.)', function(e) return CESC[e] or e end) end
				else
					v = trim(v:gsub("%s+#.*$", ""))
				end
				env[k] = v
			end
		end
	end
	return env
end

--- A time span as systemd's parse_time reads it, in microseconds
-- (an integer), unit being the microseconds of a number without one
-- (1000000 for seconds, parse_sec's): one or more numbers in decimal,
-- each with a fraction or not and a unit or not ("1min 30s", "1.5h",
-- "5s30", ".5s"), blanks between; units as systemd.time(7) lists them,
-- a month 30.44 days and a year 365.25, and digits of a fraction below a
-- microsecond dropped; no sign but +; "infinity" alone is math.huge. With
-- it, whether a number has a leading zero (read in decimal: 010 is 10).
-- nil for anything else, and for 2^63 microseconds or more (systemd's
-- limit is 2^64 - 1: 292,000 years and more).
-- usec : (s, unit) -> integer | number, boolean? | nil
local TIME_UNITS = {}
for _, u in ipairs({ { "seconds second sec s", 1000000 }, { "minutes minute min", 60000000 },
	{ "months month M", 2629800000000 }, { "msec ms", 1000 }, { "m", 60000000 },
	{ "hours hour hr h", 3600000000 }, { "days day d", 86400000000 }, { "weeks week w", 604800000000 },
	{ "years year y", 31557600000000 }, { "usec us \u{3bc}s \u{b5}s", 1 } }) do
	-- in systemd's order: the first that starts the text is the unit
	for name in u[1]:gmatch("%S+") do TIME_UNITS[#TIME_UNITS + 1] = { name, u[2] } end
end
function M.usec(s, unit)
	local i = s:match("^[ \t\n\r]*()")
	if s:sub(i, i + 7) == "infinity" then
		return s:sub(i + 8):match("^[ \t\n\r]*$") and math.huge or nil
	end
	local usec, something, zero = 0, false, false
	while true do
		i = s:match("^[ \t\n\r]*()", i)
		if i > #s then return something and usec or nil, zero end
		local l, e, p, k, after, z = part(s, i, TIME_UNITS, 1)
		-- strtoll stops at 2^63 - 1
		if not l or l < 0 then return nil end
		local mult = k and TIME_UNITS[k][2] or unit
		if l > (math.maxinteger - usec) // mult then return nil end
		usec, something, zero = usec + l * mult, true, zero or z
		if p > e then
			-- each digit of a fraction a tenth of the last's unit, in integers
			local m = mult // 10
			for b = e + 1, p - 1 do
				local d = (s:byte(b) - 48) * m
				if usec > math.maxinteger - d then return nil end
				usec, m = usec + d, m // 10
			end
			-- "3.", "3.s" and "3. 1" are none
			if p == e + 1 then return nil end
		end
		i = after
	end
end

--- A systemd time span in seconds ("90", "1min 30s", "100ms"): usec's,
-- an integer when whole; "infinity" gives math.huge; nil for nonsense.
-- seconds : (s) -> number | nil
function M.seconds(s)
	local u = M.usec(s, 1000000)
	if not u or u == math.huge then return u end
	return u % 1000000 == 0 and u // 1000000 or u / 1e6
end

return M
