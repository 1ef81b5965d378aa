--- unitkeys: what each key of a systemd .service unit becomes in a luainit
-- service definition: a handler per [Unit] and [Service] key, in a table
-- per section, and the keys that are not carried over with the reason.
-- apply reads one entry ({section, key, value, line}, its specifiers
-- already expanded) into a conversion's state; unitimport makes the state,
-- runs the unit's entries through apply in order and builds the definition
-- from what they left. Pure Lua, like unitimport.
local boolean = require "boolean"
local unitfile = require "unitfile"

-- A number is read as systemd reads it (unitfile.integer: 010 is 8); one
-- out of its field's range is listed, as one that is no number: services.check
-- would refuse it, and systemd ignores the line too ("out of range, ignoring").
local words, seconds, int_in = unitfile.words, unitfile.seconds, unitfile.integer
local octal_mode = unitfile.octal_mode

local M = {}

-- Keys that have no effect under luainit: listed as "ignored".
M.ignored = {
	Documentation = "informational",
	DefaultDependencies = "luainit adds no implicit dependencies",
	IgnoreOnIsolate = "luainit has no isolate",
	StandardOutput = "stdout goes to /var/log/luainit/NAME.log and the ring (log = {...})",
	StandardError = "stderr goes to /var/log/luainit/NAME.log and the ring (log = {...})",
	SyslogIdentifier = "output is logged per service name",
	RefuseManualStart = "luactl start is always allowed",
	RefuseManualStop = "luactl stop is always allowed",
	SourcePath = "generator bookkeeping",
	IgnoreSIGPIPE = "luainit leaves SIGPIPE at its default in services",
	RemainAfterExit = "a luainit oneshot stays 'done' after it exits, as with RemainAfterExit=yes",
	GuessMainPID = "luainit only follows the main process (or PIDFile for forking)",
	SendSIGKILL = "luainit always kills the cgroup after stop_timeout",
}

-- Keys known to be unsupported, with the reason (anything else unknown gets
-- the generic one).
M.unsupported = {
	ExecStartPost = "no post-start hook",
	ExecStop = "luainit stops with stop_signal, then kills the cgroup",
	ExecStopPost = "no post-stop hook",
	ExecReload = "no per-service reload command (send its signal: luactl kill -s HUP NAME)",
	ExecCondition = "no start condition",
	RestartPreventExitStatus = "restart decisions use only the exit status != 0 rule",
	RestartForceExitStatus = "restart decisions use only the exit status != 0 rule",
	SuccessExitStatus = "only exit status 0 counts as success",
	Before = "ordering is declared by the later service (after = {...})",
	Conflicts = "no conflicts",
	PartOf = "no propagated stop/restart",
	BindsTo = "converted to requires; luainit does not stop this one when the other stops",
	OnFailure = "no failure hooks",
	Sockets = "no socket activation",
	NotifyAccess = "luainit accepts notify messages from the service's processes",
	DynamicUser = "no dynamic users",
	PrivateTmp = "no mount namespaces per service",
	PrivateDevices = "no mount namespaces per service",
	PrivateNetwork = "no network namespaces per service",
	ProtectSystem = "no mount namespaces per service",
	ProtectHome = "no mount namespaces per service",
	ReadWritePaths = "no mount namespaces per service",
	ReadOnlyPaths = "no mount namespaces per service",
	InaccessiblePaths = "no mount namespaces per service",
	SystemCallFilter = "no seccomp filters",
	UnsetEnvironment = "the environment starts empty anyway (plus PATH)",
	PassEnvironment = "PID 1's environment is not passed on",
	TTYReset = "not reset", TTYVHangup = "not hung up", TTYVTDisallocate = "not deallocated",
	UtmpIdentifier = "no utmp records by PID 1 (login does its own)",
	StandardInput = "only tty (with TTYPath) is supported",
	Alias = "luainit names a service by its file name; copy the file to add a name",
}

-- Condition*= and Assert*= keys: listed as unsupported, in [Unit] where
-- systemd reads them and in any other section but [Install] alike
local function is_condition(k) return k:match("^Condition") or k:match("^Assert") end

local DEP_SUFFIX_NOTE = {
	target = "a systemd target (luainit orders services by their own dependencies)",
	socket = "socket activation is not supported",
	mount = "mounts are done by boot.fstab() before services start; a network filesystem's after "
		.. "the network: order after \"remote-fs\" for those",
	automount = "automounts are not supported",
	device = "devices appear before services start (boot.coldplug())",
	path = "path units are not supported", timer = "timers are not supported",
	slice = "slices are not supported", scope = "scopes are not supported",
	swap = "swap is handled by boot.lua",
}

