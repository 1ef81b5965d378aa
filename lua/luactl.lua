--- luactl: the command-line client of PID 1's control socket, and the
-- poweroff, reboot and halt commands (the same binary, by argv[0]; see
-- init/client.c). It speaks the protocol in proto.lua over a blocking
-- connection: one request, progress frames, one final reply. Exit codes:
-- 0 done, 1 the request failed, 2 usage, 3 unknown service or not running.
local socket = require "luainit.socket"
local proto = require "proto" -- the wire format only: the client never loads the server

local json = proto.json
local M = {}

local USAGE = [[
usage: luactl [--json] COMMAND [ARGS...]
  status [SVC...] [--json] [-n LINES]  state of every service, or details of some
  list [--json]                        the services PID 1 knows
  start|stop|restart SVC... [--no-block] [--timeout S]
                                       wait until ready/stopped unless --no-block;
                                       stop/restart reach what requires SVC, first
  kill [-s SIGNAL] [--all] SVC...      signal the main process (TERM unless -s),
                                       or with --all every process of the service
  log [-f] [-n N] [--file] [SVC]       PID 1's log, or a service's (--file: from its
                                       log file, with timestamps); -f follows
  reload [--dry-run]                   reload service definitions, all or nothing
  eval 'LUA CODE'                      run Lua inside PID 1 (root only)
  repl                                 an interactive Lua prompt inside PID 1 (root only)
  poweroff|reboot|halt [-f] [-n] [-p]  shut down (-f: at once, -n: without sync,
                                       -p: power off; --help: every option)
  analyze [time|blame|critical-chain] [--svg FILE]
                                       boot time, blame, critical chain; a boot chart
  analyze plot [FILE]                  the boot chart only, to FILE or stdout
  import-unit FILE.service             print a systemd unit as a luainit service
  version                              the protocol PID 1 speaks
Exit codes: 0 ok, 1 the request failed, 2 usage, 3 unknown service or not running.
The socket is $LUAINIT_CONTROL or /run/luainit/control.]]

local function err(fmt, ...) io.stderr:write("luactl: ", string.format(fmt, ...), "\n") end

-- A mistake gets its message and a pointer to the list, not the list:
-- the message is what the person needs to see.
local function usage(fmt, ...)
	if fmt then
		err(fmt, ...)
		io.stderr:write("Run 'luactl help' for the commands.\n")
	else
		io.stderr:write(USAGE, "\n")
	end
	return 2
end

---------------------------------------------------------------- talking to PID 1

local Conn = {}
Conn.__index = Conn

--- A connection over sock (a luainit.socket connection, or anything with
-- its read and write) to the control socket at path.
-- conn : (sock, path) -> conn
function M.conn(sock, path)
	return setmetatable({ sock = sock, buf = "", path = path }, Conn)
end

--- Connect to the control socket.
-- connect : () -> conn | (nil, string, errname, path)
function M.connect()
	local path = os.getenv("LUAINIT_CONTROL") or proto.path
	local s, e, _, ename = socket.connect(path)
	if not s then return nil, e, ename, path end
	return M.conn(s, path)
end

-- The write's errno name comes back too: request() tells PID 1 closing the
-- connection from every other failure by it.
function Conn:send(cmd, args, flags)
	local f = proto.message({ cmd = cmd, args = json.array(args or {}), flags = flags or {} })
	local off = 1
	while off <= #f do
		local n, e, _, ename = self.sock:write(f:sub(off))
		if not n then return nil, e, ename end
		off = off + n
	end
	return true
end

-- Next frame from PID 1, decoded.
function Conn:recv()
	while true do
		local payload, rest = proto.unframe(self.buf, 16 << 20)
		if payload == false then return nil, "bad frame from PID 1: " .. rest end
		if payload then
			self.buf = rest
			local msg, e = json.decode(payload)
			if type(msg) ~= "table" then return nil, "bad reply from PID 1: " .. tostring(e) end
			if msg.v ~= proto.PROTOCOL then
				return nil, string.format("protocol mismatch: PID 1 speaks protocol %s, this luactl speaks %d%s",
					tostring(msg.v), proto.PROTOCOL, msg.error and (": " .. tostring(msg.error)) or "")
			end
			return msg
		end
		local data, e = self.sock:read(65536)
		if not data then return nil, e end
		if data == "" then return nil, "PID 1 closed the connection before replying" end
		self.buf = self.buf .. data
	end
