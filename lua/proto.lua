--- proto: the wire format luactl and PID 1 share (see docs/luactl.md),
-- apart from the server so that the client loads only this (and float.lua,
-- the writing of a float it shares with the service definitions).
--
-- A frame is a 4-byte big-endian length and a JSON object. The client sends
-- {v, cmd, args, flags}; PID 1 answers with zero or more progress frames
-- ({v, progress} or {v, line}) and one final frame {v, ok, code, error?,
-- result?}. Nothing here depends on PID 1's state: the client
-- (luactl.lua), the server (control.lua) and the fuzz harness use it.
local M = {
	PROTOCOL = 1,
	path = "/run/luainit/control",
}

--- Every command PID 1 knows (protocol 1).
M.COMMANDS = {
	status = true, list = true, version = true, start = true, stop = true, restart = true,
	log = true, reload = true, eval = true, poweroff = true, reboot = true, halt = true,
	analyze = true, kill = true,
}

---------------------------------------------------------------- JSON

local json = { null = setmetatable({}, { __name = "json.null", __tostring = function() return "null" end }) }
M.json = json
local array_mt = { __name = "json.array" }
M.array_mt = array_mt

--- Mark t (default {}) as a JSON array, so an empty one encodes as [].
-- json.array : (t?) -> t
function json.array(t) return setmetatable(t or {}, array_mt) end

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
	['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }

local function escape(c) return escapes[c] or string.format("\\u%04x", c:byte()) end

local find, gsub = string.find, string.gsub

-- Short strings seen to need no escaping: a reply repeats its keys,
-- states and names, and a table lookup is far cheaper than the scan.
-- Emptied when full, so that it stays small whatever passes through.
local plain, nplain = {}, 0

-- Append s, quoted, to out (n items so far); returns the new count. Three
-- items rather than one new string: most strings need no escaping.
local function quote(s, out, n)
	out[n + 1] = '"'
	if plain[s] then out[n + 2] = s
	elseif find(s, '^[^%c"\\]*$') then   -- %c: bytes 0-31 and 127
		out[n + 2] = s
		if #s <= 40 then
			if nplain >= 512 then plain, nplain = {}, 0 end
			plain[s] = true
			nplain = nplain + 1
		end
	else
		out[n + 2] = gsub(s, '[%c"\\]', escape)
	end
	out[n + 3] = '"'
	return n + 3
end

local function is_array(t)
	if getmetatable(t) == array_mt then return true end
	local n = #t
	if n == 0 then return false end
	local count = 0
	for k in pairs(t) do
		if math.type(k) ~= "integer" or k < 1 or k > n then return false end
		count = count + 1
	end
	return count == n
end

local mtype, sort, concat = math.type, table.sort, table.concat
local float_text = require("float").text

-- Append v's JSON to out (n items so far); returns the new count.
local function encode(v, out, n, depth)
	local t = type(v)
	if t == "string" then return quote(v, out, n)
	elseif t == "number" then
		n = n + 1
		if mtype(v) == "integer" then out[n] = v -- table.concat writes it as %d
		elseif v ~= v or v == math.huge or v == -math.huge then out[n] = "null"
		else out[n] = float_text(v) end -- 46.012, not 46.012000000000001
	elseif t == "boolean" then n = n + 1 out[n] = v and "true" or "false"
	elseif v == nil or v == json.null then n = n + 1 out[n] = "null"
	elseif t == "table" then
		if depth > 32 then error("json: nested deeper than 32 levels (a cycle?)", 0) end
		if is_array(v) then
			n = n + 1 out[n] = "["
			for i = 1, #v do
				if i > 1 then n = n + 1 out[n] = "," end
				n = encode(v[i], out, n, depth + 1)
			end
			n = n + 1 out[n] = "]"
		else
			local keys, nk = {}, 0
			for k in pairs(v) do
				local kt = type(k)
				if kt == "string" then nk = nk + 1 keys[nk] = k
				elseif kt == "number" then nk = nk + 1 keys[nk] = tostring(k) end
			end
			sort(keys)
			n = n + 1 out[n] = "{"
			for i = 1, nk do
				local k = keys[i]
				local x = v[k]
				if x == nil then x = v[tonumber(k)] end
				if i > 1 then n = n + 1 out[n] = "," end
				n = quote(k, out, n)
				n = n + 1 out[n] = ":"
				n = encode(x, out, n, depth + 1)
			end
			n = n + 1 out[n] = "}"
		end
	else
		return quote(tostring(v), out, n)
	end
	return n
end

--- Encode a Lua value as JSON (functions and userdata become strings).
-- json.encode : (value) -> string   (raises on nesting deeper than 32)
function json.encode(v)
	local out = {}
	encode(v, out, 0, 0)
	return concat(out)
end

local unescape = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

--- Decode one JSON value; the whole string must be that value.
-- Strict: no trailing commas, comments or control characters in strings;
-- nesting is limited to 32 levels. null becomes json.null.
-- json.decode : (string) -> value | (nil, string)
function json.decode(s)
	if type(s) ~= "string" then return nil, "json: expected a string" end
	local byte, find, sub = string.byte, string.find, string.sub
	local pos, depth = 1, 0
	local function fail(msg) error({ json = string.format("%s at byte %d", msg, pos) }, 0) end
	local function skip()
		local b = byte(s, pos)
		-- space, tab, newline, carriage return
		if b == 32 or b == 9 or b == 10 or b == 13 then pos = find(s, "[^ \t\r\n]", pos) or #s + 1 end
	end
	local value
	local function str()
		local i = pos + 1
		-- the run of plain characters, anchored: one pass over the class
		local _, e = find(s, '^[^%z\1-\31"\\]*', i)
		local j = e + 1
		if byte(s, j) == 34 then pos = j + 1 return sub(s, i, e) end -- no escapes
		if j > #s then j = nil end
		local out = {}
		while true do
			if not j then fail("unterminated string") end
			out[#out + 1] = sub(s, i, j - 1)
			local c = byte(s, j)
			if c == 34 then pos = j + 1 return table.concat(out) end
			if c ~= 92 then pos = j fail("control character in a string") end
			local e = sub(s, j + 1, j + 1)
			if e == "u" then
				local hex = s:match("^%x%x%x%x", j + 2)
				if not hex then pos = j fail("bad \\u escape") end
				local cp = tonumber(hex, 16)
				i = j + 6
				if cp >= 0xD800 and cp <= 0xDBFF then
					local lo = s:match("^\\u(%x%x%x%x)", i)
					lo = lo and tonumber(lo, 16)
					if lo and lo >= 0xDC00 and lo <= 0xDFFF then
						cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
						i = i + 6
					else
						cp = 0xFFFD
					end
				elseif cp >= 0xDC00 and cp <= 0xDFFF then
					cp = 0xFFFD
				end
				out[#out + 1] = utf8.char(cp)
			else
				local m = unescape[e]
				if not m then pos = j fail("bad escape") end
				out[#out + 1] = m
				i = j + 2
			end
			j = find(s, '[%z\1-\31"\\]', i)
		end
	end
	local function num()
		local a, b = find(s, "^-?%d+", pos)
		if not a then fail("bad number") end
		if byte(s, a) == 45 then a = a + 1 end -- '-'
		if b > a and byte(s, a) == 48 then fail("leading zero in a number") end
		local e, float = b, false
		if byte(s, e + 1) == 46 then -- '.'
			local _, fb = find(s, "^%d+", e + 2)
			if fb then e, float = fb, true end
		end
		local x = byte(s, e + 1)
		if x == 101 or x == 69 then -- 'e', 'E'
			local _, xb = find(s, "^[-+]?%d+", e + 2)
			if xb then e, float = xb, true end
		end
		local n = tonumber(sub(s, pos, e))
		pos = e + 1
		if not n then fail("bad number") end
		if not float then n = math.tointeger(n) or n end
		return n
	end
	function value()
		skip()
		local c = byte(s, pos)
		if c == 123 then -- {
			depth = depth + 1
			if depth > 32 then fail("nested deeper than 32 levels") end
			pos = pos + 1
			local t = {}
			skip()
			if byte(s, pos) == 125 then pos = pos + 1 depth = depth - 1 return t end
			while true do
				skip()
				if byte(s, pos) ~= 34 then fail("expected a string key") end
				local k = str()
				skip()
				if byte(s, pos) ~= 58 then fail("expected ':'") end
				pos = pos + 1
				t[k] = value()
				skip()
				local d = byte(s, pos)
				pos = pos + 1
				if d == 125 then break end
				if d ~= 44 then pos = pos - 1 fail("expected ',' or '}'") end
			end
			depth = depth - 1
			return t
		elseif c == 91 then -- [
			depth = depth + 1
			if depth > 32 then fail("nested deeper than 32 levels") end
			pos = pos + 1
			local t = json.array()
			skip()
			if byte(s, pos) == 93 then pos = pos + 1 depth = depth - 1 return t end
			while true do
				t[#t + 1] = value()
				skip()
				local d = byte(s, pos)
				pos = pos + 1
				if d == 93 then break end
				if d ~= 44 then pos = pos - 1 fail("expected ',' or ']'") end
			end
			depth = depth - 1
			return t
		elseif c == 34 then return str()
		elseif c == 45 or (c and c >= 48 and c <= 57) then return num()
		elseif c == 116 and sub(s, pos, pos + 3) == "true" then pos = pos + 4 return true
		elseif c == 102 and sub(s, pos, pos + 4) == "false" then pos = pos + 5 return false
		elseif c == 110 and sub(s, pos, pos + 3) == "null" then pos = pos + 4 return json.null
		elseif not c then fail("unexpected end of input")
		end
		fail("unexpected character")
	end
	local ok, res = pcall(function()
		local v = value()
		skip()
		if pos <= #s then fail("trailing characters") end
		return v
	end)
	if ok then return res end
	if type(res) == "table" and res.json then return nil, "json: " .. res.json end
	return nil, "json: " .. tostring(res)
end

---------------------------------------------------------------- frames

--- One frame: 4-byte big-endian length, then the payload.
-- frame : (payload) -> string
function M.frame(payload) return string.pack(">I4", #payload) .. payload end

--- Take one frame off the front of buf.
-- unframe : (buf, max) -> payload, rest | nil (incomplete) | (false, error)
function M.unframe(buf, max)
	if #buf < 4 then return nil end
	local n = string.unpack(">I4", buf)
	if n > max then return false, string.format("frame of %d bytes exceeds the limit of %d", n, max) end
	if #buf < 4 + n then return nil end
	return buf:sub(5, 4 + n), buf:sub(5 + n)
end

--- Encode a message (a table) as a frame, stamping the protocol version.
-- message : (table) -> string
function M.message(t)
	t.v = M.PROTOCOL
	return M.frame(json.encode(t))
end

--- Decode and check one request payload.
-- parse_request : (payload) -> {v, cmd, args, flags} | (nil, error, code)
-- code is 2 for a malformed or unknown request.
function M.parse_request(payload)
	local t, err = json.decode(payload)
	if t == nil then return nil, "malformed request: " .. err, 2 end
	if type(t) ~= "table" or getmetatable(t) == array_mt or t == json.null then
		return nil, "malformed request: not a JSON object", 2
	end
	if math.type(t.v) ~= "integer" then return nil, "malformed request: no protocol version 'v'", 2 end
	if t.v ~= M.PROTOCOL then
		return nil, string.format("protocol mismatch: luactl speaks protocol %d, PID 1 speaks %d; "
			.. "use the luactl that came with the running luainit", t.v, M.PROTOCOL), 2
	end
	if type(t.cmd) ~= "string" then return nil, "malformed request: 'cmd' must be a string", 2 end
	if not M.COMMANDS[t.cmd] then
		return nil, string.format("unknown command '%s' (PID 1 speaks protocol %d)", t.cmd:sub(1, 64), M.PROTOCOL), 2
	end
	local args = t.args
	if args == nil or args == json.null then args = {} end
	if type(args) ~= "table" or (next(args) ~= nil and not is_array(args)) then
		return nil, "malformed request: 'args' must be an array of strings", 2
	end
	for _, a in ipairs(args) do
		if type(a) ~= "string" then return nil, "malformed request: 'args' must be an array of strings", 2 end
	end
	local flags = t.flags
	if flags == nil or flags == json.null then flags = {} end
	if type(flags) ~= "table" or getmetatable(flags) == array_mt then
		return nil, "malformed request: 'flags' must be an object", 2
	end
	for k, v in pairs(flags) do
		local tv = type(v)
		if type(k) ~= "string" or (tv ~= "boolean" and tv ~= "number" and tv ~= "string") then
			return nil, "malformed request: flag values must be booleans, numbers or strings", 2
		end
	end
	return { v = t.v, cmd = t.cmd, args = args, flags = flags }
end

--- Is t encoded as a JSON array?
-- is_array : (t) -> boolean
M.is_array = is_array

return M
