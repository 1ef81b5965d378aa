--- control: the luactl control socket inside PID 1 (the wire format is
-- in proto.lua; see docs/luactl.md). Every request is authorised with
-- SO_PEERCRED: root may do everything, other users only what READONLY
-- lists.
--
-- PID 1 must never block or grow without bound because of a client, so
-- everything is bounded: connections (the oldest idle one is evicted when
-- full), request size, buffered output per connection, the time a client
-- may take to send its request or to read its reply, and the instructions,
-- time and memory an `eval` may use.
--
-- A public socket lets any user connect, so the connection slots must not
-- be theirs to take: each non-root uid may hold only a few, it may never
-- evict root's, it is closed after a short idle time, and root evicts any
-- of them (they can only read) when every slot is taken. Root can always
-- get in to stop or power off.
--
-- The codec (json, frame, unframe, message, parse_request) is proto's,
-- re-exported here. The server parts require the supervisor lazily, and
-- what each command does (ctlcmds.lua) at the first request.
local event = require "luainit.event"
local socket = require "luainit.socket"
local proto = require "proto"

local json = proto.json

local M = {
	PROTOCOL = proto.PROTOCOL,
	path = proto.path,
	json = json, frame = proto.frame, unframe = proto.unframe,
	message = proto.message, parse_request = proto.parse_request,
	limits = {
		max_conns = 64,          -- open connections; the oldest idle one is evicted past this
		user_conns = 8,          -- open connections of one non-root uid
		user_idle_ms = 10000,    -- a non-root connection with nothing to do is closed after this
		max_request = 65536,     -- bytes in one request frame
		max_reply = 196608,      -- bytes in one reply frame (log replies are trimmed to fit)
		max_out = 262144,        -- bytes buffered for one client that does not read
		follow_out = 65536,      -- buffered lines for `log -f` before lines are dropped
		first_request_ms = 10000, -- a new connection must send its request within this
		idle_ms = 600000,        -- an idle repl session is closed after this
		stall_ms = 30000,        -- a client that reads nothing of its reply for this long is closed
		farewell_ms = 500,       -- at shutdown, the wait for `log -f` clients to take the end and go
		eval_instructions = 10000000,
		eval_ms = 2000,
		eval_memory = 24 << 20,  -- growth of PID 1's Lua heap during one eval
		eval_output = 65536,     -- bytes of print() output kept from one eval
	},
	-- functions returning a list of error strings, run by reload before
	-- anything changes (none by default; boot.lua may add its own)
	reload_checks = {},
}

--- Commands a non-root peer may run.
M.READONLY = { status = true, list = true, version = true, analyze = true }

--- Every command PID 1 knows (protocol 1).
M.COMMANDS = proto.COMMANDS

---------------------------------------------------------------- server

local now = event.now
local listeners = {}      -- path -> {sock, watch, opts}
local conns, nconns = {}, 0
local per_uid = {}        -- uid -> open connections
local sweeper, sweeper_armed
local followers = {}      -- key ("pid1" or "svc:<name>") -> {conn = true}
local handlers            -- cmd -> function (ctlcmds.lua), loaded at the first request
local log, sched, sup   -- required when the server starts

local function close(c)
	if c.closed then return end
	c.closed = true
	if c.w then c.w:close() end
	c.sock:close()
	conns[c] = nil
	nconns = nconns - 1
	per_uid[c.uid] = per_uid[c.uid] - 1
	if per_uid[c.uid] == 0 then per_uid[c.uid] = nil end
	local set = c.follow_key and followers[c.follow_key]
	if set then
		set[c] = nil
		-- the last one gone: notify finds no set and returns at once
		if next(set) == nil then followers[c.follow_key] = nil end
	end
end

local function set_mode(c)
	local want = c.out[1] and "rw" or "r"
	if want ~= c.mode and not c.closed then
		c.w:mode(want)
		c.mode = want
	end
end

local function flush(c)
	while c.out[1] do
		local chunk = c.out[1]
		local n, _, _, ename = c.sock:write(chunk)
		if not n then
			if ename == "EAGAIN" then break end
			return close(c)
		end
		c.last_write = now()
		c.outlen = c.outlen - n
		if n < #chunk then c.out[1] = chunk:sub(n + 1) break end
		table.remove(c.out, 1)
	end
	if not c.out[1] and c.close_after then return close(c) end
	set_mode(c)
end