--- A conversion's state: what the unit's keys have set so far. def holds
-- the fields a key sets as they are; the rest is collected here and turned
-- into fields once every key is read (a later line can reset a list, and
-- the command needs the whole environment). notes and errs are convert's.
-- state : ({string}) -> state
function M.state(errs)
	return {
		def = {}, notes = {}, errs = errs,
		env = {}, env_order = {}, env_files = {}, -- Environment=, EnvironmentFile=
		pre = {}, start = {},                     -- ExecStartPre=, ExecStart= ({words, flags, entry})
		after = {}, requires = {}, wants = {},    -- service names
		rlimits = {}, cgroup = {},                -- Limit*=; MemoryMax= and kin
		unified_memory = {},                      -- cgroup v2's other memory keys set: key = line
		dirs = {}, dir_modes = {},                -- RuntimeDirectory= and kin, their *Mode=
		-- stdin_tty, tty_path, burst, interval, restart_sec, restart_steps,
		-- restart_max, memory_limit: StandardInput=tty, TTYPath=,
		-- StartLimit*=, a RestartSec= read, RestartSteps=,
		-- RestartMaxDelaySec=, MemoryLimit=
	}
end

--- A key not carried over as it was: kind is "unsupported", "ignored" or "note".
-- note : (state, entry, kind, reason)
local function note(st, e, kind, reason)
	st.notes[#st.notes + 1] = { key = e.key, value = e.value, line = e.line, section = e.section,
		kind = kind, reason = reason }
end

