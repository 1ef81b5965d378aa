--- ctlcmds: what each luactl command does inside PID 1 (analyze, version,
-- status, list, start/stop/restart, kill, log, reload, eval; poweroff, reboot
-- and halt are the server's, so that a broken edit here cannot keep
-- luactl from stopping the machine). The server (control.lua) owns the sockets, the connections and
-- their limits, who may run what, and the `log -f` followers; it loads
-- this module at the first request (a boot creates the socket but answers
-- none, and need not load these) and hands it, through init, the few
-- parts of itself the handlers use.
--
-- A handler takes (conn, request) and returns the final reply, or nil
-- when it sent that itself; true as a second value keeps the connection
-- busy (a `log -f` streams until the client goes).
local event = require "luainit.event"
local log = require "log"
local sched = require "sched"
local services = require "services"
local sup = require "supervisor"
local json = require("proto").json

local M = {}

local now = event.now
local handlers = {}
-- set by init: the server's public module (limits, ended, reload_checks,
-- services_dir, send and connections are read from it at each request)
-- and its follow, which registers a `log -f` follower
local ctl, follow

--- Give the handlers what they use of the server; returns the handlers,
-- by command name.
-- init : (control, follow) -> {cmd = function}
function M.init(control, follow_fn)
	ctl, follow = control, follow_fn
	return handlers
end

local function progress(c, text) ctl.send(c, { progress = text }) end