end

--- Send one request and read until the final reply; on_frame(msg) sees
-- every progress or line frame.
-- request : (cmd, args, flags, on_frame?) -> reply | (nil, string)
function Conn:request(cmd, args, flags, on_frame)
	local ok, e, ename = self:send(cmd, args, flags)
	if not ok then
		-- EPIPE, ECONNRESET: PID 1 closed the connection, and a refusal
		-- (too many connections, a request too large) was sent before it
		-- did, which says more than the errno. Any other error is no word
		-- from PID 1: waiting for a reply would wait for its idle limit.
		if ename == "EPIPE" or ename == "ECONNRESET" then
			local msg = self:recv()
			if msg and msg.ok ~= nil then return msg end
		end
		return nil, string.format("write to %s: %s", self.path, (tostring(e):gsub("^write: ", "")))
	end
	while true do
		local msg, re = self:recv()
		if not msg then return nil, re end
		if msg.ok ~= nil then return msg end
		if on_frame then on_frame(msg) end
	end
end

function Conn:close() self.sock:close() end

local function connect_or_explain(cmd)
	local c, e, ename, path = M.connect()
	if c then return c end
	if ename == "EACCES" or ename == "EPERM" then
		err("permission denied: '%s' needs root (the control socket %s is root-only)", cmd, path)
	else
		err("cannot reach PID 1 at %s: %s (is luainit PID 1?)", path, e:match(": ([^:]*)$") or e)
	end
	return nil
end

-- One request, progress to stderr; returns the reply or an exit code.
local function call(cmd, args, flags, on_frame)
	local c = connect_or_explain(cmd)
	if not c then return nil, 1 end
	local r, e = c:request(cmd, args, flags, on_frame or function(msg)
		if msg.progress then io.stderr:write(msg.progress, "\n") end
	end)
	c:close()
	if not r then err("%s: %s", cmd, e) return nil, 1 end
	return r
end

local function fail_reply(r)
	if r.error then err("%s", r.error) end
	return math.tointeger(r.code) or 1
end

---------------------------------------------------------------- formatting

local tty = false
local COLOURS = { ready = "32", done = "32", failed = "31", backoff = "33", starting = "33", stopping = "33" }

local function paint(state, text)
	local c = tty and COLOURS[state]
	if not c then return text end
	return "\27[" .. c .. "m" .. text .. "\27[0m"
end

