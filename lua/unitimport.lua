--- unitimport: converts a systemd .service unit into a luainit service
-- definition (the Lua source of an /etc/luainit/services/NAME.lua file).
-- Pure Lua: the unit is parsed here, nothing is started. Every key the
-- converter does not carry over is listed with the reason, never dropped
-- silently: "unsupported" (behaviour is lost), "ignored" (no effect under
-- luainit, e.g. [Install]) and "note" (converted, with a caveat).
--
-- A conversion reads the unit's entries in order, each through its key's
-- handler (lua/unitkeys.lua) into a state, then builds the definition from
-- that state here: EnvironmentFile= read, the command expanded, systemd's
-- defaults, the tmpfiles.d lines, the comment on top.
--
-- Choices (see docs/migrating-from-systemd.md):
--   * ExecStartPre= lines and extra oneshot ExecStart= lines are folded into
--     one `/bin/sh -c 'pre && ... && exec main'` command, so they run on
--     every (re)start as in systemd, and `exec` keeps the main process's pid
--     (sd_notify and pid files keep working).
--   * Environment= and EnvironmentFile= are read at conversion time:
--     $VAR/${VAR} in the command are expanded then, and the variables go to
--     `env`. Editing the EnvironmentFile later needs a new conversion.
--   * RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=
--     and ConfigurationDirectory= become tmpfiles.d lines (returned, and
--     written with --tmpfiles FILE), applied at boot by lua/tmpfiles.lua.
--   * Restart= missing means systemd's default, Restart=no: restart = "never".
--   * RestartSec= missing means systemd's default, a flat 100 ms, for a
--     service that restarts: restart_delay and restart_max_delay 0.1, not
--     luainit's backoff (0.1 s doubling up to 30 s).
--   * Dependencies on *.service keep the name without the suffix; targets,
--     sockets, mounts and devices are dropped with a note.
local M = {}

---------------------------------------------------------------- parsing, the keys

-- the unit file syntax lives in unitfile; its readers are part of this
-- module's API as well
local unitfile = require "unitfile"
M.parse, M.words, M.envfile, M.seconds = unitfile.parse, unitfile.words, unitfile.envfile, unitfile.seconds

-- what each key becomes lives in unitkeys; so do the lists of the keys
-- that are not carried over
local unitkeys = require "unitkeys"

M.ignored, M.unsupported = unitkeys.ignored, unitkeys.unsupported
local note, add_env = unitkeys.note, unitkeys.add_env

---------------------------------------------------------------- rendering

local float = require "float"

local FIELD_ORDER = { "description", "type", "command", "pid_file", "env", "cwd", "user", "group",
	"groups", "umask", "requires", "wants", "after", "restart", "restart_delay", "restart_max_delay",
	"crash_limit", "start_timeout", "stop_signal", "stop_timeout", "watchdog", "rlimits",
	"no_new_privs", "capabilities", "nice", "tty", "cgroup", "log", "enabled" }

local function shell_quote(w)
	if w ~= "" and w:match("^[%w%-%./_=:,+@%%]+$") then return w end
	return "'" .. w:gsub("'", "'\\''") .. "'"
end