local function sorted_names()
	local names = {}
	for n in pairs(sup.services) do names[#names + 1] = n end
	table.sort(names)
	return names
end

local function unknown(names)
	local bad = {}
	for _, n in ipairs(names) do if not sup.services[n] then bad[#bad + 1] = n end end
	if #bad == 0 then return nil end
	return { ok = false, code = 3, error = (#bad == 1 and "unknown service '" or "unknown services '")
		.. table.concat(bad, "', '") .. "'", result = { unknown = json.array(bad) } }
end

local function tail(list, n)
	local out = json.array()
	for i = math.max(1, #list - n + 1), #list do out[#out + 1] = list[i] end
	return out
end

-- analyze: the boot timeline as text (whole, and by section for the
-- client's `analyze blame` and the like), and as an SVG chart when asked
handlers.analyze = function(_, req)
	local analyze = require "analyze"
	local data = analyze.collect()
	local text, sections = analyze.text(data)
	sections.empty = nil
	return { ok = true, code = 0, result = { text = text, sections = sections,
		svg = req.flags.svg and analyze.svg(data) or nil } }
end

handlers.version = function()
	return { ok = true, code = 0, result = { protocol = ctl.PROTOCOL } }
end

handlers.status = function(_, req)
	local names = req.args
	local used, cap = event.memory()
	local pid1 = { lua_memory = used, lua_memory_cap = cap, connections = ctl.connections() }
	if #names == 0 then
		local list = json.array()
		-- the table of every service shows no counters; --json gets them
		local counters
		if not req.flags.json then counters = false end
		for _, n in ipairs(sorted_names()) do
			local st = sup.status(n, counters)
			st.log = nil
			list[#list + 1] = st
		end
		return { ok = true, code = 0, result = { services = list, pid1 = pid1 } }
	end
	local list, missing, code = json.array(), json.array(), 0
	local lines = math.tointeger(req.flags.lines) or 10
	for _, n in ipairs(names) do
		local st = sup.status(n, true)
		if not st then
			missing[#missing + 1] = n
			code = 3
		else
			st.log = tail(st.log or {}, math.max(0, math.min(lines, 1000)))
			if st.state ~= "ready" and st.state ~= "done" then code = 3 end
			list[#list + 1] = st
		end
	end
	local r = { ok = true, code = code, result = { services = list, unknown = missing, pid1 = pid1 } }
	if #missing > 0 then
		r.ok = false
		r.error = (#missing == 1 and "unknown service '" or "unknown services '") .. table.concat(missing, "', '") .. "'"
	end
	return r
end

handlers.list = function()
	local list = json.array()
	for _, n in ipairs(sorted_names()) do
		local s = sup.services[n]
		list[#list + 1] = { name = n, state = s.state, enabled = s.enabled, type = s.type,
			description = s.description, file = s.file }
	end
	return { ok = true, code = 0, result = { services = list } }
end

local DOWN = { stopped = true, failed = true, done = true, backoff = true }
local EMPTY = {}

-- Wait until name is up (ready/done) or down, sending each state change
-- as progress; returns true when it got there.
local function await(c, name, up, deadline)
	local last
	while true do
		local svc = sup.services[name]
		if not svc then return false, "removed" end
		local st = svc.state
		local why = svc.why
		local desc = name .. ": " .. ((why and why:sub(1, #st) == st) and why or (st .. (why and (" (" .. why .. ")") or "")))
		if desc ~= last then last = desc progress(c, desc) end
		if up then
			if st == "ready" or st == "done" then return true end
			if st == "failed" or st == "backoff" or (st == "stopped" and not svc.want) then return false end
		elseif DOWN[st] and not svc.pid then
			return true
		end
		local left = deadline - now()
		if left <= 0 then return false, "timed out" end
		sched.wait("svc:" .. name, math.min(left, 1000))
	end
end

-- names with each after the named ones it requires, directly or not,
-- the given order kept otherwise: a restart of what is required takes
-- what requires it down and up again, so `restart dbuser db` restarted
-- dbuser twice. Those down count too: dbuser down, its start came first
-- and the restart of db then restarted it.
local function required_first(names)
	local named, after, held = {}, {}, {}
	for _, n in ipairs(names) do named[n] = true end
	for n in pairs(named) do
		for _, r in ipairs(sup.requirers(n, true)) do
			if named[r] then
				after[n] = after[n] or {}
				table.insert(after[n], r)
				held[r] = (held[r] or 0) + 1
			end
		end
	end
	local out, done, moved = {}, {}, true
	while moved do
		moved = false
		for _, n in ipairs(names) do
			if not done[n] and (held[n] or 0) == 0 then
				done[n], moved = true, true
				out[#out + 1] = n
				for _, r in ipairs(after[n] or EMPTY) do held[r] = held[r] - 1 end
			end
		end
	end
	for _, n in ipairs(names) do if not done[n] then out[#out + 1] = n end end
	return out
end

local function action(verb)
	return function(c, req)
		local names = req.args
		if #names == 0 then return { ok = false, code = 2, error = verb .. ": name at least one service" } end
		local bad = unknown(names)
		if bad then return bad end
		if verb == "restart" and #names > 1 then names = required_first(names) end
		local results, code = json.array(), 0
		local block = not req.flags.no_block
		local reported = {}
		-- (once a name: `stop db web` where web requires db stops web with db)
		local function result(n, ok, why)
			if reported[n] then return end
			reported[n] = true
			local svc = sup.services[n]
			results[#results + 1] = { name = n, ok = ok, state = svc and svc.state or "removed",
				why = why or (svc and svc.why), pid = svc and svc.pid }
			if not ok then code = 1 end
		end
		for _, n in ipairs(names) do
			-- done already with one it requires (`restart db dbuser`
			-- restarted dbuser twice)
			if reported[n] then goto next end
			local svc = sup.services[n]
			local timeout = tonumber(req.flags.timeout)
			local deadline = now() + (timeout and timeout * 1000 or (svc.start_timeout + svc.stop_timeout + 5) * 1000)
			local ok, why = true, nil
			-- what requires n stops first and, after a restart, starts
			-- again once n is up (systemd's Requires=; supervisor.stop_with)
			local also, again = EMPTY, EMPTY
			if verb == "stop" or (verb == "restart" and not DOWN[svc.state]) then
				also = sup.requirers(n)
				-- a restart starts again only those that were wanted: not one
				-- on its way down for a stop asked for before
				if verb == "restart" then
					again = {}
					for _, a in ipairs(also) do again[a] = sup.services[a].want end
				end
				if #also == 0 then
					sup.stop(n)
				else
					progress(c, string.format("%s: stopping %s first (%s)", n, table.concat(also, ", "),
						#also == 1 and "it requires " .. n or "they require " .. n))
					if not timeout then
						for _, a in ipairs(also) do deadline = deadline + sup.services[a].stop_timeout * 1000 end
					end
					if block or verb == "restart" then
						sup.stop_with(n, math.max(0, deadline - now()))
					else
						-- (the same time as a blocking stop: stop_with's own
						-- 60 s stopped n under a requirer with a longer stop_timeout)
						sched.spawn(sup.stop_with, "stop " .. n, n, math.max(0, deadline - now()))
					end
				end
				if block or verb == "restart" then
					-- (what requires n went down first: its lines come first)
					for _, a in ipairs(also) do
						local aok, awhy = await(c, a, false, deadline)
						if verb == "stop" then result(a, aok, awhy) end
					end
					ok, why = await(c, n, false, deadline)
				else
					for _, a in ipairs(also) do result(a, true) end
				end
				-- act again from the loop, not from inside the supervisor's wake-up
				sched.sleep(0)
			end
			-- a oneshot that is done runs again, as systemd's restart runs
			-- ExecStart= again: a start leaves it done (it is up), and
			-- `luactl restart` said "done" having run nothing
			if verb == "restart" and svc.state == "done" then sup.stop(n) end
			if ok and verb ~= "stop" then
				local started, serr = sup.start(n)
				if not started then ok, why = false, serr
				elseif block then ok, why = await(c, n, true, deadline) end
			end
			result(n, ok, why)
			if verb == "restart" then
				for _, a in ipairs(also) do
					local aok, awhy = false, "not started again: " .. n .. " did not start"
					if ok and not again[a] then
						aok, awhy = true, "left stopped: it was being stopped"
					elseif ok then
						aok, awhy = sup.start(a)
						-- (its own start_timeout, unless --timeout gave one for all)
						local by = timeout and deadline or now() + (sup.services[a].start_timeout + 5) * 1000
						if aok and block then aok, awhy = await(c, a, true, by) end
					end
					result(a, aok or false, awhy)
				end
			end
			::next::
		end
		local r = { ok = code == 0, code = code, result = { services = results } }
		if code ~= 0 then
			local msgs = {}
			for _, x in ipairs(results) do
				if not x.ok then msgs[#msgs + 1] = string.format("%s: %s (%s)", x.name, x.state, tostring(x.why)) end
			end
			r.error = verb .. " failed: " .. table.concat(msgs, "; ")
		end
		return r
	end
end
handlers.start, handlers.stop, handlers.restart = action("start"), action("stop"), action("restart")

-- kill: a signal to each named service's main process, or with the flag
-- all to every process of its group (supervisor.signal). The signal is a
-- name as stop_signal takes it, in any case and with SIG or not (HUP,
-- SIGHUP, hup), or a number from 1 to 64; TERM when none is given. All
-- of the request is checked before anything is sent. Exit code 3 when
-- each one not reached is not running, 1 when a kill failed.
local function signal_of(v)
	if v == nil then return "TERM" end
	if math.type(v) == "integer" or (type(v) == "string" and v:match("^%d+$")) then
		local n = math.tointeger(tonumber(v))
		if not n or n < 1 or n > 64 then return nil end
		-- a number with a name is shown by its name (-s 1 is SIGHUP)
		return services.signal_name(n) or n
	end
	if type(v) ~= "string" then return nil end
	local name = v:upper():gsub("^SIG", "")
	return services.signals[name] and name or nil
end

handlers.kill = function(_, req)
	local names, all = req.args, req.flags.all
	if #names == 0 then return { ok = false, code = 2, error = "kill: name at least one service" } end
	local sig = signal_of(req.flags.signal)
	if not sig then
		return { ok = false, code = 2, error = string.format("kill: unknown signal %s (expected a name such as "
			.. "HUP, TERM, USR1, KILL, or a number from 1 to 64)", json.encode(req.flags.signal)) }
	end
	local bad = unknown(names)
	if bad then return bad end
	local results, code, msgs = json.array(), 0, {}
	for _, n in ipairs(names) do
		local to, why, kind = sup.signal(n, sig, all)
		results[#results + 1] = { name = n, ok = to ~= nil, sent_to = to, why = why }
		if not to then
			msgs[#msgs + 1] = n .. ": " .. why
			code = (code == 1 or kind ~= "not-running") and 1 or 3
		end
	end
	local label = type(sig) == "string" and "SIG" .. sig or "signal " .. sig
	local r = { ok = code == 0, code = code, result = { signal = label, services = results } }
	if code ~= 0 then r.error = "kill " .. label .. ": " .. table.concat(msgs, "; ") end
	return r
end

-- The file is opened as the supervisor opens it (supervisor.lua's
-- log_open): without blocking, and read only if it is a regular file. A
-- plain open of a FIFO nobody writes waited inside PID 1 for a writer.
-- Only its last FILE_TAIL bytes are read, the newest lines (the first 4
-- MiB of a larger file gave -n N old lines). Of a longer file the read
-- starts one byte before those and skips through the first newline, so a
-- line the cut falls in is left out and one that starts right at it is
-- kept.
-- Returns the lines, or nil and why: the error, naming the path (a file
-- that is there but cannot be read is no "no log file"), and true as a
-- third value when the file does not exist.
local FILE_TAIL = 4 << 20
local function file_tail(path, n)
	local fs = require "luainit.fs"
	local fd <close>, err, _, ename = fs.open(path, "r,nonblock,noctty")
	if not fd then return nil, err, ename == "ENOENT" end
	-- fd's own messages name the call only ("read: Input/output error")
	local function failed(e) return nil, (e:gsub("^(%w+)", "%1 " .. path:gsub("%%", "%%%%"), 1)) end
	local st, serr = fd:stat()
	if not st then return failed(serr) end
	if st.type ~= "file" then
		return nil, string.format("log file %s is not a regular file (%s)", path, sup.NOT_FILE[st.type] or st.type)
	end
	local size, kerr = fd:seek(0, "end")
	if not size then return failed(kerr) end
	local cut = size > FILE_TAIL
	local from = cut and size - FILE_TAIL - 1 or 0
	local at, aerr = fd:seek(from)
	if not at then return failed(aerr) end
	-- a service may write on while this reads: no more than was there
	local parts, want = {}, size - from
	while want > 0 do
		local s, rerr = fd:read(want)
		if not s then return failed(rerr) end
		if s == "" then break end
		parts[#parts + 1] = s
		want = want - #s
	end
	local text = #parts == 1 and parts[1] or table.concat(parts)
	local first = 1
	if cut then first = (text:find("\n", 1, true) or #text) + 1 end
	local lines = {}
	for l in text:gmatch("[^\n]+", first) do lines[#lines + 1] = l end
	return tail(lines, n)
end

handlers.log = function(c, req)
	local name = req.args[1]
	local n = math.tointeger(req.flags.n) or 50
	if n < 0 then return { ok = false, code = 2, error = "log: -n needs a number >= 0" } end
	local lines
	if name then
		local svc = sup.services[name]
		if not svc then return unknown({ name }) end
		if req.flags.file then
			-- the file has what the ring lost, with timestamps. One
			-- that does not exist is no error: the supervisor makes it
			-- at the service's first line of output.
			local path = sup.log_file(svc)
			local why, absent
			if not path then
				why = name .. " has no log file (log.file = false)"
			else
				lines, why, absent = file_tail(path, n)
				if absent then
					why = name .. " has no log file (" .. path .. " does not exist: it is made at the service's first line of output)"
				elseif not lines then
					why = name .. ": " .. why
				end
			end
			if not lines then return { ok = false, code = 1, error = "log: " .. why } end
		else
			lines = tail(svc.ring or {}, n)
		end
	else
		lines = tail(log.ring(), n)
	end
	-- trim from the oldest end so the reply fits in one frame
	local size, first, budget = 0, #lines + 1, ctl.limits.max_reply - 1024
	while first > 1 and size + #lines[first - 1] + 8 < budget do
		first = first - 1
		size = size + #lines[first] + 8
	end
	local omitted = first - 1
	if omitted > 0 then lines = tail(lines, #lines - omitted) end
	local result = { lines = lines, omitted = omitted > 0 and omitted or nil }
	-- after the shutdown's farewell there is nothing more to follow
	result.ended = req.flags.follow and ctl.ended or nil
	if not req.flags.follow or ctl.ended then return { ok = true, code = 0, result = result } end
	follow(c, name and ("svc:" .. name) or "pid1", { lines = lines, omitted = result.omitted })
	return nil, true -- stays open, streaming, until the client goes
end

local reloading = false
local function reload(c, req)
	local services = require "services"
	local set, errs = services.load_dir(ctl.services_dir or services.dir)
	for _, check in ipairs(ctl.reload_checks) do
		local ok, more = pcall(check)
		if not ok then errs[#errs + 1] = tostring(more)
		elseif type(more) == "table" then for _, e in ipairs(more) do errs[#errs + 1] = tostring(e) end end
	end
	if #errs > 0 then
		return { ok = false, code = 1, error = string.format("reload refused: %d error(s); the running services are unchanged", #errs),
			result = { errors = json.array(errs) } }
	end
	local plan = sup.reload_plan(set)
	if req.flags.dry_run then return { ok = true, code = 0, result = { plan = plan, dry_run = true } } end
	-- the shutdown is stopping every service: a reload now would stop and
	-- replace some, add others, and then have each start refused
	local sd = package.loaded.shutdown
	if sd and sd.in_progress then
		return { ok = false, code = 1, error = string.format("reload: shutting down (%s); the running services are unchanged", sd.in_progress) }
	end
	local res = sup.reload(set, plan, function(msg) progress(c, msg) end)
	local r = { ok = #res.failed == 0, code = #res.failed == 0 and 0 or 1, result = { plan = plan, failed = res.failed } }
	if not r.ok then r.error = "reload applied, but these did not come up: " .. table.concat(res.failed, ", ") end
	return r
end
-- One reload at a time, from its first read to its last start: a file or
-- a reload check may wait (one that runs a daemon's config test), and a
-- second reload meanwhile planned from the same services and applied its
-- plan alongside the first.
-- (reloading: when the one under way began, which the refusal says: a
-- check that never ends holds every later reload, and that shows it)
handlers.reload = function(c, req)
	if reloading then
		return { ok = false, code = 1, error = string.format("reload: another reload is in progress (for %.0f s)",
			(event.now() - reloading) / 1000) }
	end
	reloading = event.now()
	local ok, r = pcall(reload, c, req)
	reloading = false
	if not ok then error(r, 0) end
	return r
end

-- eval: values shown, and modules at hand, as in the rescue console
local function show(v) return require("rescue").show(v) end
local function eval_env() return require("rescue").environment() end

--- Run code in env under lim, the eval limits (control.limits:
-- instructions, time, heap growth, output kept). Returns true,
-- values_text, output or false, error, output. The code runs in its own
-- coroutine with a count hook, so only it is limited; once over budget the
-- hook fires on every instruction, so a pcall in the code cannot swallow
-- the error and loop on. control.eval is this with control.limits.
-- eval : (code, env?, lim) -> boolean, string, string
function M.eval(code, env, lim)
	env = env or eval_env()
	local out, outlen = {}, 0
	env.print = function(...)
		local parts = table.pack(...)
		for i = 1, parts.n do parts[i] = tostring(parts[i]) end
		local line = table.concat(parts, "\t", 1, parts.n) .. "\n"
		if outlen + #line <= lim.eval_output then out[#out + 1] = line outlen = outlen + #line end
	end
	local chunk, err = load("return " .. code, "=eval", "t", env)
	if not chunk then chunk, err = load(code, "=eval", "t", env) end
	if not chunk then return false, err, "" end
	local co = coroutine.create(chunk)
	local t0, m0 = now(), (event.memory())
	local reason
	sched.budget(co, function(count)
		if count > lim.eval_instructions then
			reason = string.format("eval stopped: more than %d instructions", lim.eval_instructions)
		elseif now() - t0 > lim.eval_ms then
			reason = string.format("eval stopped: ran longer than %d ms", lim.eval_ms)
		elseif (event.memory()) - m0 > lim.eval_memory then
			reason = string.format("eval stopped: grew PID 1's heap by more than %d MiB", lim.eval_memory >> 20)
		end
		return reason
	end, 0)
	local r = table.pack(coroutine.resume(co))
	local output = table.concat(out)
	if coroutine.status(co) == "suspended" then
		return false, "eval: the code waited (yielded); start a task with sched.spawn(fn) instead", output
	end
	if not r[1] then
		local tb = debug.traceback(co, log.error_text(r[2]))
		if reason then
			-- the stop is raised from the hook: show where the code was, not the hook
			tb = tb:gsub("\n%s*%[C%]: in function 'error'", ""):gsub("\n%s*[^\n]*in hook '%?'", "")
			collectgarbage("collect") -- give back what a runaway allocated
		end
		return false, (tb:gsub("\n%s*%[C%]: in %?$", "")), output
	end
	local parts = {}
	for i = 2, r.n do parts[#parts + 1] = show(r[i]) end
	return true, table.concat(parts, "\t"), output
end

handlers.eval = function(c, req)
	local code = req.args[1]
	if not code then return { ok = false, code = 2, error = "eval: give the Lua code to run" } end
	c.env = c.env or eval_env()
	local ok, res, output = M.eval(code, c.env, ctl.limits)
	if not ok then return { ok = false, code = 1, error = res, result = { output = output } } end
	return { ok = true, code = 0, result = { values = res, output = output } }
end


-- The flags each command reads, with what each must be; a flag of the
-- wrong type or range is refused with code 2, naming it (a lines of "x"
-- or a timeout of -1 was quietly taken as the default). A flag not listed
-- is left alone: a newer luactl may send one this PID 1 does not know
-- (docs/luactl.md: new flags do not bump the protocol). kill's signal is
-- kill's own to check.
local BOOL, COUNT, SECONDS = "true or false", "a whole number >= 0", "a number of seconds >= 0"
local FLAGS = {
	status = { json = BOOL, lines = COUNT }, list = { json = BOOL },
	start = { no_block = BOOL, timeout = SECONDS }, stop = { no_block = BOOL, timeout = SECONDS },
	restart = { no_block = BOOL, timeout = SECONDS }, kill = { all = BOOL },
	log = { follow = BOOL, file = BOOL, n = COUNT }, reload = { dry_run = BOOL }, analyze = { svg = BOOL },
}
local function flag_ok(what, v)
	if what == BOOL then return type(v) == "boolean" end
	if what == COUNT then return type(v) == "number" and math.tointeger(v) ~= nil and v >= 0 end
	return type(v) == "number" and v >= 0 and v < math.huge
end
for cmd, rules in pairs(FLAGS) do
	local fn = handlers[cmd]
	handlers[cmd] = function(c, req)
		for k, what in pairs(rules) do
			local v = req.flags[k]
			if v ~= nil and not flag_ok(what, v) then
				-- (a number as Lua writes it: JSON has no word for inf)
				return { ok = false, code = 2, error = string.format("%s: flag '%s' must be %s, got %s", cmd, k, what,
					type(v) == "number" and tostring(v) or json.encode(v)) }
			end
		end
		return fn(c, req)
	end
end

return M