local function duration(s)
	if not s then return "-" end
	s = math.floor(s)
	if s < 60 then return s .. "s" end
	if s < 3600 then return string.format("%dm%02ds", s // 60, s % 60) end
	if s < 86400 then return string.format("%dh%02dm", s // 3600, s % 3600 // 60) end
	return string.format("%dd%02dh", s // 86400, s % 86400 // 3600)
end

local function bytes(n)
	if not n then return "-" end
	if n < 1024 then return n .. " B" end
	if n < 1 << 20 then return string.format("%.1f KiB", n / 1024) end
	return string.format("%.1f MiB", n / (1 << 20))
end

local function table_out(header, rows, states)
	local w = {}
	for i, h in ipairs(header) do w[i] = #h end
	for _, r in ipairs(rows) do for i, v in ipairs(r) do w[i] = math.max(w[i], #v) end end
	local function line(r, st)
		local parts = {}
		for i, v in ipairs(r) do
			local cell = i < #r and (v .. string.rep(" ", w[i] - #v)) or v
			if i == 2 and st then cell = paint(st, cell) end
			parts[i] = cell
		end
		io.stdout:write((table.concat(parts, "  "):gsub("%s+$", "")), "\n")
	end
	line(header)
	for i, r in ipairs(rows) do line(r, states and states[i]) end
end

-- a service's time from its start to ready ("78 ms"), nil before it was
local function ready_in(s) return s.ready_ms and string.format("%d ms", math.floor(s.ready_ms + 0.5)) end

local function summary(list)
	local rows, states = {}, {}
	for _, s in ipairs(list) do
		rows[#rows + 1] = { s.name, s.state, s.pid and tostring(s.pid) or "-", duration(s.uptime),
			ready_in(s) or "-", tostring(s.restarts or 0), s.last_exit or "-" }
		states[#states + 1] = s.state
	end
	table_out({ "NAME", "STATE", "PID", "UPTIME", "READY IN", "RESTARTS", "LAST EXIT" }, rows, states)
end

-- Text a service sets (STATUS=, which any process of its group may
-- send), with its control characters shown as \xNN: printed raw, an
-- escape sequence in it acts on the terminal of whoever runs luactl
-- (retitles it, clears it, answers back). --json carries it as it is.
local function hex(c) return (c:gsub(".", function(b) return string.format("\\x%02x", b:byte()) end)) end
-- the C0 controls that pattern names, and the C1 ones as UTF-8 encodes
-- them (U+0080-U+009F: a terminal takes U+009B for CSI)
local function escaped(v, c0) return (v:gsub(c0, hex):gsub("\xC2[\x80-\x9F]", hex)) end
local function printable(v)
	if type(v) ~= "string" then return v end
	return escaped(v, "%c")
end

-- A line of a service's output (the log ring, its log file) as printable
-- (tabs kept): a service writes what it likes, and printed raw its
-- escape sequences acted on the terminal of whoever read its log, as
-- journalctl does not let them. `status --json` carries the lines as
-- they are.
local function log_line(l) return escaped(l, "[\0-\8\11-\31\127]") end

local function details(s)
	local o = io.stdout
	o:write(paint(s.state, "●"), " ", s.name, s.description and (" - " .. s.description) or "", "\n")
	local function kv(k, v) if v ~= nil then o:write(string.format("  %-10s %s\n", k .. ":", tostring(v))) end end
	local why = s.why
	if why and why:sub(1, #s.state) == s.state then why = why:sub(#s.state + 1):match("^%s*%((.*)%)$") end
	kv("state", paint(s.state, s.state) .. (why and why ~= "" and (" (" .. why .. ")") or ""))
	kv("type", s.type)
	kv("pid", s.pid)
	kv("uptime", s.uptime and duration(s.uptime))
	kv("ready in", ready_in(s))
	kv("restarts", s.restarts or 0)
	kv("last exit", s.last_exit)
	-- (a luactl stop or restart of this one reaches what needs it)
	kv("requires", s.requires and table.concat(s.requires, ", "))
	kv("needed by", s.needed_by and table.concat(s.needed_by, ", "))
	kv("status", printable(s.status))
	kv("memory", s.memory and (bytes(s.memory) .. (s.memory_rss and " (resident; no memory accounting)" or "")))
	kv("tasks", s.tasks)
	kv("cgroup", s.cgroup)
	if s.log and #s.log > 0 then
		o:write("  log:\n")
		for _, l in ipairs(s.log) do o:write("    ", log_line(l), "\n") end
	end
end

---------------------------------------------------------------- options

-- Split args into positional words and flags. spec: flag -> "bool" |
-- "number" | "string"; aliases: short -> long.
local function options(args, spec, aliases)
	local words, flags = {}, {}
	local i = 1
	while i <= #args do
		local a = args[i]
		if a == "--" then
			for j = i + 1, #args do words[#words + 1] = args[j] end
			break
		end
		if a:sub(1, 1) == "-" and #a > 1 then
			local name, val = a:match("^%-%-([^=]+)=(.*)$")
			name = name or a:match("^%-%-(.+)$") or aliases[a]
			if not name or not spec[name] then return nil, "unknown option '" .. a .. "'" end
			local key = name:gsub("%-", "_")
			if spec[name] == "bool" then
				if val then return nil, "option '--" .. name .. "' takes no value" end
				flags[key] = true
			else
				if not val then
					i = i + 1
					val = args[i]
				end
				if spec[name] == "string" then
					if not val then return nil, "option '" .. a .. "' needs a value" end
					flags[key] = val
				else
					local n = tonumber(val)
					if not n then return nil, "option '" .. a .. "' needs a number" end
					flags[key] = n
				end
			end
		else
			words[#words + 1] = a
		end
		i = i + 1
	end
	return words, flags
end

---------------------------------------------------------------- commands

local cmds = {}

function cmds.status(args)
	local words, flags = options(args, { json = "bool", lines = "number" }, { ["-n"] = "lines" })
	if not words then return usage("status: %s", flags) end
	local r, code = call("status", words, { lines = flags.lines, json = flags.json })
	if not r then return code end
	-- a refusal (too many connections) has no result to show
	if not r.result then return fail_reply(r) end
	if flags.json then
		io.stdout:write(json.encode(r.result or {}), "\n")
	elseif #words == 0 then
		summary(r.result.services)
	else
		for i, s in ipairs(r.result.services or {}) do
			if i > 1 then io.stdout:write("\n") end
			details(s)
		end
	end
	if r.error then err("%s", r.error) end
	return math.tointeger(r.code) or 1
end

function cmds.list(args)
	local words, flags = options(args, { json = "bool" }, {})
	if not words then return usage("list: %s", flags) end
	if #words > 0 then return usage("list takes no service names") end
	local r, code = call("list", {}, {})
	if not r then return code end
	if not r.ok then return fail_reply(r) end
	if flags.json then io.stdout:write(json.encode(r.result), "\n") return 0 end
	local rows, states = {}, {}
	for _, s in ipairs(r.result.services) do
		rows[#rows + 1] = { s.name, s.state, s.enabled and "enabled" or "disabled", s.type or "-", s.description or "" }
		states[#states + 1] = s.state
	end
	table_out({ "NAME", "STATE", "ENABLED", "TYPE", "DESCRIPTION" }, rows, states)
	return 0
end

local function action(verb)
	return function(args)
		local words, flags = options(args, { ["no-block"] = "bool", timeout = "number" }, {})
		if not words then return usage("%s: %s", verb, flags) end
		if #words == 0 then return usage("%s: name at least one service", verb) end
		local r, code = call(verb, words, flags)
		if not r then return code end
		if not r.ok then return fail_reply(r) end
		for _, s in ipairs(r.result.services or {}) do
			io.stdout:write(string.format("%s: %s\n", s.name, paint(s.state, s.state)))
		end
		return 0
	end
end
cmds.start, cmds.stop, cmds.restart = action("start"), action("stop"), action("restart")

function cmds.kill(args)
	local words, flags = options(args, { signal = "string", all = "bool" }, { ["-s"] = "signal" })
	if not words then return usage("kill: %s", flags) end
	if #words == 0 then return usage("kill: name at least one service") end
	local r, code = call("kill", words, flags)
	if not r then return code end
	for _, s in ipairs(r.result and r.result.services or {}) do
		if s.ok then io.stdout:write(string.format("%s: sent %s to %s\n", s.name, r.result.signal, s.sent_to)) end
	end
	return fail_reply(r)
end

function cmds.log(args)
	local words, flags = options(args, { follow = "bool", n = "number", file = "bool" }, { ["-f"] = "follow", ["-n"] = "n" })
	if not words then return usage("log: %s", flags) end
	if #words > 1 then return usage("log: at most one service") end
	if flags.file and (flags.follow or #words == 0) then return usage("log: --file needs a service and no -f") end
	if flags.n and (flags.n < 0 or math.type(flags.n) ~= "integer") then return usage("log: -n needs a whole number >= 0") end
	local function show(msg)
		if msg.omitted then io.stderr:write(string.format("luactl: %d older line(s) omitted\n", msg.omitted)) end
		for _, l in ipairs(msg.lines or {}) do io.stdout:write(log_line(l), "\n") end
		if msg.line then io.stdout:write(log_line(msg.line), "\n") end
		io.stdout:flush()
	end
	-- following has a final reply only when PID 1 shuts down (ended);
	-- otherwise it ends when the connection does, and a caller (a script,
	-- a pipe) must learn that the lines stopped, so that is an error as
	-- much as an unreachable PID 1 is
	local r, code = call("log", words, flags, show)
	if not r then return code end
	if not r.ok then return fail_reply(r) end
	show(r.result)
	-- an empty answer says so (on stderr: stdout stays the log's lines);
	-- not "wrote nothing": a ring of 0 keeps no lines, a file may hold none
	if #words == 1 and not flags.follow and flags.n ~= 0 and r.result
		and #(r.result.lines or {}) == 0 and not r.result.line then
		io.stderr:write(string.format("luactl: %s: no lines to show%s\n", words[1],
			flags.file and " in its log file" or ""))
	end
	if r.result and r.result.ended then err("log: PID 1 is shutting down (%s); the log ends here", tostring(r.result.ended)) end
	return 0
end

local function print_plan(plan)
	local function row(what, list)
		if type(list) == "string" then list = { list } end
		if list and #list > 0 then io.stdout:write(string.format("  %-8s %s\n", what, table.concat(list, " "))) end
	end
	row("add", plan.add)
	row("remove", plan.remove)
	row("restart", plan.change)
	-- unchanged, but they require a restarted one: restarted with it
	for _, name in ipairs(plan.restart_with or {}) do
		row("restart", string.format("%s (it requires %s)", name, tostring((plan.because or {})[name])))
	end
	row("update", plan.update)
	-- changed, but stopped or failed: the new definition, not started
	row("update (down)", plan.update_down)
	io.stdout:write(string.format("  %d unchanged\n", #(plan.keep or {})))
end

function cmds.reload(args)
	local words, flags = options(args, { ["dry-run"] = "bool" }, { ["-n"] = "dry-run" })
	if not words then return usage("reload: %s", flags) end
	if #words > 0 then return usage("reload takes no arguments") end
	local r, code = call("reload", {}, flags)
	if not r then return code end
	if not r.ok then
		for _, e in ipairs(r.result and r.result.errors or {}) do io.stderr:write("  ", e, "\n") end
		return fail_reply(r)
	end
	io.stdout:write(flags.dry_run and "reload plan (dry run, nothing changed):\n" or "reloaded:\n")
	print_plan(r.result.plan)
	return 0
end

local function show_eval(r)
	local res = r.result or {}
	if res.output and res.output ~= "" then io.stdout:write(res.output) end
	if r.ok then
		if res.values and res.values ~= "" then io.stdout:write(res.values, "\n") end
		return 0
	end
	io.stderr:write("error: ", tostring(r.error), "\n")
	return math.tointeger(r.code) or 1
end

function cmds.eval(args)
	if #args ~= 1 then return usage("eval: give the Lua code as one argument") end
	local r, code = call("eval", args, {})
	if not r then return code end
	return show_eval(r)
end

function cmds.repl(args)
	if #args > 0 then return usage("repl takes no arguments") end
	local c = connect_or_explain("repl")
	if not c then return 1 end
	local fs = require "luainit.fs"
	local interactive = fs.fdopen(0):isatty()
	if interactive then io.stdout:write("luainit REPL inside PID 1; Ctrl-D leaves. Errors are returned, never fatal.\n") end
	local pending = ""
	while true do
		if interactive then io.stdout:write(pending == "" and "pid1> " or "  >> ") io.stdout:flush() end
		local line = io.read("l")
		if not line then break end
		local code = pending == "" and line or (pending .. "\n" .. line)
		-- an incomplete chunk: read more before sending
		local _, cerr = load(code, "=eval")
		local _, rerr = load("return " .. code, "=eval")
		if cerr and rerr and cerr:match("<eof>$") then
			pending = code
		else
			pending = ""
			if code:match("%S") then
				local r, e = c:request("eval", { code }, {})
				if not r then err("repl: %s", e) c:close() return 1 end
				show_eval(r)
			end
		end
	end
	c:close()
	return 0
end

-- analyze's verbs, as systemd-analyze names them: the report's sections
local ANALYZE = { time = "time", blame = "blame", ["critical-chain"] = "chain" }

function cmds.analyze(args)
	local svg, section, plot
	local i = 1
	while i <= #args do
		local a = args[i]
		if a == "--svg" and args[i + 1] and not svg then svg, i = args[i + 1], i + 1
		elseif a == "plot" and i == 1 then
			-- as systemd-analyze plot, to stdout, or to FILE
			if #args > 2 or (args[2] or ""):sub(1, 1) == "-" then
				return usage("analyze plot: at most the SVG file to write (no options)")
			end
			svg, plot, i = args[2] or "-", true, 2
		elseif ANALYZE[a] and i == 1 then section = ANALYZE[a]
		elseif a == "--svg" then return usage(svg and "analyze: --svg given twice" or "analyze: --svg needs a file name")
		else return usage("analyze: unexpected argument '%s' (time, blame, critical-chain, plot [FILE] or --svg FILE expected)", a) end
		i = i + 1
	end
	local r, code = call("analyze", {}, { svg = svg ~= nil })
	if not r then return code end
	if not r.ok then return fail_reply(r) end
	-- (a PID 1 from before the sections sends only the whole text)
	local sections = r.result.sections
	if not plot then io.stdout:write(section and sections and sections[section] or r.result.text) end
	if svg == "-" then
		io.stdout:write(r.result.svg)
	elseif svg then
		local f, e = io.open(svg, "w")
		if not f then err("analyze: %s", e) return 1 end
		f:write(r.result.svg)
		f:close()
		io.stdout:write("boot chart written to ", svg, "\n")
	end
	return 0
end

-- import-unit runs here, not in PID 1: it only reads the unit file
cmds["import-unit"] = function(args)
	return require("unitimport").main(args)
end

function cmds.version(args)
	if #args > 0 then return usage("version takes no arguments") end
	local r, code = call("version", {}, {})
	if not r then return code end
	if not r.ok then return fail_reply(r) end
	io.stdout:write(string.format("luactl protocol %d, PID 1 protocol %s\n", proto.PROTOCOL, tostring(r.result.protocol)))
	return 0
end

-- poweroff, reboot, halt (as luactl commands or by argv[0]). Returns the
-- exit code, and for -f the kind (and nosync) for the C side to do
-- sync + reboot(2) itself.
local SIGNALS = { poweroff = "USR2", reboot = "TERM", halt = "USR1" }

-- The options of sysvinit's and BusyBox's halt(8), and systemd's long
-- spellings: option -> what it does. There is no wtmp here, so -w
-- (write the record and nothing else) does nothing at all, and -d (do not
-- write it) has nothing to leave out. sysvinit's -i and -h (interfaces
-- down, disks to standby) have nothing left to do after the shutdown.
local POWER_OPTS = {
	["-p"] = "poweroff", ["--poweroff"] = "poweroff", ["--reboot"] = "reboot", ["--halt"] = "halt",
	["-f"] = "force", ["--force"] = "force",
	["-n"] = "nosync", ["--no-sync"] = "nosync",
	["-w"] = "wtmp_only", ["--wtmp-only"] = "wtmp_only",
	["-d"] = "none", ["--no-wtmp"] = "none", ["--no-wall"] = "none", ["-i"] = "none", ["-h"] = "none",
	["--help"] = "help",
}

local function power_usage(prog, full)
	local line = string.format("usage: %s [-p|--poweroff|--reboot|--halt] [-f] [-n] [-w] [-d]\n", prog)
	if not full then return line end
	return line .. [[
  -p, --poweroff   power off, whichever of halt, poweroff, reboot was run
  --reboot, --halt reboot, or halt, likewise
  -f, --force      at once: sync, then reboot(2) without stopping services
  -n, --no-sync    with -f: do not sync
  -w, --wtmp-only  only write the wtmp record: there is none, so do nothing
  -d, --no-wtmp    do not write the wtmp record (there is none)
  -i, -h, --no-wall  accepted; nothing to do
]]
end

local function power(kind, args, prog)
	local force, nosync, wtmp_only = false, false, false
	for i, a in ipairs(args) do
		-- -fn is -f -n; --long and single letters are looked up as they are
		local opts = { a }
		if a:match("^%-%w%w+$") then
			opts = {}
			for ch in a:sub(2):gmatch(".") do opts[#opts + 1] = "-" .. ch end
		end
		for _, o in ipairs(opts) do
			local what = POWER_OPTS[o]
			if what == "poweroff" or what == "reboot" or what == "halt" then kind = what
			elseif what == "force" then force = true
			elseif what == "nosync" then nosync = true
			elseif what == "wtmp_only" then wtmp_only = true
			elseif what == "help" then io.stdout:write(power_usage(prog, true)) return 0
			elseif not what then
				local why = a:sub(1, 1) == "-" and string.format("unknown option '%s'", o)
					or string.format("unexpected argument '%s'", a)
				if a:match("^%-d%d+$") or (a:match("^%d+$") and (args[i - 1] or ""):match("^%-%w*d$")) then
					-- BusyBox's -d SECONDS; sysvinit's -d, taken here, has no value
					why = why .. " (-d means: no wtmp record; for a delay, sleep first)"
				end
				io.stderr:write(string.format("%s: %s\n", prog, why), power_usage(prog))
				return 2
			end
		end
	end
	if wtmp_only then return 0 end
	if force then return 0, kind, nosync end
	local c, e, ename, path = M.connect()
	if c then
		local r, re = c:request(kind, {}, {})
		c:close()
		if not r then io.stderr:write(prog, ": ", re, "\n") return 1 end
		if not r.ok then io.stderr:write(prog, ": ", tostring(r.error), "\n") return math.tointeger(r.code) or 1 end
		return 0
	end
	if ename == "EACCES" or ename == "EPERM" then
		io.stderr:write(string.format("%s: permission denied: '%s' needs root (the control socket %s is root-only)\n", prog, kind, path))
		return 1
	end
	-- no socket (early boot, rescue, an old PID 1): the signal convention.
	-- With LUAINIT_CONTROL set (tests) only LUAINIT_PID is ever signalled.
	local target = 1
	if os.getenv("LUAINIT_CONTROL") then
		target = math.tointeger(tonumber(os.getenv("LUAINIT_PID") or ""))
		if not target then
			io.stderr:write(string.format("%s: cannot reach PID 1 at %s: %s\n", prog, path, e))
			return 1
		end
	end
	local ok, ke = require("luainit.process").kill(target, SIGNALS[kind])
	if not ok then
		io.stderr:write(string.format("%s: no control socket (%s), and cannot signal PID %d: %s\n", prog, e, target, ke))
		return 1
	end
	io.stderr:write(string.format("%s: no control socket at %s; sent SIG%s to PID %d\n", prog, path, SIGNALS[kind], target))
	return 0
end

for _, k in ipairs({ "poweroff", "reboot", "halt" }) do
	cmds[k] = function(args) return power(k, args, "luactl " .. k) end
end

-- " (did you mean 'status'?)" for the one command cmd begins (`stat`),
-- else for the nearest a letter off (`logs`, `stp`), or two in a longer
-- word (`sttaus`: two swapped); else "". (services' nearest, the one
-- "did you mean" of definitions' keys, is loaded only here.)
local function suggest(cmd)
	local begun
	for name in pairs(cmds) do
		if name:sub(1, #cmd) == cmd then
			if begun then begun = false break end
			begun = name
		end
	end
	local name, d = begun, 0
	if not begun then name, d = require("services").nearest(cmd, cmds) end
	if name and (d <= 1 or d == 2 and #cmd >= 5) then return " (did you mean '" .. name .. "'?)" end
	return ""
end

--- Entry point from init/client.c. argv[0] is the program name.
-- main : (argv) -> exit code[, force_kind, nosync]
function M.main(argv)
	local prog = (argv[0] or "luactl"):match("([^/]*)$")
	local args = {}
	for i = 1, #argv do args[i] = argv[i] end
	if SIGNALS[prog] then return power(prog, args, prog) end
	local ok, fs = pcall(require, "luainit.fs")
	local out = ok and fs.fdopen(1)
	tty = out and out:isatty() and os.getenv("NO_COLOR") == nil and os.getenv("TERM") ~= "dumb" or false
	-- --json may come before the command too
	local json_first = false
	while args[1] == "--json" do table.remove(args, 1) json_first = true end
	local cmd = table.remove(args, 1)
	if not cmd then return usage() end
	if cmd == "-h" or cmd == "--help" or cmd == "help" then io.stdout:write(USAGE, "\n") return 0 end
	local fn = cmds[cmd]
	if not fn then return usage("unknown command '%s'%s", cmd, suggest(cmd)) end
	if json_first then
		if cmd ~= "status" and cmd ~= "list" then return usage("--json works with status and list") end
		args[#args + 1] = "--json"
	end
	return fn(args)
end

return M