-- Queue msg for c. A follower's line that does not fit is dropped (and
-- counted); anything else that does not fit closes the connection.
local function send(c, msg)
	if c.closed then return false end
	local ok, f = pcall(M.message, msg)
	if not ok then f = M.message({ ok = false, code = 1, error = "cannot encode the reply: " .. tostring(f) }) end
	if #f - 4 > M.limits.max_reply then
		f = M.message({ ok = false, code = 1, error = string.format("reply of %d bytes exceeds the limit of %d", #f - 4, M.limits.max_reply) })
	end
	if msg.line and c.outlen + #f > M.limits.follow_out then
		c.dropped = (c.dropped or 0) + 1
		return true
	end
	if c.outlen + #f > M.limits.max_out then close(c) return false end
	if c.dropped and msg.line then
		local note = M.message({ line = string.format("luactl: %d line(s) dropped: the client reads too slowly", c.dropped) })
		c.dropped = nil
		c.out[#c.out + 1] = note
		c.outlen = c.outlen + #note
	end
	c.out[#c.out + 1] = f
	c.outlen = c.outlen + #f
	if c.out[2] == nil then flush(c) else set_mode(c) end
	return not c.closed
end
M.send = send

-- Followers: `log -f` subscribes to PID 1's lines (through log.tap, set
-- on first use) or to a service's (through supervisor.log_line).
local hooked = {}
local function notify(key, line)
	local set = followers[key]
	if not set then return end
	for c in pairs(set) do pcall(send, c, { line = line }) end
end

local function hook_logs()
	if hooked.done then return end
	hooked.done = true
	log.tap = function(line) notify("pid1", line) end
	local log_line = sup.log_line
	sup.log_line = function(svc, line)
		log_line(svc, line)
		-- no one following (the usual case): no key made per line
		if next(followers) then notify("svc:" .. svc.name, line) end
	end
end

-- Send c first (the lines so far), then every new line of key ("pid1" or
-- "svc:<name>") until c closes or the shutdown ends the followers.
local function follow(c, key, first)
	hook_logs()
	send(c, first)
	-- (a send that closed it: a follower never written to again, kept
	-- for ever and looped over by every line)
	if c.closed then return end
	c.follow_key = key
	followers[key] = followers[key] or {}
	followers[key][c] = true
end

-- poweroff, reboot and halt are answered here, not by ctlcmds.lua: a
-- broken edit of that file must not leave luactl unable to stop the
-- machine (it falls back to a signal only when there is no socket).
local function power(kind)
	return function(c)
		local shutdown = require "shutdown"
		if shutdown.in_progress then
			return { ok = false, code = 1, error = kind .. ": already shutting down (" .. tostring(shutdown.in_progress) .. ")" }
		end
		log.info("control: %s requested by pid %d (uid %d)", kind, c.pid, c.uid)
		send(c, { ok = true, code = 0, result = { kind = kind } })
		shutdown.request(kind)
	end
end
local POWER = { poweroff = power("poweroff"), reboot = power("reboot"), halt = power("halt") }

-- Run req's handler, loading the handlers at the first request: a boot
-- creates the socket but answers none, and their bytecode costs it time.
local function handle(c, req)
	if POWER[req.cmd] then return POWER[req.cmd](c, req) end
	if not handlers then
		handlers = require("ctlcmds").init(M, follow)
	end
	return handlers[req.cmd](c, req)
end

local process_input

local function dispatch(c, req)
	if c.uid ~= 0 and not M.READONLY[req.cmd] then
		send(c, { ok = false, code = 1, error = string.format("permission denied: '%s' needs root (you are uid %d)", req.cmd, c.uid) })
		return
	end
	c.busy = true
	c.requests = c.requests + 1
	sched.spawn(function()
		local ok, reply, keep = xpcall(handle, log.traceback, c, req)
		if not ok then
			log.err("control: %s: %s", req.cmd, tostring(reply))
			reply = { ok = false, code = 1, error = "internal error in '" .. req.cmd .. "': " .. tostring(reply):match("^[^\n]*") }
		end
		if reply then send(c, reply) end
		if keep then return end
		c.busy = false
		c.last_active = now()
		if not c.closed and not c.in_process then process_input(c) end
	end, "luactl " .. req.cmd)
end

function process_input(c)
	c.in_process = true
	while not c.busy and not c.closed and not c.close_after do
		local payload, rest = M.unframe(c.inbuf, M.limits.max_request)
		if payload == nil then break end
		if payload == false then
			c.inbuf = ""
			c.close_after = true
			send(c, { ok = false, code = 2, error = "request too large: " .. rest })
			flush(c)
			break
		end
		c.inbuf = rest
		local req, err, code = M.parse_request(payload)
		if not req then
			c.inbuf = ""
			c.close_after = true
			send(c, { ok = false, code = code, error = err })
			flush(c)
			break
		end
		dispatch(c, req)
	end
	c.in_process = false
end

local function on_io(c, readable, writable)
	if c.closed then return end
	if writable and c.out[1] then
		flush(c)
		if c.closed then return end
	end
	if not readable then return end
	local data, _, _, ename = c.sock:read(16384)
	if data == nil then
		if ename ~= "EAGAIN" then close(c) end
		return
	end
	-- end of stream: the client is gone (it must keep its side open until
	-- the final reply), and whatever it asked for goes on without it
	if data == "" then return close(c) end
	if c.close_after then return end
	c.inbuf = c.inbuf .. data
	if #c.inbuf > M.limits.max_request + 4 and (c.busy or #c.inbuf > 2 * (M.limits.max_request + 4)) then
		-- requests piled up behind a running one: refuse rather than buffer
		c.inbuf = ""
		c.close_after = true
		send(c, { ok = false, code = 2, error = "too much input queued behind a running request" })
		flush(c)
		return
	end
	if not c.busy then process_input(c) end
end

local function sweep()
	local t = now()
	for c in pairs(conns) do
		if c.out[1] and t - c.last_write > M.limits.stall_ms then
			close(c)
		elseif not c.busy and not c.out[1] then
			local lim, limit = M.limits, nil
			if c.requests == 0 then
				-- nothing asked yet: first_request_ms for everyone, and a
				-- non-root peer that never sends anything is held no longer
				-- than one that has (user_idle_ms, when that is shorter)
				limit = c.uid ~= 0 and math.min(lim.user_idle_ms, lim.first_request_ms) or lim.first_request_ms
			else
				-- root's repl session may sit idle; a non-root peer can only read and has no reason to
				limit = c.uid ~= 0 and lim.user_idle_ms or lim.idle_ms
			end
			if t - c.last_active > limit then close(c) end
		end
	end
	if nconns == 0 and sweeper_armed then sweeper:disarm() sweeper_armed = false end
end

-- Make room for a connection of uid: close an idle one (preferring a
-- non-root one, then one that never sent a request, then the oldest),
-- only among uid's own when only is set. A non-root uid never evicts
-- root's (a flood of connects would close root's before it is read);
-- root, as a last resort, evicts a non-root one that is busy or has a
-- reply pending (all it loses is a read-only answer). Returns false when
-- nothing may go.
local function evict(uid, only)
	local victim
	local function better(c)
		if not victim then return true end
		if (c.uid ~= 0) ~= (victim.uid ~= 0) then return c.uid ~= 0 end
		if (c.requests == 0) ~= (victim.requests == 0) then return c.requests == 0 end
		return c.last_active < victim.last_active
	end
	for c in pairs(conns) do
		if not c.busy and not c.out[1] and not c.follow_key and (uid == 0 or c.uid ~= 0)
			and (not only or c.uid == only) and better(c) then
			victim = c
		end
	end
	if not victim and uid == 0 then
		for c in pairs(conns) do
			if c.uid ~= 0 and (not victim or c.last_active < victim.last_active) then victim = c end
		end
	end
	if not victim then return false end
	victim.sock:write(M.message({ ok = false, code = 1, error = "connection closed: too many connections to PID 1" }))
	close(victim)
	return true
end

-- Whether a new connection of uid may be opened, making room if needed;
-- false and the reason to send it otherwise.
local function admit(uid)
	if uid ~= 0 and (per_uid[uid] or 0) >= M.limits.user_conns and not evict(uid, uid) then
		return false, string.format("too many connections to PID 1 from uid %d (at most %d); try again", uid, M.limits.user_conns)
	end
	if nconns >= M.limits.max_conns and not evict(uid) then
		return false, "too many connections to PID 1; try again"
	end
	return true
end

local function new_conn(s, pid, uid)
	local t = now()
	local c = { sock = s, pid = pid, uid = uid, inbuf = "", out = {}, outlen = 0, requests = 0,
		last_active = t, last_write = t, mode = "r" }
	local w, err = event.watch(s, "r", function(r, wr) on_io(c, r, wr) end)
	if not w then
		log.warn("control: watch: %s", err)
		s:close()
		return
	end
	c.w = w
	conns[c] = true
	nconns = nconns + 1
	per_uid[uid] = (per_uid[uid] or 0) + 1
	if not sweeper then sweeper = assert(event.timer(sweep)) end
	if not sweeper_armed then sweeper:arm(1000, 1000) sweeper_armed = true end
end

local function watch_listener(l)
	l.watch = assert(event.watch(l.sock, "r", function()
		for _ = 1, 64 do
			local s, err, _, ename = l.sock:accept()
			if not s then
				if ename ~= "EAGAIN" then
					-- EMFILE and the like: a level-triggered listener would
					-- spin, so stop listening for a moment
					log.warn("control: accept: %s; pausing for 1 s", err)
					l.watch:close()
					sched.spawn(function() sched.sleep(1000) if listeners[l.path] == l then watch_listener(l) end end, "control: resume accept")
				end
				return
			end
			local pid, uid = s:peercred()
			local ok, why = false, nil
			if pid then ok, why = admit(uid) end
			if ok then
				new_conn(s, pid, uid)
			else
				if why then s:write(M.message({ ok = false, code = 1, error = why })) end
				s:close()
			end
		end
	end))
end

--- End every `luactl log -f`: each gets a final frame ({ok = true, code =
-- 0, result = {lines = [], ended = kind}}) where it had only lines, so it
-- exits 0 as after any complete reply; a connection that just drops stays
-- a failure for it. A `log -f` asked for afterwards gets its lines and the
-- same end at once. Returns the connections ended.
-- end_followers : (kind) -> {conn, ...}
function M.end_followers(kind)
	M.ended = kind
	local ended = {}
	for key, set in pairs(followers) do
		followers[key] = nil
		for c in pairs(set) do
			c.follow_key = nil
			ended[#ended + 1] = c
			send(c, { ok = true, code = 0, result = { lines = json.array(), ended = kind } })
		end
	end
	return ended
end

-- shutdown's farewell: the followers are among the processes it kills
-- next, so each gets up to farewell_ms to read its end and close (a
-- follower outside, in another PID namespace, reads it in any case)
local function farewell(kind)
	-- one turn of the loop first: a service's last words, written before
	-- the exit that ended its stop, may still wait in its pipe
	sched.sleep(0)
	local ended = M.end_followers(kind)
	local deadline = now() + M.limits.farewell_ms
	for _, c in ipairs(ended) do
		while not c.closed and now() < deadline do sched.sleep(10) end
	end
end

--- Listen for luactl on path (default /run/luainit/control). The socket
-- is created with mode opts.mode (default 0600) in a directory created
-- with opts.dir_mode (default 0700). More than one socket may listen.
-- listen : (path?, opts?) -> true | (nil, string)
function M.listen(path, opts)
	path = path or M.path
	opts = opts or {}
	log, sched, sup = require "log", require "sched", require "supervisor"
	if listeners[path] then return true end
	if not M.farewell_set then
		M.farewell_set = true
		require("shutdown").farewell(farewell)
	end
	local fs = require "luainit.fs"
	local dir = path:match("^(.*)/[^/]+$")
	if dir and dir ~= "" then
		fs.mkdirp(dir, opts.dir_mode or 448)
		if opts.dir_mode then fs.chmod(dir, opts.dir_mode) end
	end
	local sock, err = socket.listen(path, opts.mode or 384, 128)
	if not sock then
		log.failed("control socket " .. path, err)
		return nil, err
	end
	local l = { path = path, sock = sock }
	listeners[path] = l
	watch_listener(l)
	log.ok("control socket " .. path)
	return true
end

--- Stop listening on path (default: every socket) and close every connection.
function M.close(path)
	for p, l in pairs(listeners) do
		if not path or p == path then
			if l.watch then l.watch:close() end
			l.sock:close()
			listeners[p] = nil
		end
	end
	if not path then for c in pairs(conns) do close(c) end end
end

--- Open connections (tests and status).
function M.connections() return nconns end

--- Run code in env (default: the rescue console's modules) under
-- M.limits' eval_* (ctlcmds.eval, loaded now if no request has loaded it).
-- Returns true, values_text, output or false, error, output.
-- eval : (code, env?) -> boolean, string, string
function M.eval(code, env) return require("ctlcmds").eval(code, env, M.limits) end

return M