--- A variable for env: from Environment=, and EnvironmentFile= when
-- unitimport reads it; a later value replaces an earlier one in its place.
-- add_env : (state, name, value)
local function add_env(st, k, v)
	if st.env[k] == nil then st.env_order[#st.env_order + 1] = k end
	st.env[k] = v
end
M.note, M.add_env = note, add_env

-- a line systemd ignores, as it refuses the value: listed, and it takes
-- the place of no line before it (see apply)
local function refuse(st, e, reason, kind)
	st.refused = true
	note(st, e, kind or "unsupported", reason)
end

local function paren(s) return s and " (" .. s .. ")" or "" end

-- an error naming the line and its key, for a value that cannot be read
-- (a quote left open, a NUL): the line then sets nothing
local function line_error(st, e, why)
	st.errs[#st.errs + 1] = string.format("line %d: %s: %s", e.line, e.key, why)
end

-- an integer key's value as systemd reads it, noted when not in plain
-- decimal; nil for one it refuses or out of range, listed with what was
-- expected and how systemd read it ("0x14: not from -20 to 19" misleads)
local function number(st, e, min, max, expected)
	local n, how = int_in(e.value, min, max)
	if n and how then note(st, e, "note", how)
	elseif not n then refuse(st, e, expected .. paren(how)) end
	return n
end

-- an empty assignment (Key=) resets the list the earlier lines built
local function clear(list)
	for i = #list, 1, -1 do list[i] = nil end
end

-- the words of a list value; a bad quote (or escape) is an error naming
-- the line, and the line then sets nothing (nil): read as words anyway,
-- it would drop or reset what the lines before it set. With keep, for a
-- key whose systemd parser takes the words before the bad one and ignores
-- the rest of the line with a warning (Environment=, RuntimeDirectory=
-- and its kin), those words, and the rest is listed as unsupported
local function split(st, e, keep)
	local v = e.value
	local ws, werr, before, at = words(v)
	if ws then return ws end
	if keep then
		note(st, { key = e.key, value = v:sub(at), line = e.line, section = e.section }, "unsupported",
			werr .. "; systemd ignores the line from this word on, and keeps the words before it")
		return before
	end
	line_error(st, e, werr)
end

-- After=, Requires=, Wants=: the *.service names, less the suffix, each
-- once in its list (a name named again, on this line or another, or by
-- Requires= and BindsTo= both, keeps its first place). Returns how many
-- names the line carried over, counting those already there. A unit
-- that is not a service is dropped, listed as ignored; with bound (the
-- caveat of a BindsTo= line) it is listed as a note, so the caveat reaches
-- the definition's header.
-- The words are systemd's: config_parse_unit_deps splits at whitespace
-- only, quotes and backslashes being part of a word, and refuses each word
-- that is not a unit name with a warning, keeping the line's others. So
-- does this: such a word is listed as unsupported with its line, where a
-- quote made the whole line an error.
-- (An empty value never gets here: see apply.)
local function deps(st, list, e, bound)
	local ws = {}
	for w in e.value:gmatch("%S+") do ws[#ws + 1] = w end
	local n = 0
	local function add(name)
		n = n + 1
		for _, x in ipairs(list) do if x == name then return end end
		list[#list + 1] = name
	end
	for _, w in ipairs(ws) do
		local stem, suffix = unitfile.unit_name(w)
		local one = { key = e.key, value = w, line = e.line, section = e.section }
		if not stem then
			note(st, one, "unsupported", "not a unit name; systemd ignores this word too, and keeps the line's others")
		elseif suffix == "service" then
			add(stem)
		elseif w == "network-online.target" or w == "remote-fs.target" then
			-- luainit's network readiness and network filesystems' have the
			-- same names, less ".target"
			add(stem)
		else
			local why = DEP_SUFFIX_NOTE[suffix]
			note(st, one, bound and "note" or "ignored", bound and why .. "; " .. bound or why)
		end
	end
	return n
end

local EXEC_PREFIX_NOTES = {
	{ "-", "note", "'-' prefix: a failure of this command is ignored (' || true' for pre commands)" },
	{ "@", "note", "'@' prefix: the second word (argv[0]) is dropped; luainit runs the file with its own name" },
	{ "+", "unsupported", "'+' prefix: luainit runs it with the service's User=/Group=, not full privileges" },
	{ "!", "unsupported", "'!' prefix (ambient capabilities) not supported" },
	{ ":", "note", "':' prefix: no variable expansion" },
	{ "|", "unsupported", "'|' prefix (run through the user's shell) not supported" },
}

-- ExecStart=, ExecStartPre=: the prefixes, then one command, or several
-- separated by a lone ";" (old systemd syntax), appended to list, as
-- systemd reads them (unitfile.command); a line it refuses, or we do (a
-- NUL), is an error naming the line, as a bad quote is
local function exec_line(st, e, list)
	if e.value == "" then clear(list); return end
	local flags, cmds, kept = unitfile.command(e.value)
	if not flags then line_error(st, e, cmds); return end
	for _, argv in ipairs(cmds) do list[#list + 1] = { words = argv, flags = flags, entry = e } end
	for _, p in ipairs(EXEC_PREFIX_NOTES) do
		if flags[p[1]] then note(st, e, p[2], p[3]) end
	end
	if kept then
		note(st, e, "note", "kept as written, backslash and all, as systemd keeps an escape it does not know "
			.. "(with a warning): '" .. table.concat(kept, "' '") .. "'")
	end
end

local Service, Unit = {}, {} -- handler(st, e) per key of each section

-- what runs

local TYPES = { simple = "simple", exec = "simple", notify = "notify", ["notify-reload"] = "notify",
	oneshot = "oneshot", forking = "forking", idle = "simple", dbus = "simple" }
function Service.Type(st, e)
	local t = e.value
	if not TYPES[t] then refuse(st, e, "unknown Type '" .. t .. "'"); return end
	st.def.type = TYPES[t]
	if t == "exec" then note(st, e, "note", "exec: luainit's simple is ready once started (after exec)")
	elseif t == "idle" then note(st, e, "note", "idle: started like simple, without waiting for other jobs")
	elseif t == "dbus" then note(st, e, "unsupported", "dbus: BusName readiness is not supported; converted to simple")
	elseif t == "notify-reload" then note(st, e, "note", "notify-reload: reload via signal not supported; converted to notify") end
end
function Service.ExecStart(st, e) exec_line(st, e, st.start) end
function Service.ExecStartPre(st, e) exec_line(st, e, st.pre) end
function Service.PIDFile(st, e) st.def.pid_file = e.value end

-- the environment

function Service.Environment(st, e)
	if e.value == "" then st.env, st.env_order = {}, {}; return end
	for _, w in ipairs(split(st, e, true)) do
		local k, v = w:match("^([%a_][%w_]*)=(.*)$")
		if not k then note(st, e, "unsupported", "not NAME=value: '" .. w .. "'")
		elseif not unitfile.utf8_valid(v) then
			note(st, e, "unsupported", k .. ": the value is not UTF-8: systemd ignores this assignment")
		else add_env(st, k, v) end
	end
end
function Service.EnvironmentFile(st, e)
	if e.value == "" then st.env_files = {}; return end
	local optional = e.value:sub(1, 1) == "-"
	local path = optional and e.value:sub(2) or e.value
	st.env_files[#st.env_files + 1] = { path = path, optional = optional, entry = e }
end

-- who runs it, where, with what privileges

function Service.User(st, e) st.def.user = e.value ~= "" and e.value or nil end
function Service.Group(st, e) st.def.group = e.value ~= "" and e.value or nil end
-- each line adds to the groups of the lines before, as in systemd
function Service.SupplementaryGroups(st, e)
	if e.value == "" then st.def.groups = nil; return end
	local g = split(st, e)
	if not g then return end
	st.def.groups = st.def.groups or {}
	for _, x in ipairs(g) do st.def.groups[#st.def.groups + 1] = x end
	if #st.def.groups == 0 then st.def.groups = nil end
end
-- an empty value resets it, as in systemd, and so does ~ here (systemd
-- takes it: the user's home); a relative path systemd refuses, and so
-- would services.check
function Service.WorkingDirectory(st, e)
	if e.value == "" then st.def.cwd = nil; return end
	local v = e.value:gsub("^%-", "")
	if v ~= "~" and v:sub(1, 1) ~= "/" then refuse(st, e, "not an absolute path"); return end
	st.def.cwd = v ~= "~" and v or nil
	if v ~= e.value then note(st, e, "note", "'-' prefix: luainit fails the start if the directory is missing") end
	if v == "~" then note(st, e, "unsupported", "'~' (the user's home) is not supported") end
end
function Service.RootDirectory(st, e) note(st, e, "unsupported", "no chroot per service") end
-- the umask is written as an expression (tonumber("022", 8)) that reads as
-- octal; value is the number, for a caller that reads the def. systemd
-- takes a mode up to 07777 (parse_mode), and umask(2) keeps only the
-- permission bits: 07077 is umask 0077 there, and here
function Service.UMask(st, e)
	local m = octal_mode(e.value)
	if not m then refuse(st, e, "not an octal mask from 0000 to 07777"); return end
	local v = string.format("%04o", m & 511)
	if m > 511 then note(st, e, "note", "umask(2) keeps only the permission bits: " .. v .. ", as under systemd") end
	st.def.umask = { __lua = string.format("tonumber(%q, 8)", v), value = m & 511 }
end
-- an empty value resets it, as in systemd
function Service.Nice(st, e)
	if e.value == "" then st.def.nice = nil; return end
	st.def.nice = number(st, e, -20, 19, "not an integer from -20 to 19") or st.def.nice
end
function Service.NoNewPrivileges(st, e)
	local b = boolean.parse(e.value)
	if b == nil then refuse(st, e, "not a boolean") else st.def.no_new_privs = b or nil end
end
-- each line adds to the set of the lines before (systemd ORs them); an
-- empty one keeps none, and the lines after it add to that
function Service.CapabilityBoundingSet(st, e)
	if e.value == "" then st.def.capabilities = {}; return end
	if e.value:sub(1, 1) == "~" then note(st, e, "unsupported", "'~' (drop these) is not supported; list the ones to keep"); return end
	local caps = split(st, e)
	if not caps then return end
	st.def.capabilities = st.def.capabilities or {}
	local have = {}
	for _, c in ipairs(st.def.capabilities) do have[c] = true end
	for _, c in ipairs(caps) do
		if not have[c] then have[c] = true; st.def.capabilities[#st.def.capabilities + 1] = c end
	end
end
-- TTYPath= names the terminal a tty input or output uses: kept aside
-- (st.tty_path), as systemd connects it only with StandardInput=tty
-- (unitimport decides, whatever the order of the lines); an empty one
-- resets it
function Service.TTYPath(st, e) st.tty_path = e.value ~= "" and { value = e.value, entry = e } or nil end
local INPUTS = { null = 1, tty = 1, ["tty-force"] = 1, ["tty-fail"] = 1, socket = 1, data = 1, fd = 1 }
function Service.StandardInput(st, e)
	local v = e.value
	if not (INPUTS[v] or v:match("^fd:") or v:match("^file:")) then refuse(st, e, "not an input systemd knows"); return end
	st.stdin_tty = v:match("^tty") and true or nil
	if not st.stdin_tty and v ~= "null" then note(st, e, "unsupported", M.unsupported.StandardInput) end
end

-- restarts, timeouts and the way it stops

local RESTARTS = { no = "never", always = "always", ["on-failure"] = "on-failure",
	["on-abnormal"] = "on-failure", ["on-abort"] = "on-failure", ["on-watchdog"] = "on-failure",
	["on-success"] = "never" }
function Service.Restart(st, e)
	local r = RESTARTS[e.value]
	if not r then refuse(st, e, "unknown Restart '" .. e.value .. "'"); return end
	st.def.restart = r
	if e.value == "on-abnormal" or e.value == "on-abort" or e.value == "on-watchdog" then
		note(st, e, "note", e.value .. " -> on-failure: luainit also restarts after a non-zero exit")
	elseif e.value == "on-success" then
		note(st, e, "unsupported", "on-success has no luainit equivalent; converted to never")
	end
end
-- RestartSec=, TimeoutStopSec=, TimeoutStartSec=, TimeoutSec=: a span
-- sets the fields; infinity (for the timeouts 0 as well, systemd's other
-- word for it) has no luainit equivalent and is listed, and the fields go
-- back to luainit's defaults, as if the unit had said only this line: in
-- systemd it replaces the lines before it. A value that is not a time span
-- is ignored by systemd, and the line before stands. Returns true for a
-- time span (infinity too)
local function span(fields, zero_is_infinite, reason)
	return function(st, e)
		local s = seconds(e.value)
		if not s then refuse(st, e, "not a time span"); return false end
		if s == math.huge or (s == 0 and zero_is_infinite) then
			for _, f in ipairs(fields) do st.def[f] = nil end
			note(st, e, "unsupported", reason)
			return true
		end
		for _, f in ipairs(fields) do st.def[f] = s end
		return true
	end
end
-- systemd waits the same time before every restart: no backoff.
-- st.restart_sec: a RestartSec= systemd read; without one unitimport
-- gives systemd's default delay, and after infinity luainit's is kept
local restart_sec = span({ "restart_delay", "restart_max_delay" }, false, "no infinite restart delay; "
	.. "systemd then waits for ever and never restarts it; luainit's default (0.1 s, doubling up to 30 s) is kept")
function Service.RestartSec(st, e)
	if restart_sec(st, e) then st.restart_sec = true end
end
-- RestartSteps= and RestartMaxDelaySec= (systemd 254): the delay grows
-- from RestartSec= to RestartMaxDelaySec= in that many steps, only with
-- both set; luainit has no such steps. The last value of each is kept
-- (st.restart_steps, st.restart_max) for unitimport, which lists them
-- once every line is read
function Service.RestartSteps(st, e)
	local n = number(st, e, 0, 4294967295, "not an integer from 0 to 4294967295")
	if n then st.restart_steps = { n = n, entry = e } end
end
function Service.RestartMaxDelaySec(st, e)
	local s = seconds(e.value)
	if not s then refuse(st, e, "not a time span"); return end
	st.restart_max = { s = s, entry = e }
end
Service.TimeoutStopSec = span({ "stop_timeout" }, true, "no infinite stop timeout; the default (5 s) is kept")
Service.TimeoutStartSec = span({ "start_timeout" }, true, "no infinite start timeout; the default (30 s) is kept")
Service.TimeoutSec = span({ "start_timeout", "stop_timeout" }, true,
	"no infinite timeouts; the defaults (30 s start, 5 s stop) are kept")
-- 0 turns the watchdog off, and so does infinity: systemd arms no timer
-- for either (it passes WATCHDOG_USEC for infinity all the same). An empty
-- value is not a time span to systemd either: it ignores the line
function Service.WatchdogSec(st, e)
	local s = seconds(e.value)
	if not s then refuse(st, e, "not a time span"); return end
	if s == math.huge then
		note(st, e, "note", "infinity: no watchdog, as systemd never fires it (it sets WATCHDOG_USEC, luainit does not)")
	end
	st.def.watchdog = s > 0 and s ~= math.huge and s or nil
end
-- another word, the empty one too, systemd ignores (its enum parser has no
-- default to reset to): an earlier KillMode=process stands
function Service.KillMode(st, e)
	if e.value == "control-group" or e.value == "mixed" then
		note(st, e, "ignored", "luainit signals the main process and its group, then kills the whole cgroup after stop_timeout")
	elseif e.value == "process" or e.value == "none" then
		note(st, e, "unsupported", "KillMode=" .. e.value .. ": luainit kills the whole cgroup at stop, children included")
	else
		refuse(st, e, "not a kill mode (control-group, mixed, process or none): systemd ignores the line too", "ignored")
	end
end
-- KillSignal=: a signal as systemd takes it (unitfile.signal: SIGTERM,
-- TERM, 15), written by the name services.check knows; one that has none
-- (a real-time signal, STKFLT) is listed, and the default kept, not an
-- earlier line's, which systemd replaces
local SIGNALS = require("services").signals
local signame = require("services").signal_name
function Service.KillSignal(st, e)
	local sig, how = unitfile.signal(e.value)
	if not sig then
		refuse(st, e, "not a signal: a name such as TERM or SIGTERM, in capitals, or a number "
			.. "from 1 to 64" .. paren(how))
		return
	end
	sig = signame(sig) or sig
	if not SIGNALS[sig] then
		st.def.stop_signal = nil
		note(st, e, "unsupported", "luainit has no name for this signal; the default (TERM) is kept")
		return
	end
	st.def.stop_signal = sig
	if how then note(st, e, "note", how) end
end
-- StartLimitBurst= and StartLimitIntervalSec= (StartLimitInterval= before
-- systemd 230, in [Service]; [Unit] since) become crash_limit. The burst
-- is an unsigned int to systemd (config_parse_unsigned), which ignores
-- the line for 1e1 or 1.5 (tonumber took them)
function Service.StartLimitBurst(st, e)
	st.burst = number(st, e, 0, 4294967295, "not an integer from 0 to 4294967295") or st.burst
end
function Service.StartLimitIntervalSec(st, e)
	local s = seconds(e.value)
	if not s then refuse(st, e, "not a time span"); return end
	st.interval = s
end
Service.StartLimitInterval = Service.StartLimitIntervalSec

-- resources: Limit*= (rlimits) and the cgroup's

-- Limit*=: N or SOFT:HARD, each a count, a size, a time or infinity, as
-- systemd reads them (unitfile.rlimit: LimitNOFILE=0x400 is 1024,
-- LimitFSIZE=010 is 10, LimitAS=1G 1073741824, LimitCPU=1min 60), under
-- process.spawn's name (nofile)
local function limit(st, e)
	local v, how, what = unitfile.rlimit(e.key, e.value)
	if not v then refuse(st, e, how); return end
	st.rlimits[what] = v
	if how then note(st, e, "note", how) end
end
-- a memory size as memory.max takes it (unitfile.memory_size): nil for
-- the empty value, which resets it, here and in the two below, as in
-- systemd; false (listed) for one not taken
local function memory(st, e)
	if e.value == "" then return nil end
	local m, how = unitfile.memory_size(e.value)
	if not m then
		refuse(st, e, "only bytes from 1 to 2^64 - 2, with K, M, G, T, P or E, or infinity "
			.. "(no percentage)")
	elseif how then note(st, e, "note", how) end
	return m or false
end
function Service.MemoryMax(st, e)
	local m = memory(st, e)
	if m ~= false then st.cgroup.memory_max = m end
end
-- MemoryLimit=, cgroup v1's (deprecated): kept aside (st.memory_limit),
-- as systemd writes it to memory.max only where MemoryMax= sets no limit,
-- whatever the order of the lines (unitimport decides)
function Service.MemoryLimit(st, e)
	local m = memory(st, e)
	if m ~= false then st.memory_limit = m and { value = m, entry = e } or nil end
end
-- cgroup v2's memory keys other than MemoryMax=, with the value that sets
-- nothing: with any of them set, systemd ignores MemoryLimit= (its
-- cgroup_context_has_unified_memory_config)
local UNIFIED_MEMORY = {
	MemoryMin = "0", MemoryLow = "0", StartupMemoryLow = "0",
	MemoryHigh = "infinity", StartupMemoryHigh = "infinity", StartupMemoryMax = "infinity",
	MemorySwapMax = "infinity", StartupMemorySwapMax = "infinity",
	MemoryZSwapMax = "infinity", StartupMemoryZSwapMax = "infinity",
}

-- The ones of them that take a size of 0 (the others refuse it as out of
-- range, as they refuse 2^64 - 1)
local TAKES_ZERO = {
	MemoryMin = true, MemoryLow = true, StartupMemoryLow = true, MemorySwapMax = true,
	StartupMemorySwapMax = true, MemoryZSwapMax = true, StartupMemoryZSwapMax = true,
}
-- The ones systemd counts as set by any line it takes, an empty one or
-- infinity too (a flag of their own, not their value: its
-- unit_has_unified_memory_config)
local FLAGGED = {
	StartupMemoryHigh = true, StartupMemoryMax = true, StartupMemorySwapMax = true, StartupMemoryZSwapMax = true,
}

-- A share of memory as systemd's parse_permyriad reads it, in 1/10000
-- (50% is 5000): N% or N.N% or N.NN%, N‰ or N.N‰, N‱; nil for any other
-- form. More than 100% is out of range.
local function permyriad(v)
	local n = v:match("^(%d+)%%$") or v:match("^(%d+%.%d%d?)%%$")
	if n then return tonumber(n) * 100 end
	n = v:match("^(%d+)\u{2030}$") or v:match("^(%d+%.%d)\u{2030}$")
	if n then return tonumber(n) * 10 end
	n = v:match("^(%d+)\u{2031}$")
	return n and tonumber(n)
end

-- Record in st.unified_memory whether entry e of one of those keys sets
-- something, for unitimport to decide on MemoryLimit= (apply runs it on
-- each such [Service] line, after the line's note), as systemd's
-- config_parse_memory_limit reads it: an empty value resets it, its
-- default ("0", 0K as well, or "infinity") sets nothing, a size as
-- systemd's parse_size reads it ("1.5G", "1G 512M": unitfile.memory_size,
-- read once: it says too when it was 0) or a share up to 100% (permyriad)
-- sets it; for the FLAGGED keys any line systemd takes sets it. Anything
-- else is a line systemd ignores, which changes nothing: no size, 2^64 - 1
-- bytes, more than 100%, or 0 for a key not in TAKES_ZERO. A key set maps
-- to its line.
local function unified_memory(st, e, default)
	local v, keys, flagged = e.value, st.unified_memory, FLAGGED[e.key]
	local line = e.line or 0
	if v == "" then keys[e.key] = flagged and line or nil; return end
	if v == "infinity" then keys[e.key] = (flagged or default ~= "infinity") and line or nil; return end
	local share, zero = permyriad(v), nil
	if share then
		if share > 10000 then return end
		zero = share == 0
	else
		local m, is0 = unitfile.memory_size(v)   -- (is0, with no m: it was 0 bytes)
		if not (m or is0) then return end
		zero = not m
	end
	if zero and not TAKES_ZERO[e.key] then return end
	keys[e.key] = not (zero and default == "0") and line or nil
end
-- the kernel's pids.max takes up to PID_MAX_LIMIT, 4194304: systemd writes
-- more, which the kernel refuses
function Service.TasksMax(st, e)
	local cg = st.cgroup
	if e.value == "" then cg.pids_max = nil
	elseif e.value == "infinity" then cg.pids_max = "max"
	else cg.pids_max = number(st, e, 1, 4194304, "only an integer from 1 to 4194304 or infinity (no percentage)")
		or cg.pids_max end
end
function Service.CPUWeight(st, e)
	if e.value == "" then st.cgroup.cpu_weight = nil; return end
	local cg = st.cgroup
	cg.cpu_weight = number(st, e, 1, 10000, "only an integer from 1 to 10000 (no idle)") or cg.cpu_weight
end

-- directories systemd would create: tmpfiles.d lines, written once the
-- owner and the modes are known

for key, root in pairs({ Runtime = "/run", State = "/var/lib", Cache = "/var/cache", Logs = "/var/log",
	Configuration = "/etc" }) do
	local modekey = key .. "DirectoryMode"
	Service[key .. "Directory"] = function(st, e)
		if e.value == "" then
			-- an empty assignment resets this key's list, not the other keys'
			local kept = {}
			for _, d in ipairs(st.dirs) do if d.modekey ~= modekey then kept[#kept + 1] = d end end
			st.dirs = kept
			return
		end
		for _, d in ipairs(split(st, e, true)) do
			st.dirs[#st.dirs + 1] = { path = root .. "/" .. d, modekey = modekey, entry = e }
		end
	end
	-- written into the tmpfiles.d line as it is: one the tmpfiles step
	-- refuses would fail it at boot
	Service[modekey] = function(st, e)
		if not octal_mode(e.value) then
			refuse(st, e, "not an octal mode up to 07777"); return
		end
		st.dir_modes[modekey] = e.value
	end
end
function Service.RuntimeDirectoryPreserve(st, e)
	if boolean.parse(e.value) ~= true then note(st, e, "note", "the runtime directory is created at boot and kept (as with 'yes')") end
end

-- [Unit]

-- A Description= past the length a definition takes (services.check
-- refuses it: luactl status shows it on a line) is cut there, at a
-- character's start, with a note: the unit still converts.
function Unit.Description(st, e)
	local v, max = e.value, require("services").description_max
	if #v > max then
		local n = max
		while n > 0 and (v:byte(n + 1) or 0) & 0xC0 == 0x80 do n = n - 1 end
		v = v:sub(1, n)
		note(st, e, "note", string.format("cut to %d bytes, the most a definition's description takes", n))
	end
	st.def.description = v
end
function Unit.After(st, e) deps(st, st.after, e) end
function Unit.Requires(st, e) deps(st, st.requires, e) end
function Unit.Wants(st, e) deps(st, st.wants, e) end
-- Requisite=, BindsTo=: read as Requires=, with a note for a line that put
-- a service in requires (not for one that named none, or had a bad
-- quote), ahead of the line's other notes. What BindsTo= binds to and
-- luainit drops (a device: serial-getty@.service's dev-%i.device) is
-- noted with bound, as systemd would stop the service when it goes away
local function requires_as(reason, bound)
	return function(st, e)
		local at = #st.notes + 1
		if deps(st, st.requires, e, bound) > 0 then
			note(st, e, "note", reason)
			table.insert(st.notes, at, table.remove(st.notes))
		end
	end
end
Unit.Requisite = requires_as("Requisite -> requires: luainit starts the other service instead of failing")
Unit.BindsTo = requires_as(M.unsupported.BindsTo,
	"BindsTo: systemd stops this service when that unit stops or goes away, luainit does not")
Unit.BindTo = Unit.BindsTo -- systemd's older spelling
Unit.StartLimitBurst = Service.StartLimitBurst
Unit.StartLimitIntervalSec = Service.StartLimitIntervalSec

-- which [Unit] keys are dependencies, which [Service] keys lists
-- (unitfile); a Condition*= or Assert*= resets every condition, or
-- every assertion, whatever its key
local DEPENDENCIES, LISTS = unitfile.dependencies, unitfile.lists

-- a line of a key that holds one value takes the place of the lines
-- before it, and their notes go too (KillMode=process, then mixed: no
-- process listed)
local function replace_notes(st, e)
	local kept = {}
	for _, x in ipairs(st.notes) do
		if x.section ~= e.section or x.key ~= e.key or x.line == e.line then kept[#kept + 1] = x end
	end
	st.notes = kept
end

-- an empty assignment to a list: the notes of the lines it resets go with
-- them (same section; the same key, or for a condition the same kind)
local function reset_notes(st, e)
	local kind = is_condition(e.key) and e.key:match("^%u%l+")
	local kept = {}
	for _, x in ipairs(st.notes) do
		local same = x.section == e.section
			and (x.key == e.key or (kind and is_condition(x.key) and x.key:match("^%u%l+") == kind))
		if not same then kept[#kept + 1] = x end
	end
	st.notes = kept
end

--- One entry into the state: its key's handler, or a note saying why it is
-- not carried over. An empty assignment is read the same way for every
-- key that holds a list: it resets that list, the notes of the lines
-- before it too, and one that is not converted is listed as ignored; but
-- for a dependency it resets nothing, and is listed as ignored
-- apply : (state, entry)
function M.apply(st, e)
	local k = e.key
	local handler
	if e.section == "Unit" then handler = Unit[k]
	elseif e.section == "Service" then handler = Service[k] or (k:match("^Limit") and limit) end
	local empty_list = e.value == "" and (LISTS[k] and e.section == "Service"
		or is_condition(k) and e.section ~= "Install")
	if empty_list then reset_notes(st, e) end
	if e.section == "Install" then
		note(st, e, "ignored", "[Install]: luainit starts every enabled definition in /etc/luainit/services")
	elseif e.value == "" and e.section == "Unit" and DEPENDENCIES[k] then
		note(st, e, "ignored", "an empty assignment resets no dependencies in systemd; the lines before it stand")
	elseif empty_list and not handler then
		note(st, e, "ignored", "an empty assignment resets the list the lines before it built; nothing to convert")
	elseif handler then
		st.refused = nil
		handler(st, e)
		if not (st.refused or LISTS[k] or DEPENDENCIES[k] and e.section == "Unit") then replace_notes(st, e) end
	elseif M.ignored[k] then
		note(st, e, "ignored", M.ignored[k])
	elseif is_condition(k) then
		note(st, e, "unsupported", "conditions are not checked; the service always starts")
	elseif M.unsupported[k] then
		note(st, e, "unsupported", M.unsupported[k])
	elseif e.section ~= "Unit" and e.section ~= "Service" then
		note(st, e, "unsupported", "section [" .. e.section .. "] is not converted")
	else
		note(st, e, "unsupported", "no luainit equivalent")
	end
	local default = e.section == "Service" and UNIFIED_MEMORY[k]
	if default then unified_memory(st, e, default) end
end

return M