local function lua_literal(v)
	local t = type(v)
	if t == "string" then return string.format("%q", v):gsub("\\\n", "\\n") end
	if t == "number" then
		if v == math.huge then return "math.huge" end
		if math.type(v) == "integer" then return string.format("%d", v) end
		return float.text(v) -- 0.1, not 0.10000000000000001
	end
	if t == "boolean" then return tostring(v) end
	if t == "table" and v.__lua then return v.__lua end
	assert(t == "table", "cannot write a " .. t)
	if next(v) == nil then return "{}" end
	if #v > 0 then
		local parts = {}
		for _, x in ipairs(v) do parts[#parts + 1] = lua_literal(x) end
		return "{ " .. table.concat(parts, ", ") .. " }"
	end
	local keys = {}
	for k in pairs(v) do keys[#keys + 1] = k end
	table.sort(keys)
	local parts = {}
	for _, k in ipairs(keys) do
		local key = k:match("^[%a_][%w_]*$") and k or "[" .. lua_literal(k) .. "]"
		parts[#parts + 1] = key .. " = " .. lua_literal(v[k])
	end
	return "{ " .. table.concat(parts, ", ") .. " }"
end

--- Render a definition table as the Lua source of a service file.
-- render : (def, header_lines) -> string
function M.render(def, header)
	local out = {}
	for _, h in ipairs(header or {}) do out[#out + 1] = "-- " .. h end
	out[#out + 1] = "return {"
	local seen = {}
	for _, k in ipairs(FIELD_ORDER) do
		if def[k] ~= nil then
			out[#out + 1] = string.format("\t%s = %s,", k, lua_literal(def[k]))
			seen[k] = true
		end
	end
	for k, v in pairs(def) do
		if not seen[k] then out[#out + 1] = string.format("\t%s = %s,", k, lua_literal(v)) end
	end
	out[#out + 1] = "}"
	return table.concat(out, "\n") .. "\n"
end

---------------------------------------------------------------- conversion

-- The unit's names: base (its file name), unitname (with the instance a
-- template gets from opts.instance or DefaultInstance=), prefix and inst
-- (a template's parts), name (the service's).
local function unit_names(text, opts)
	local file = opts.file or "unit.service"
	local base = file:match("([^/]+)$") or file
	local unitname = base
	local prefix, inst = base:match("^(.-)@(.-)%.service$")
	if prefix and (inst == "" or inst == nil) and opts.instance then
		unitname = prefix .. "@" .. opts.instance .. ".service"
		inst = opts.instance
	end
	if prefix and (inst == "" or inst == nil) then
		-- systemctl enable uses DefaultInstance= the same way
		local di = text:match("\n%s*DefaultInstance%s*=%s*([^\n]-)%s*\n")
		if di and di ~= "" then
			inst = di
			unitname = prefix .. "@" .. di .. ".service"
		end
	end
	local name = opts.name or unitname:gsub("%.service$", "")
	return { base = base, unitname = unitname, prefix = prefix, inst = inst, name = name }
end

-- specifiers (systemd.unit(5)); unknown ones are reported
local function specifiers(n, opts)
	local unitname, prefix, inst = n.unitname, n.prefix, n.inst
	return {
		["%"] = "%", n = unitname, N = unitname:gsub("%.service$", ""),
		p = prefix or unitname:gsub("%.service$", ""), P = prefix or unitname:gsub("%.service$", ""),
		i = inst or "", I = inst or "", j = (prefix or unitname:gsub("%.service$", "")):match("([^-]*)$"),
		t = "/run", S = "/var/lib", C = "/var/cache", L = "/var/log", E = "/etc", T = "/tmp",
		V = "/var/tmp", h = "/root", u = "root", U = "0", H = opts.hostname,
		f = "/" .. (inst or ""),
	}
end

local function expand_specifiers(st, spec, e)
	return (e.value:gsub("%%(.)", function(c)
		local r = spec[c]
		if r then return r end
		note(st, e, "note", "specifier %" .. c .. " is not known to the converter; left as is")
		return "%" .. c
	end))
end

local function readfile(p)
	local f, err = io.open(p, "r")
	if not f then return nil, err end
	local s = f:read("a"); f:close(); return s
end

-- EnvironmentFile= is read now, its variables override Environment='s
local function read_env_files(st, opts)
	local read = opts.readfile or readfile
	for _, ef in ipairs(st.env_files) do
		local text = read((opts.root or "") .. ef.path)
		if text then
			local keys = {}
			local fenv = M.envfile(text)
			for k in pairs(fenv) do keys[#keys + 1] = k end
			table.sort(keys)
			for _, k in ipairs(keys) do add_env(st, k, fenv[k]) end
			note(st, ef.entry, "note", "read at conversion time: " .. #keys .. " variable(s) copied into env")
		elseif ef.optional then
			note(st, ef.entry, "note", "missing, optional ('-'): nothing copied")
		else
			note(st, ef.entry, "unsupported", "missing at conversion time; systemd would refuse to start the unit")
		end
	end
end

-- expand(cmd) -> argv: $VAR and ${VAR} from the unit's environment, then
-- opts.env; a variable set by neither expands to nothing, and is noted
-- once per line that uses it, under that line's key (ExecStartPre= or
-- ExecStart=)
local function expander(st, opts)
	local lookup = {}
	for k, v in pairs(opts.env or {}) do lookup[k] = v end
	for k, v in pairs(st.env) do lookup[k] = v end
	local noted, e = {}, nil -- e: the entry of the command being expanded
	local function var(n)
		if lookup[n] == nil and not noted[e.line .. " " .. n] then
			noted[e.line .. " " .. n] = true
			st.notes[#st.notes + 1] = { key = e.key, value = "$" .. n, line = e.line, section = e.section,
				kind = "note", reason = "$" .. n .. " is not set by Environment= or EnvironmentFile=; expanded to nothing" }
		end
		return lookup[n] or ""
	end
	return function(cmd)
		if cmd.flags[":"] then return cmd.words end
		e = cmd.entry
		local out = {}
		for _, w in ipairs(cmd.words) do
			local whole = w:match("^%$([%a_][%w_]*)$")
			if whole then
				for x in var(whole):gmatch("%S+") do out[#out + 1] = x end
			else
				w = w:gsub("%$%$", "\0"):gsub("%${([%a_][%w_]*)}", var):gsub("%$([%a_][%w_]*)", var):gsub("%z", "$")
				out[#out + 1] = w
			end
		end
		if cmd.flags["@"] and #out >= 2 then table.remove(out, 2) end
		return out
	end
end

-- def.command: the last ExecStart=, or /bin/sh -c running the
-- ExecStartPre= lines and the other ExecStart= lines first
local function command(st, expand)
	local def = st.def
	if #st.start == 0 then
		st.errs[#st.errs + 1] = "no ExecStart= (luainit needs a command)"
		return
	end
	local oneshot = def.type == "oneshot"
	if #st.start > 1 and not oneshot then
		st.errs[#st.errs + 1] = "several ExecStart= lines are only allowed with Type=oneshot"
	end
	local pre = {}
	for _, c in ipairs(st.pre) do pre[#pre + 1] = c end
	local main = st.start[#st.start]
	for i = 1, #st.start - 1 do pre[#pre + 1] = st.start[i] end
	if #pre == 0 and not (oneshot and main.flags["-"]) then
		def.command = expand(main)
	else
		local parts = {}
		local function q(argv)
			local ws = {}
			for i, w in ipairs(argv) do ws[i] = shell_quote(w) end
			return table.concat(ws, " ")
		end
		for _, c in ipairs(pre) do
			parts[#parts + 1] = c.flags["-"] and "{ " .. q(expand(c)) .. " || true; }" or q(expand(c))
		end
		if oneshot and main.flags["-"] then parts[#parts + 1] = "{ " .. q(expand(main)) .. " || true; }"
		else parts[#parts + 1] = "exec " .. q(expand(main)) end
		def.command = { "/bin/sh", "-c", table.concat(parts, " && ") }
	end
	if #def.command == 0 then st.errs[#st.errs + 1] = "ExecStart= expands to nothing" end
end

-- the fields the state collected, and systemd's defaults where the unit
-- says nothing
local function finish(st)
	local def = st.def
	if #st.env_order > 0 then
		def.env = {}
		for _, k in ipairs(st.env_order) do def.env[k] = st.env[k] end
	end
	if #st.requires > 0 then def.requires = st.requires end
	if #st.wants > 0 then def.wants = st.wants end
	if #st.after > 0 then
		-- requires already orders (a service starts once what it requires
		-- is ready); wants does not (docs/services.md), so an After= of a
		-- wanted unit stays in after
		local covered = {}
		for _, n in ipairs(st.requires) do covered[n] = true end
		local a = {}
		for _, n in ipairs(st.after) do if not covered[n] then a[#a + 1] = n end end
		if #a > 0 then def.after = a end
	end
	if next(st.rlimits) then def.rlimits = st.rlimits end
	-- MemoryLimit= (deprecated) is memory.max to systemd on cgroup v2 only
	-- where no MemoryMax= sets a limit (infinity sets none), nor any other
	-- of cgroup v2's memory keys (unitkeys' UNIFIED_MEMORY)
	local ml = st.memory_limit
	local first -- the cgroup v2 memory key set on the first line
	for k, line in pairs(st.unified_memory) do
		if not first or line < st.unified_memory[first] then first = k end
	end
	if ml and first then
		note(st, ml.entry, "ignored", "the deprecated spelling of MemoryMax=; systemd ignores it where "
			.. first .. "= (a cgroup v2 memory setting) is set")
	elseif ml and (st.cgroup.memory_max == nil or st.cgroup.memory_max == "max") then
		st.cgroup.memory_max = ml.value
		note(st, ml.entry, "note", "the deprecated spelling (cgroup v1's) of MemoryMax=: converted as MemoryMax=; "
			.. "write MemoryMax= in the unit")
	elseif ml then
		note(st, ml.entry, "ignored", "the deprecated spelling of MemoryMax=; MemoryMax= is set, and systemd uses it")
	end
	if next(st.cgroup) then def.cgroup = st.cgroup end
	if st.burst and st.burst > 0 then def.crash_limit = { st.burst, st.interval or 10 } end
	if def.restart == nil then def.restart = "never"; st.default_restart = true end
	-- systemd waits RestartSec= (100 ms by default) before every restart,
	-- without steps unless RestartSteps= says so; with the default
	-- crash_limit, StartLimitBurst='s 5 in 10 s, a crash loop then fails
	-- as soon as under systemd
	if def.restart ~= "never" and not st.restart_sec then
		def.restart_delay, def.restart_max_delay = 0.1, 0.1
		st.default_restart_delay = true
	end
	-- RestartSteps= and RestartMaxDelaySec= step the delay only together,
	-- with steps and a finite maximum; then the steps are lost (the delay
	-- stays restart_delay), else they do nothing
	local steps, max = st.restart_steps, st.restart_max
	local stepped = steps and max and steps.n > 0 and max.s ~= math.huge
	for _, x in ipairs({ steps or false, max or false }) do
		if x and stepped then
			note(st, x.entry, "unsupported", string.format("no stepped restart delay: systemd grows the delay "
				.. "from RestartSec= to RestartMaxDelaySec= in %d steps; luainit waits restart_delay every "
				.. "time (for its doubling up to a maximum, set restart_max_delay by hand)", steps.n))
		elseif x then
			note(st, x.entry, "ignored", "no effect in systemd either: the delay is stepped only with "
				.. "RestartSteps= above 0 and a finite RestartMaxDelaySec=")
		end
	end
	if def.pid_file and def.type ~= "forking" then
		st.notes[#st.notes + 1] = { key = "PIDFile", value = def.pid_file, kind = "ignored",
			reason = "only used with Type=forking" }
		def.pid_file = nil
	end
	if def.type == "forking" and not def.pid_file then
		st.errs[#st.errs + 1] = "Type=forking without PIDFile=: luainit needs pid_file to find the main process"
	end
	-- luainit's tty is stdin, stdout and stderr: the terminal goes in with
	-- StandardInput=tty (systemd's default TTYPath= is /dev/console);
	-- without it systemd connects no terminal, whatever TTYPath= says
	if st.stdin_tty then
		def.tty = st.tty_path and st.tty_path.value or "/dev/console"
	elseif st.tty_path then
		note(st, st.tty_path.entry, "ignored", "systemd uses the terminal only with StandardInput=tty "
			.. "(luainit's tty is stdin, stdout and stderr)")
	end
	if def.type == nil then def.type = "simple" end
end

-- the tmpfiles.d lines for the directories systemd would create
local function tmpfiles_lines(st)
	local def, tmp = st.def, {}
	for _, d in ipairs(st.dirs) do
		local mode = st.dir_modes[d.modekey] or "0755"
		tmp[#tmp + 1] = string.format("d %s %s %s %s -", d.path, mode,
			def.user and tostring(def.user) or "root", def.group and tostring(def.group) or "-")
		note(st, d.entry, "note", "created at boot by tmpfiles: " .. tmp[#tmp])
	end
	return tmp
end

-- the comment on top of the generated file: where it came from, what a
-- reader should know, every key not carried over except the ignored ones
local function header_lines(st, n, tmp)
	local header = { string.format("%s: converted from %s by luainit's unitimport", n.name .. ".lua", n.base) }
	if st.default_restart then header[#header + 1] = "restart = \"never\": systemd's default (Restart=no)" end
	if st.default_restart_delay then
		header[#header + 1] = "restart_delay = restart_max_delay = 0.1: systemd's default (RestartSec=100ms, "
			.. "the same before every restart); without them luainit doubles the delay up to 30 s"
	end
	if #st.pre > 0 or #st.start > 1 then
		header[#header + 1] = "ExecStartPre= (and extra ExecStart=) lines run in /bin/sh before the main command"
	end
	if #tmp > 0 then
		header[#header + 1] = "needs these tmpfiles.d lines (e.g. in /etc/tmpfiles.d/" .. n.name .. ".conf):"
		for _, l in ipairs(tmp) do header[#header + 1] = "  " .. l end
	end
	for _, x in ipairs(st.notes) do
		if x.kind ~= "ignored" then
			header[#header + 1] = string.format("%s: %s%s=%s: %s", x.kind,
				x.line and ("line " .. x.line .. ": ") or "", x.key, x.value, x.reason)
		end
	end
	return header
end

--- Convert a unit's text.
-- opts: name (the service name; default from opts.file, e.g. "ssh" for
--       ssh.service, "getty@ttyS0" with opts.instance), file (the unit's path,
--       for messages and %n), instance (for template units), root (prefix
--       for reading EnvironmentFile= paths, e.g. a debootstrapped tree),
--       readfile (function(path) -> text|nil, default io.open), env (extra
--       variables for $VAR expansion, e.g. TERM), hostname (for %H).
-- Returns the Lua source, the list of keys not carried over
-- ({key, value, line, kind, reason}), the list of errors (non-empty: the
-- source may be missing or invalid), and extras {def, tmpfiles, name}.
-- convert : (text, opts?) -> string|nil, {entry}, {string}, table
function M.convert(text, opts)
	opts = opts or {}
	local n = unit_names(text, opts)
	if text:match("^%s*$") then
		return nil, {}, { "empty unit (masked: a link to /dev/null)" }, { name = n.name, masked = true }
	end
	local entries, errs = M.parse(text)
	if n.prefix and (n.inst == nil or n.inst == "") then
		errs[#errs + 1] = string.format("%s is a template unit: give an instance (--instance NAME) for %%i", n.base)
		return nil, {}, errs, { name = n.name, template = true }
	end

	local st = unitkeys.state(errs)
	local spec = specifiers(n, opts)
	for _, e in ipairs(entries) do
		if e.section ~= "Install" then e.value = expand_specifiers(st, spec, e) end
		unitkeys.apply(st, e)
	end
	read_env_files(st, opts)
	command(st, expander(st, opts))
	finish(st)
	local tmp = tmpfiles_lines(st)
	local header = header_lines(st, n, tmp)
	local src = st.def.command and M.render(st.def, header) or nil
	local tmpfiles = #tmp > 0 and table.concat(tmp, "\n") .. "\n" or nil
	return src, st.notes, st.errs, { def = st.def, tmpfiles = tmpfiles, name = n.name }
end

---------------------------------------------------------------- checking

--- Load generated source and check it with services.check.
-- validate : (src, name) -> svc | (nil, {string})
function M.validate(src, name)
	local chunk, err = load(src, "=" .. name .. ".lua", "t", { tonumber = tonumber, math = math })
	if not chunk then return nil, { err } end
	local ok, def = pcall(chunk)
	if not ok then return nil, { tostring(def) } end
	return require("services").check(name, def, name .. ".lua")
end

---------------------------------------------------------------- CLI

local USAGE = [[
usage: luactl import-unit [--root DIR] [--instance NAME] [--name NAME] [--env K=V]... [--tmpfiles FILE] UNIT.service
       luactl import-unit --batch [--root DIR] UNIT.service|DIR...
  (or luainit --lua /usr/lib/luainit/unitimport.lua with the same arguments)
  Prints the luainit service definition for UNIT on stdout and every key not
  carried over on stderr. --batch converts many units and prints one line
  each and a summary; it exits 1 only if a conversion raised an error.
  --root DIR       read EnvironmentFile= paths under DIR (a mounted or debootstrapped root)
  --instance NAME  the instance of a template unit (getty@.service: ttyS0)
  --name NAME      the service name (default: the unit name without .service)
  --env K=V        a variable for $VAR expansion that the unit does not set (e.g. TERM=vt220)
  --tmpfiles FILE  write the tmpfiles.d lines for RuntimeDirectory= and friends to FILE]]

local function kinds(notes)
	local c = { unsupported = 0, ignored = 0, note = 0 }
	for _, n in ipairs(notes) do c[n.kind] = c[n.kind] + 1 end
	return c
end

--- The command line tool (luactl import-unit and `luainit --lua unitimport.lua`).
-- Exit codes: 0 converted (and valid), 1 failed, 2 usage.
-- main : ({string}) -> integer
function M.main(args)
	local opts, files, batch, tmpfiles = { env = {} }, {}, false, nil
	local i = 1
	while i <= #args do
		local a = args[i]
		local function val()
			i = i + 1
			if args[i] == nil then io.stderr:write("import-unit: ", a, " needs a value\n", USAGE, "\n"); return nil end
			return args[i]
		end
		if a == "--root" then opts.root = val(); if not opts.root then return 2 end
		elseif a == "--instance" then opts.instance = val(); if not opts.instance then return 2 end
		elseif a == "--name" then opts.name = val(); if not opts.name then return 2 end
		elseif a == "--tmpfiles" then tmpfiles = val(); if not tmpfiles then return 2 end
		elseif a == "--env" then
			local kv = val(); if not kv then return 2 end
			local k, v = kv:match("^([%a_][%w_]*)=(.*)$")
			if not k then io.stderr:write("import-unit: --env wants NAME=value, got '", kv, "'\n"); return 2 end
			opts.env[k] = v
		elseif a == "--batch" then batch = true
		elseif a == "-h" or a == "--help" then io.stdout:write(USAGE, "\n"); return 0
		elseif a:sub(1, 1) == "-" then io.stderr:write("import-unit: unknown option ", a, "\n", USAGE, "\n"); return 2
		else files[#files + 1] = a end
		i = i + 1
	end
	if #files == 0 or (#files > 1 and not batch) then io.stderr:write(USAGE, "\n"); return 2 end

	if not batch then
		local text, err = readfile(files[1])
		if not text then io.stderr:write("import-unit: ", err, "\n"); return 1 end
		opts.file = files[1]
		local src, notes, errs, extra = M.convert(text, opts)
		-- each with the file and line, as the errors are
		for _, n in ipairs(notes) do
			io.stderr:write(string.format("%s: %s: %s%s=%s: %s\n", n.kind, files[1],
				n.line and ("line " .. n.line .. ": ") or "", n.key, n.value, n.reason))
		end
		for _, e in ipairs(errs) do io.stderr:write("import-unit: ", files[1], ": ", e, "\n") end
		if not src then return 1 end
		local ok, verrs = M.validate(src, extra.name)
		io.stdout:write(src)
		if tmpfiles and extra.tmpfiles then
			local f, ferr = io.open(tmpfiles, "w")
			if not f then io.stderr:write("import-unit: ", ferr, "\n"); return 1 end
			f:write(extra.tmpfiles); f:close()
		end
		if not ok then
			for _, e in ipairs(verrs) do io.stderr:write("import-unit: not a valid definition: ", e, "\n") end
			return 1
		end
		return #errs > 0 and 1 or 0
	end

	-- a directory stands for every *.service in it (the argument list of
	-- `luainit --lua` is best kept short)
	local list = {}
	for _, f in ipairs(files) do
		local fs = require "luainit.fs"
		local st = fs.stat(f)
		if st and st.type == "dir" then
			local names = {}
			for _, x in ipairs(fs.readdir(f) or {}) do
				if x:match("%.service$") then names[#names + 1] = x end
			end
			table.sort(names)
			for _, x in ipairs(names) do list[#list + 1] = f .. "/" .. x end
		else
			list[#list + 1] = f
		end
	end
	local n, valid, clean, raised, masked, templates = 0, 0, 0, 0, 0, 0
	for _, f in ipairs(list) do
		n = n + 1
		local text, err = readfile(f)
		local ok, src, notes, errs, extra
		if text then
			local o = { root = opts.root, env = opts.env, file = f, instance = opts.instance }
			ok, src, notes, errs, extra = xpcall(M.convert, debug.traceback, text, o)
		else
			ok, src = false, err
		end
		local base = f:match("([^/]+)$")
		if not ok then
			raised = raised + 1
			print(string.format("RAISED %s: %s", base, tostring(src)))
		else
			local c = kinds(notes)
			local svc, verrs = nil, errs
			if src then svc, verrs = M.validate(src, extra.name) end
			if extra.masked or extra.template then
				local k = extra.masked and "masked" or "template"
				if k == "masked" then masked = masked + 1 else templates = templates + 1 end
				print(string.format("%s %s: %s", k, base, errs[1]))
			elseif svc and #errs == 0 then
				valid = valid + 1
				if c.unsupported == 0 then clean = clean + 1 end
				local list = {}
				for _, x in ipairs(notes) do if x.kind == "unsupported" then list[#list + 1] = x.key end end
				print(string.format("%s %s%s", c.unsupported == 0 and "clean" or "valid", base,
					#list > 0 and (" (unsupported: " .. table.concat(list, " ") .. ")") or ""))
			else
				local why = {}
				for _, e in ipairs(errs) do why[#why + 1] = e end
				if verrs ~= errs then for _, e in ipairs(verrs or {}) do why[#why + 1] = e end end
				print(string.format("invalid %s: %s", base, table.concat(why, "; ")))
			end
		end
	end
	print(string.format("%d unit(s): %d valid definitions (%d with nothing unsupported), %d invalid, "
		.. "%d masked, %d templates without an instance, %d raised",
		n, valid, clean, n - valid - raised - masked - templates, masked, templates, raised))
	return raised > 0 and 1 or 0
end

-- run as a script: luainit --lua unitimport.lua ARGS
if (...) ~= "unitimport" and type(arg) == "table" and type(arg[0]) == "string"
	and arg[0]:match("unitimport%.lua$") then
	os.exit(M.main(arg))
end

return M
