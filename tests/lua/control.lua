-- tests/lua/control.lua: the luactl protocol (frames, JSON, request checks),
-- eval limits, and the server end to end in this process, with the real
-- luactl binary as the client.
local control = require "control"
local event = require "luainit.event"
local fs = require "luainit.fs"
local process = require "luainit.process"
local sched = require "sched"
local socket = require "luainit.socket"
local json = control.json

local T = {}

T["JSON round-trips the values the protocol uses"] = function()
	local v = { v = 1, cmd = "status", args = json.array({ "a", "b\n\"c\"" }), flags = { n = 5, f = 1.5, no = false },
		empty = json.array(), obj = {} }
	local s = json.encode(v)
	assert(s:find('"empty":%[%]') and s:find('"obj":{}'), s)
	local w = assert(json.decode(s))
	assert(w.args[2] == 'b\n"c"' and w.flags.n == 5 and math.type(w.flags.n) == "integer")
	assert(w.flags.f == 1.5 and w.flags.no == false and #w.empty == 0)
	assert(json.decode('"\\u00e9\\ud83d\\ude00"') == "é😀")
	assert(json.decode("null") == json.null)
	assert(json.encode("\0\127") == '"\\u0000\\u007f"')
	-- a float in the fewest of 15, 16 or 17 digits that reads back as
	-- itself (float.text; 1/3 took 17 before: 0.33333333333333331); inf
	-- and nan, which JSON has no word for, as null
	assert(json.encode(46.012) == "46.012" and json.encode(0.1) == "0.1", json.encode(46.012))
	assert(json.encode(1 / 3) == "0.3333333333333333" and json.encode(8080.0) == "8080", json.encode(1 / 3))
	assert(json.encode({ math.huge, -math.huge, 0 / 0 }) == "[null,null,null]")
	for _, f in ipairs({ 1 / 3, 2 ^ 0.5, 1e300, -5e-324, 0.1 + 0.2 }) do
		assert(json.decode(json.encode(f)) == f, json.encode(f))
	end
	-- plain strings, escaped ones and the encoder's cache of plain strings
	-- (emptied when full): the same text always encodes the same way
	assert(json.decode('"zebra"') == "zebra" and json.decode('""') == "" and json.decode('"a\127b"') == "a\127b")
	assert(json.decode('["a","b\\"c"]')[2] == 'b"c' and json.decode('"x') == nil)
	for round = 1, 2 do
		for i = 1, 700 do
			local k = "key" .. i
			assert(json.encode({ [k] = k .. "\t" }) == '{"' .. k .. '":"' .. k .. '\\t"}', round .. ":" .. i)
		end
	end
end

T["JSON rejects what is not strict JSON, with a position"] = function()
	for _, bad in ipairs({ "", "{", '{"a":1,}', "[1,]", "01", "1.", '"a\nb"', "{'a':1}", "[1] x", "nul",
		string.rep("[", 40) .. string.rep("]", 40), '{"a" 1}', "-", '"\\x"' }) do
		local v, err = json.decode(bad)
		assert(v == nil and err:match("^json: .* at byte %d+$"), string.format("%q -> %s", bad, tostring(err)))
	end
end

T["frames: length prefix, incomplete, oversized"] = function()
	local f = control.frame("hello")
	assert(#f == 9 and f:sub(1, 4) == "\0\0\0\5")
	assert(control.unframe(f:sub(1, 3), 100) == nil)
	assert(control.unframe(f:sub(1, 8), 100) == nil)
	local p, rest = control.unframe(f .. "xy", 100)
	assert(p == "hello" and rest == "xy")
	local no, err = control.unframe(string.pack(">I4", 70000) .. "x", 65536)
	assert(no == false and err:match("70000 bytes exceeds the limit of 65536"))
end

T["requests: version mismatch, unknown command, bad shapes"] = function()
	local r = assert(control.parse_request('{"v":1,"cmd":"start","args":["web"],"flags":{"no_block":true}}'))
	assert(r.cmd == "start" and r.args[1] == "web" and r.flags.no_block == true)
	local _, err, code = control.parse_request('{"v":2,"cmd":"status"}')
	assert(code == 2 and err:match("luactl speaks protocol 2, PID 1 speaks 1"), err)
	_, err = control.parse_request('{"v":1,"cmd":"explode"}')
	assert(err:match("unknown command 'explode'"))
	_, err = control.parse_request('{"v":1,"cmd":"start","args":[1]}')
	assert(err:match("'args' must be an array of strings"))
	_, err = control.parse_request('{"v":1,"cmd":"start","flags":{"x":[1]}}')
	assert(err:match("flag values"))
	_, err = control.parse_request('[1]')
	assert(err:match("not a JSON object"))
	_, err = control.parse_request('{"cmd":"status"}')
	assert(err:match("no protocol version"))
end

T["fuzz: a short run of the request parser"] = function()
	local chunk = assert(loadfile("tests/fuzz/control_fuzz.lua"))
	local fuzz = chunk()
	local res = fuzz.run(3000, 42)
	assert(res.iterations == 3000)
end

T["eval: values, print, errors, and a runaway loop is stopped"] = function()
	local ok, v, out = control.eval("1 + 1, 'x'")
	assert(ok and v == '2\t"x"' and out == "", v)
	ok, v, out = control.eval("print('hi', 3) return nil")
	assert(ok and out == "hi\t3\n")
	ok, v = control.eval("error('boom')")
	assert(not ok and v:match("boom"))
	ok, v = control.eval("x = = 1")
	assert(not ok and v:match("eval:1:"))
	ok, v = control.eval("while true do end")
	assert(not ok and v:match("eval stopped"), v)
	-- a pcall in the code cannot swallow the stop
	ok, v = control.eval("while true do pcall(function() while true do end end) end")
	assert(not ok and v:match("eval stopped"), v)
	ok, v = control.eval("os.exit(1)")
	assert(not ok and v:match("os.exit would end PID 1"))
	-- the caller's coroutine has no hook left behind
	assert(debug.gethook() == nil)
end

-- Run the real client (build/luainit as "luactl") against a socket served
-- by this process; returns exit code, stdout, stderr.
local bin = fs.readlink("/proc/self/exe")
local function luactl(dir, ...)
	local out, err = dir .. "/out", dir .. "/err"
	local pid = assert(process.spawn({ argv = { dir .. "/luactl", ... },
		env = { "LUAINIT_CONTROL=" .. dir .. "/control", "PATH=/usr/bin:/bin" },
		stdout = { file = out }, stderr = { file = err } }))
	local how, code = sched.wait_child(pid, 20000)
	assert(how == "exited", "luactl " .. tostring(how) .. " " .. tostring(code))
	return code, fs.readfile(out) or "", fs.readfile(err) or ""
end

local function server_dir()
	local d = "/tmp/luainit-test-control." .. process.getpid() .. "." .. math.random(1e9)
	fs.mkdirp(d)
	assert(fs.symlink(bin, d .. "/luactl"))
	assert(control.listen(d .. "/control"))
	return d
end

local function cleanup(d)
	control.close(d .. "/control")
	for _, n in ipairs(fs.readdir(d) or {}) do fs.unlink(d .. "/" .. n) end
	fs.rmdir(d)
end

-- Send raw bytes, collect replies until the server closes (or 5 s).
local function raw(path, bytes)
	local s = assert(socket.connect(path))
	if #bytes > 0 then assert(s:write(bytes)) end
	local buf, done = "", false
	local co = coroutine.running()
	local w
	w = assert(event.watch(s, "r", function()
		local d = s:read(65536)
		if d and d ~= "" then buf = buf .. d else done = true w:close() sched.wake(co) end
	end))
	for _ = 1, 50 do
		if done then break end
		sched.wait(co, 100)
	end
	if not done then w:close() end
	s:close()
	local msgs = {}
	while true do
		local p, rest = control.unframe(buf, 1 << 24)
		if not p then break end
		buf = rest
		msgs[#msgs + 1] = json.decode(p)
	end
	return msgs, done
end

T["client: an exit code luactl.main should not return is an error, not a panic"] = function()
	-- an edited luactl.lua (here first on LUAINIT_PATH) may return
	-- anything; a float once raised in luaL_optinteger outside every
	-- protected call: a Lua panic, abort() and a core dump
	local d = server_dir()
	local ok, err = pcall(function()
		local function with(ret)
			assert(fs.writefile(d .. "/luactl.lua", "return { main = function() return " .. ret .. " end }"))
			local pid = assert(process.spawn({ argv = { d .. "/luactl", "status" },
				env = { "LUAINIT_PATH=" .. d .. "/?.lua", "PATH=/usr/bin:/bin" },
				stdout = { file = d .. "/out" }, stderr = { file = d .. "/err" } }))
			local how, code = sched.wait_child(pid, 20000)
			return how, code, fs.readfile(d .. "/err") or ""
		end
		local how, code, e = with("1.5")
		assert(how == "exited" and code == 1, tostring(how) .. " " .. tostring(code) .. " " .. e)
		assert(e:match("luactl: .*luactl.main returned number 1.5 as the exit code, an integer expected"), e)
		how, code, e = with("{}")
		assert(how == "exited" and code == 1 and e:match("returned table table: "), e)
		how, code = with("3")
		assert(how == "exited" and code == 3, tostring(how) .. " " .. tostring(code))
		how, code = with("nil")
		assert(how == "exited" and code == 1, tostring(how) .. " " .. tostring(code))
	end)
	cleanup(d)
	assert(ok, err)
end

T["server: the client end to end, and bad requests get an error reply"] = function()
	local fsst = fs.stat("/proc/self/exe")
	if not fsst then error("SKIP: no /proc") end
	local d = server_dir()
	local ok, err = pcall(function()
		local code, out = luactl(d, "version")
		assert(code == 0 and out:match("PID 1 protocol 1"), out)
		code, out = luactl(d, "status")
		assert(code == 0 and out:match("^NAME%s+STATE"), out)
		local e, _
		code, out, e = luactl(d, "status", "nosuch")
		assert(code == 3 and e:match("unknown service 'nosuch'"), e)
		code, out = luactl(d, "status", "--json")
		assert(code == 0 and json.decode(out).services, out)
		code, _, e = luactl(d, "start")
		assert(code == 2 and e:match("name at least one service"), e)
		code, _, e = luactl(d, "frobnicate")
		assert(code == 2 and e == "luactl: unknown command 'frobnicate'\nRun 'luactl help' for the commands.\n", e)
		-- a command begun or a letter off gets the one meant
		for _, t in ipairs({ { "logs", "log" }, { "stat", "status" }, { "stp", "stop" }, { "rstart", "restart" },
				{ "poweroffx", "poweroff" }, { "sttaus", "status" } }) do
			code, _, e = luactl(d, t[1])
			assert(code == 2 and e:find("luactl: unknown command '" .. t[1] .. "' (did you mean '" .. t[2] .. "'?)\n",
				1, true) == 1, e)
		end
		code, _, e = luactl(d, "st")
		assert(code == 2 and e:match("^luactl: unknown command 'st'\n"), e)
		-- analyze by section, as systemd-analyze's verbs (a step recorded by hand)
		code = luactl(d, "eval", 'local n = require("luainit.event").now() '
			.. 'table.insert(require("stage").timeline, { name = "by hand", start = n - 5, stop = n, ok = true })')
		assert(code == 0)
		local whole
		code, whole = luactl(d, "analyze")
		assert(code == 0 and whole:find("\nBlame ") and whole:find("\nCritical chain "), whole)
		for verb, first in pairs({ time = "^[SU]", blame = "^Blame ", ["critical-chain"] = "^Critical chain " }) do
			code, out = luactl(d, "analyze", verb)
			assert(code == 0 and out:find(first) and whole:find(out:match("^[^\n]*"), 1, true), verb .. ": " .. out)
		end
		code, _, e = luactl(d, "analyze", "blame", "time")
		assert(code == 2 and e:match("unexpected argument 'time'"), e)
		code, out = luactl(d, "analyze", "plot")
		assert(code == 0 and out:find("^<%?xml") and out:find("by hand", 1, true) and out:find("</svg>\n?$"), out)
		code, _, e = luactl(d, "analyze", "plot", "a.svg", "b.svg")
		assert(code == 2 and e:match("analyze plot: at most the SVG file"), e)
		code, out, e = luactl(d, "eval", "while true do end")
		assert(code == 1 and e:match("eval stopped"), e)
		code, out = luactl(d, "eval", "return 6 * 7")
		assert(code == 0 and out == "42\n", out)
		-- version mismatch, malformed, oversized: an error reply, then close
		local m = raw(d .. "/control", control.frame('{"v":9,"cmd":"status"}'))
		assert(m[1] and m[1].ok == false and m[1].error:match("luactl speaks protocol 9, PID 1 speaks 1"))
		m = raw(d .. "/control", control.frame("{not json"))
		assert(m[1] and m[1].ok == false and m[1].error:match("^malformed request"))
		m = raw(d .. "/control", string.pack(">I4", 1 << 30))
		assert(m[1] and m[1].ok == false and m[1].error:match("request too large"))
		-- kill's request checks: each bad part is refused with code 2 and
		-- what was expected, before any name is looked at; then an
		-- unknown name is 3
		for _, case in ipairs({
			{ {}, {}, "kill: name at least one service" },
			{ { "x" }, { signal = "BOGUS" }, 'kill: unknown signal "BOGUS" (expected a name such as HUP, TERM, USR1, KILL, or a number from 1 to 64)' },
			{ { "x" }, { signal = 0 }, "kill: unknown signal 0 (" },
			{ { "x" }, { signal = "65" }, 'kill: unknown signal "65" (' },
			{ { "x" }, { signal = "99999999999999999999" }, 'kill: unknown signal "99999999999999999999" (' },
			{ { "x" }, { signal = 1.5 }, "kill: unknown signal 1.5 (" },
			{ { "x" }, { signal = true }, "kill: unknown signal true (" },
			{ { "x" }, { signal = "" }, 'kill: unknown signal "" (' },
			{ { "x" }, { all = "yes" }, 'kill: flag \'all\' must be true or false, got "yes"' },
		}) do
			m = raw(d .. "/control", control.message({ cmd = "kill", args = json.array(case[1]), flags = case[2] }))
			assert(m[1] and m[1].ok == false and m[1].code == 2 and m[1].error:sub(1, #case[3]) == case[3],
				m[1] and m[1].error)
		end
		-- any command's flags: the wrong type or range is refused, naming
		-- the flag (they were taken as the default); one PID 1 does not
		-- know is left alone (a newer luactl's)
		for _, case in ipairs({
			{ "status", { lines = "x" }, "status: flag 'lines' must be a whole number >= 0, got \"x\"" },
			{ "start", { timeout = -1 }, "start: flag 'timeout' must be a number of seconds >= 0, got -1" },
			{ "log", { n = 0.5 }, "log: flag 'n' must be a whole number >= 0, got 0.5" },
			{ "log", { n = "3" }, "log: flag 'n' must be a whole number >= 0, got \"3\"" },
			{ "status", { lines = "5" }, "status: flag 'lines' must be a whole number >= 0, got \"5\"" },
			{ "reload", { dry_run = "yes" }, "reload: flag 'dry_run' must be true or false, got \"yes\"" },
			{ "analyze", { svg = 1 }, "analyze: flag 'svg' must be true or false, got 1" },
		}) do
			m = raw(d .. "/control", control.message({ cmd = case[1], args = json.array(), flags = case[2] }))
			assert(m[1] and m[1].ok == false and m[1].code == 2 and m[1].error == case[3], m[1] and m[1].error)
		end
		m = raw(d .. "/control", control.message({ cmd = "status", args = json.array(), flags = { from_the_future = 1 } }))
		assert(m[1] and m[1].ok == true, m[1] and m[1].error)
		for _, sig in ipairs({ "hup", "SIGHUP", "sigusr1", 9, "64", "KILL" }) do
			m = raw(d .. "/control", control.message({ cmd = "kill", args = { "nosuch" }, flags = { signal = sig, all = true } }))
			assert(m[1] and m[1].code == 3 and m[1].error == "unknown service 'nosuch'", tostring(sig))
		end
		-- two requests on one connection are answered in order
		m = raw(d .. "/control", control.message({ cmd = "version" }) .. control.message({ cmd = "list" }) .. control.frame("x"))
		assert(#m == 3 and m[1].result.protocol == 1 and m[2].result.services and m[3].ok == false)
	end)
	cleanup(d)
	assert(ok, err)
end

-- luactl read on after any failed write, waiting for a final frame that
-- only a PID 1 that closed the connection sends (EPIPE, ECONNRESET);
-- after any other error it waited until PID 1 dropped the connection
T["client: a write error other than EPIPE or ECONNRESET is reported at once"] = function()
	local luactl = require "luactl"
	local path = "/run/luainit-test/control"
	local function conn(ename, strerror, replies)
		local sock = { reads = 0, closed = false }
		function sock.write() return nil, "write: " .. strerror, 5, ename end
		function sock.read()
			sock.reads = sock.reads + 1
			return table.remove(replies, 1) or ""
		end
		function sock.close() sock.closed = true end
		return luactl.conn(sock, path), sock
	end
	local c, sock = conn("EIO", "Input/output error", { control.message({ ok = true, code = 0 }) })
	local r, e = c:request("status", {}, {})
	assert(r == nil and e == "write to " .. path .. ": Input/output error", tostring(e))
	assert(sock.reads == 0, "read after EIO")
	-- PID 1's refusal, written before it closed
	local refusal = control.message({ ok = false, code = 1, error = "too many connections to PID 1 from uid 65534 (at most 8); try again" })
	for _, ename in ipairs({ "EPIPE", "ECONNRESET" }) do
		c = conn(ename, "Broken pipe", { refusal })
		r, e = c:request("status", {}, {})
		assert(r and r.ok == false and r.error:match("^too many connections"), ename .. ": " .. tostring(e))
	end
	-- closed without a word: the write's error
	c = conn("ECONNRESET", "Connection reset by peer", {})
	r, e = c:request("status", {}, {})
	assert(r == nil and e == "write to " .. path .. ": Connection reset by peer", tostring(e))
	-- the command's exit code and message
	local connect, stderr = luactl.connect, io.stderr
	local said = {}
	io.stderr = { write = function(self, ...) for _, x in ipairs({ ... }) do said[#said + 1] = x end return self end }
	local ok, code = pcall(function()
		luactl.connect = function() return (conn("ENOBUFS", "No buffer space available", {})) end
		return luactl.main({ [0] = "luactl", "status" })
	end)
	luactl.connect, io.stderr = connect, stderr
	assert(ok, code)
	said = table.concat(said)
	assert(code == 1 and said == "luactl: status: write to " .. path .. ": No buffer space available\n", tostring(code) .. " " .. said)
end

T["client: a request larger than the socket's buffer gets PID 1's refusal"] = function()
	-- the client's writes block: EAGAIN cut such a request short
	local d = server_dir()
	local ok, err = pcall(function()
		assert(fs.writefile(d .. "/big", "return " .. string.rep(" ", 1 << 20) .. "1\n"))
		local pid = assert(process.spawn({ argv = { d .. "/luactl", "repl" },
			env = { "LUAINIT_CONTROL=" .. d .. "/control", "PATH=/usr/bin:/bin" },
			stdin = { file = d .. "/big" }, stdout = { file = d .. "/out" }, stderr = { file = d .. "/err" } }))
		-- the server (this process) reads nothing for a while: the client
		-- fills the socket's buffer and must wait for room
		local t = event.now()
		while event.now() - t < 500 do end
		local how, code = sched.wait_child(pid, 20000)
		local e = fs.readfile(d .. "/err") or ""
		assert(how == "exited" and code == 0, tostring(how) .. " " .. tostring(code) .. " " .. e)
		assert(e:match("^error: request too large: frame of %d+ bytes exceeds the limit of 65536"), e)
	end)
	cleanup(d)
	assert(ok, err)
end

-- `luactl log -f` had no final frame: it exited 1 when PID 1 went away at
-- a clean poweroff, as when the connection just drops
T["log -f: the shutdown's end is a final frame (exit 0), a dropped connection is not (exit 1)"] = function()
	local d = server_dir()
	local ok, err = pcall(function()
		local function follow(n)
			local out, e = d .. "/out" .. n, d .. "/err" .. n
			local pid = assert(process.spawn({ argv = { d .. "/luactl", "log", "-f" },
				env = { "LUAINIT_CONTROL=" .. d .. "/control", "PATH=/usr/bin:/bin" },
				stdout = { file = out }, stderr = { file = e } }))
			-- a waiter from the start: an exit nobody waits for is not kept
			local r = {}
			sched.spawn(function() r.how, r.code = sched.wait_child(pid, 20000) r.done = true end)
			for _ = 1, 100 do
				if (fs.readfile(out) or "") ~= "" then break end
				sched.sleep(50)
			end
			assert((fs.readfile(out) or "") ~= "", "log -f printed nothing")
			return function()
				for _ = 1, 200 do
					if r.done then break end
					sched.sleep(50)
				end
				return r.how, r.code, fs.readfile(e) or ""
			end
		end
		local done1, done2 = follow(1), follow(2)
		local ended = control.end_followers("reboot")
		assert(#ended == 2, #ended)
		for _, done in ipairs({ done1, done2 }) do
			local how, code, e = done()
			assert(how == "exited" and code == 0, tostring(how) .. " " .. tostring(code) .. " " .. e)
			assert(e == "luactl: log: PID 1 is shutting down (reboot); the log ends here\n", e)
		end
		-- after the end, following ends at once
		local code, out, e = luactl(d, "log", "-f", "-n", "1")
		assert(code == 0 and out ~= "" and e:match("shutting down %(reboot%)"), code .. " " .. e)
		control.ended = nil
		-- a connection that drops without the end is a failure
		local done3 = follow(3)
		control.close()
		local how, code3, e3 = done3()
		assert(how == "exited" and code3 == 1 and e3:match("PID 1 closed the connection"), tostring(code3) .. " " .. e3)
	end)
	control.ended = nil
	cleanup(d)
	assert(ok, err)
end

-- `log --file` read the first 4 MiB of the file: past that size, -n N
-- showed old lines instead of the newest. It reads the last 4 MiB, and
-- leaves out the line that cut falls in (not one that starts right at it).
T["log --file: a file over 4 MiB gives its newest lines, none cut short"] = function()
	local sup = require "supervisor"
	local d = server_dir()
	local TAIL = 4 << 20
	-- 64-byte lines: "new 000...0017\n"; the reply carries the newest that
	-- fit in a frame and counts the others as omitted
	local function lines(tag, n)
		local t = {}
		for i = 1, n do t[i] = string.format("%s %0" .. (62 - #tag) .. "d\n", tag, i) end
		return table.concat(t)
	end
	-- the lines luactl prints, and how many the file's tail had
	local function ask(name, n)
		local code, out, e = luactl(d, "log", "--file", "-n", tostring(n), name)
		assert(code == 0, name .. ": " .. code .. " " .. e)
		local got = {}
		for l in out:gmatch("[^\n]+") do got[#got + 1] = l end
		return got, #got + (tonumber(e:match("^luactl: (%d+) older line%(s%) omitted\n$")) or 0)
	end
	local ok, err = pcall(function()
		for name, text in pairs({
			-- ~1 MiB of old lines, a 5000-byte line the last 4 MiB starts
			-- inside, then 65500 lines of 64 bytes (2304 bytes short of 4 MiB)
			cut = lines("old", 16000) .. string.rep("x", 5000) .. "\n" .. lines("new", 65500),
			-- the last 4 MiB start right after a newline: 65536 whole lines
			whole = lines("old", 16000) .. lines("new", 65536),
			-- 4 MiB and a newline before: the read starts at 0 and skips it
			edge = "\n" .. lines("new", 65536),
			small = lines("new", 3),
		}) do
			local path = d .. "/" .. name .. ".log"
			assert(fs.writefile(path, text))
			sup.services[name] = { name = name, log = { file = path } }
		end
		assert(#lines("new", 65536) == TAIL)
		local got, total = ask("cut", 100000)
		assert(total == 65500, "cut: " .. total .. " lines")
		assert(got[#got] == string.format("new %059d", 65500), got[#got])
		got, total = ask("whole", 100000)
		assert(total == 65536, "whole: " .. total .. " lines")
		got, total = ask("edge", 100000)
		assert(total == 65536, "edge: " .. total .. " lines")
		got, total = ask("small", 100000)
		assert(total == 3 and got[1] == string.format("new %059d", 1), "small: " .. total .. " lines")
		-- -n 2 is the newest two lines
		got, total = ask("whole", 2)
		assert(total == 2 and got[1] == string.format("new %059d", 65535) and got[2] == string.format("new %059d", 65536))
	end)
	for _, name in ipairs({ "cut", "whole", "edge", "small" }) do sup.services[name] = nil end
	cleanup(d)
	assert(ok, err)
end

-- `log --file` said "NAME has no log file" for any file it could not
-- read: one that is there but cannot be opened, stat'ed, sought or read
-- gives that error, path and strerror; "has no log file" is kept for
-- log.file = false and for a file that does not exist (yet: the supervisor
-- makes it at the service's first line of output), and says which
T["log --file: a file that cannot be read gives the error, not 'has no log file'"] = function()
	local sup = require "supervisor"
	local d = server_dir()
	local names = {}
	local function svc(name, file)
		sup.services[name] = { name = name, log = { file = file } }
		names[#names + 1] = name
	end
	-- the error of an open, as this libc words it ("open PATH: strerror")
	local function open_error(path, ename)
		local fd, e, _, en = fs.open(path, "r,nonblock,noctty")
		assert(not fd and en == ename, path .. ": " .. tostring(en))
		return e
	end
	local function fails(name, want)
		local code, out, e = luactl(d, "log", "--file", name)
		assert(code == 1 and out == "", name .. ": " .. code .. " " .. out)
		assert(e == "luactl: log: " .. want .. "\n", name .. ": " .. e)
	end
	local ok, err = pcall(function()
		assert(fs.writefile(d .. "/plain.log", "one\ntwo\n"))
		assert(fs.symlink("loop.log", d .. "/loop.log"))
		svc("off", false)
		svc("absent", d .. "/absent.log")
		svc("loop", d .. "/loop.log")
		svc("notdir", d .. "/plain.log/x.log")
		-- a regular file whose end cannot be sought (mem_lseek: EINVAL)
		svc("mem", "/proc/self/mem")
		svc("plain", d .. "/plain.log")
		fails("off", "off has no log file (log.file = false)")
		fails("absent", "absent has no log file (" .. d .. "/absent.log does not exist: it is made at the service's first line of output)")
		fails("loop", "loop: " .. open_error(d .. "/loop.log", "ELOOP"))
		fails("notdir", "notdir: " .. open_error(d .. "/plain.log/x.log", "ENOTDIR"))
		local mem <close> = assert(fs.open("/proc/self/mem", "r"))
		local no, serr = mem:seek(0, "end")
		assert(no == nil and serr:match("^seek: ."), tostring(serr))
		fails("mem", "mem: seek /proc/self/mem" .. serr:sub(#"seek" + 1))
		-- sysfs refuses to open a write-only attribute for reading, even
		-- to root: EACCES
		local wo = "/sys/bus/platform/uevent"
		local st = fs.stat(wo)
		if st and st.type == "file" and st.mode & 0x124 == 0 then
			svc("wo", wo)
			fails("wo", "wo: " .. open_error(wo, "EACCES"))
		end
		local code, out = luactl(d, "log", "--file", "plain")
		assert(code == 0 and out == "one\ntwo\n", code .. " " .. out)
	end)
	for _, name in ipairs(names) do sup.services[name] = nil end
	cleanup(d)
	assert(ok, err)
end

-- Never with -f here: that is reboot(2) on the machine running the tests.
T["poweroff/reboot/halt: halt(8)'s options, and signals when there is no socket"] = function()
	local d = "/tmp/luainit-test-power." .. process.getpid() .. "." .. math.random(1e9)
	fs.mkdirp(d)
	for _, n in ipairs({ "reboot", "halt", "poweroff" }) do assert(fs.symlink(bin, d .. "/" .. n)) end
	local function run(prog, target, ...)
		local pid = assert(process.spawn({ argv = { d .. "/" .. prog, ... },
			env = { "LUAINIT_CONTROL=" .. d .. "/no-socket", "LUAINIT_PID=" .. target, "PATH=/usr/bin:/bin" },
			stdout = { file = d .. "/out" }, stderr = { file = d .. "/err" } }))
		local how, code = sched.wait_child(pid, 20000)
		assert(how == "exited")
		return code, fs.readfile(d .. "/err") or "", fs.readfile(d .. "/out") or ""
	end
	local exits = {}
	sched.on_child(function(pid, how, code) exits[pid] = { how, code } end)
	local function died(pid)
		for _ = 1, 50 do
			if exits[pid] then return table.unpack(exits[pid]) end
			sched.sleep(100)
		end
	end
	local ok, err = pcall(function()
		-- a stand-in for PID 1 that records the signal it gets
		local function signalled(prog, ...)
			local victim = assert(process.spawn({ argv = { "/bin/sleep", "30" } }))
			local code, e = run(prog, victim, ...)
			assert(code == 0 and e:match("no control socket at .*; sent SIG%w+ to PID " .. victim), e)
			local how, sig = died(victim)
			assert(how == "killed", tostring(how))
			return sig
		end
		assert(signalled("reboot", "-d") == "TERM")
		assert(signalled("halt", "-i", "-h", "--no-wall", "--no-wtmp") == "USR1")
		assert(signalled("poweroff", "-n") == "USR2")
		-- -p and --poweroff power off, --reboot and --halt likewise,
		-- whichever command ran (the last one given wins)
		assert(signalled("halt", "-p") == "USR2")
		assert(signalled("halt", "-dp") == "USR2")
		assert(signalled("halt", "--poweroff") == "USR2")
		assert(signalled("halt", "--reboot") == "TERM")
		assert(signalled("reboot", "--halt") == "USR1")
		assert(signalled("poweroff", "--reboot", "--halt") == "USR1")
		-- -w only writes the wtmp record: there is none, so nothing happens
		local victim = assert(process.spawn({ argv = { "/bin/sleep", "30" } }))
		for _, w in ipairs({ { "-w" }, { "--wtmp-only" }, { "-dw" }, { "-p", "-w" } }) do
			local code, e = run("halt", victim, table.unpack(w))
			assert(code == 0 and e == "", table.concat(w, " ") .. ": " .. e)
		end
		sched.sleep(200)
		assert(exits[victim] == nil, "halt -w signalled PID 1")
		process.kill(victim, "KILL")
		-- anything else is refused with a usage line, and nothing happens
		for _, bad in ipairs({ { "-x" }, { "-q" }, { "--bogus" }, { "now" }, { "-pz" } }) do
			local code, e = run("halt", 999999999, table.unpack(bad))
			assert(code == 2 and (e:match("^halt: unknown option '%-") or e:match("^halt: unexpected argument 'now'")), e)
			assert(e:match("\nusage: halt %[%-p|%-%-poweroff|%-%-reboot|%-%-halt%] %[%-f%] %[%-n%] %[%-w%] %[%-d%]\n$"), e)
		end
		local code, e = run("halt", 999999999, "-d", "5")
		assert(code == 2 and e:match("unexpected argument '5' %(%-d means: no wtmp record; for a delay, sleep first%)"), e)
		local out
		code, e, out = run("halt", 999999999, "--help")
		assert(code == 0 and e == "" and out:match("^usage: halt ") and out:match("%-w, %-%-wtmp%-only"), out)
	end)
	for _, n in ipairs(fs.readdir(d) or {}) do fs.unlink(d .. "/" .. n) end
	fs.rmdir(d)
	assert(ok, err)
end

return T
