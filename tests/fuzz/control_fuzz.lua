-- tests/fuzz/control_fuzz.lua: a fuzz harness for the control protocol's
-- request parser (control.unframe, control.parse_request, json.decode).
-- Random bytes, mutations of valid requests and generated JSON documents go
-- through the same path PID 1 takes; the parser must return a request or
-- (nil, message, code) and never raise, and PID 1's Lua heap must not grow
-- across the run (no leak). A JSON round trip must be the identity.
--   luainit --lua tests/fuzz/control_fuzz.lua [ITERATIONS] [SEED]
-- tests/lua/control.lua runs a short round of it in `make check`.
local control = require "control"
local event = require "luainit.event"
local json = control.json

local M = {}

local seeds = {
	'{"v":1,"cmd":"status","args":[],"flags":{}}',
	'{"v":1,"cmd":"start","args":["web","db"],"flags":{"no_block":true,"timeout":5}}',
	'{"v":1,"cmd":"eval","args":["return 1+1"]}',
	'{"v":1,"cmd":"log","args":["web"],"flags":{"n":20,"follow":false}}',
	'{"v":2,"cmd":"status"}',
	'{"v":1,"cmd":"reload","flags":{"dry_run":true}}',
	'[1,2,{"a":[true,false,null,-0.5e3,"\\u00e9\\ud83d\\ude00\\n"]}]',
}

local function rand_bytes(n)
	local t = {}
	for i = 1, n do t[i] = string.char(math.random(0, 255)) end
	return table.concat(t)
end

local alphabet = '{}[]":,\\ 0123456789-+.eEtrufalsn\t\n\0\255u"'
local function mutate(s)
	local ops = math.random(1, 4)
	for _ = 1, ops do
		local r, p = math.random(1, 5), math.random(1, #s + 1)
		if r == 1 then s = s:sub(1, p - 1) .. s:sub(p + 1)                                   -- delete
		elseif r == 2 then local c = math.random(1, #alphabet) s = s:sub(1, p - 1) .. alphabet:sub(c, c) .. s:sub(p)  -- insert
		elseif r == 3 then s = s:sub(1, p - 1) .. string.char(math.random(0, 255)) .. s:sub(p + 1) -- replace
		elseif r == 4 then local q = math.random(p, #s + 1) s = s:sub(1, p - 1) .. s:sub(p, q) .. s:sub(p, q) .. s:sub(q + 1) -- repeat
		else s = s:sub(1, p)                                                              -- truncate
		end
	end
	return s
end

local function gen(depth)
	local r = math.random(1, depth > 4 and 5 or 8)
	if r == 1 then return math.random(-1e6, 1e6)
	elseif r == 2 then return math.random() * 1e10 - 5e9
	elseif r == 3 then return rand_bytes(math.random(0, 12))
	elseif r == 4 then return math.random(0, 1) == 1
	elseif r == 5 then return "s" .. math.random(1, 100)
	elseif r <= 6 then
		local t = json.array()
		for i = 1, math.random(0, 5) do t[i] = gen(depth + 1) end
		return t
	else
		local t = {}
		for _ = 1, math.random(0, 5) do t["k" .. rand_bytes(math.random(0, 3))] = gen(depth + 1) end
		return t
	end
end

local function same(a, b)
	if type(a) == "number" and type(b) == "number" then return a == b or math.abs(a - b) <= 1e-9 * math.abs(a) end
	if type(a) ~= type(b) then return false end
	if type(a) ~= "table" then return a == b end
	for k, v in pairs(a) do if not same(v, b[k]) then return false end end
	for k in pairs(b) do if a[k] == nil then return false end end
	return true
end

local function feed(payload)
	-- as PID 1 does: one frame, then the request checks
	local buf = control.frame(payload) .. rand_bytes(math.random(0, 3))
	local p, rest = control.unframe(buf, control.limits.max_request)
	if p then
		local req, err, code = control.parse_request(p)
		assert(req or (type(err) == "string" and (code == 2 or code == 1)), "parse_request returned neither")
		if req then assert(type(req.cmd) == "string" and type(req.args) == "table" and type(req.flags) == "table") end
	else
		assert(p == nil or (p == false and type(rest) == "string"))
	end
	-- a raw buffer too: any 4 bytes are a length
	control.unframe(payload, control.limits.max_request)
end

--- Run n iterations; raises on the first failure with the input in %q.
-- run : (n, seed?) -> {iterations, heap_before, heap_after}
function M.run(n, seed)
	math.randomseed(seed or 1)
	collectgarbage("collect")
	local before = (event.memory())
	for i = 1, n do
		local kind = i % 4
		local input
		if kind == 0 then input = rand_bytes(math.random(0, 64))
		elseif kind == 1 then input = mutate(seeds[math.random(1, #seeds)])
		elseif kind == 2 then input = json.encode(gen(0))
		else input = mutate(json.encode({ v = 1, cmd = "status", args = gen(1), flags = gen(1) })) end
		local ok, err = pcall(feed, input)
		if not ok then error(string.format("iteration %d: %s\ninput: %q", i, tostring(err), input), 0) end
		if kind == 2 then
			local v = json.decode(input)
			local w = json.decode(json.encode(v))
			if not same(v, w) then error(string.format("iteration %d: JSON round trip differs\ninput: %q", i, input), 0) end
		end
	end
	collectgarbage("collect")
	collectgarbage("collect")
	local after = (event.memory())
	-- no leak: what the run allocated is garbage once it ends
	assert(after - before < 256 * 1024, string.format("heap grew from %d to %d bytes", before, after))
	return { iterations = n, heap_before = before, heap_after = after }
end

if arg and arg[0] and arg[0]:match("control_fuzz%.lua$") then
	local n, seed = tonumber(arg[1]) or 200000, tonumber(arg[2]) or os.time()
	local t0 = event.now()
	local ok, res = pcall(M.run, n, seed)
	if not ok then
		io.stderr:write("control_fuzz: FAILED (seed ", seed, "): ", tostring(res), "\n")
		print("0 passed, 1 failed")
		require("luainit.event").exit(1)
	else
		print(string.format("control_fuzz: %d iterations, seed %d, %.1f s, heap %d -> %d bytes",
			res.iterations, seed, (event.now() - t0) / 1000, res.heap_before, res.heap_after))
		print("1 passed, 0 failed")
		require("luainit.event").exit(0)
	end
end

return M
