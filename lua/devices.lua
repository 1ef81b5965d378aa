--- devices: hotplug without udev. A kernel uevent socket on the event
-- loop: new devices get their driver module loaded, and small rules written
-- in Lua can set owner and mode of device nodes and create symlinks.
--
-- A rule: devices.rule{ subsystem = "tty", name = "ttyS[0-3]", attrs = {...},
--   owner = 0, group = 5, mode = 432, symlink = "serial0" }
-- subsystem, name and the attrs values are shell globs (lua/glob.lua).
local event = require "luainit.event"
local fs = require "luainit.fs"
local glob = require "glob"
local integer = require "integer"
local log = require "log"

local M = { rules = {}, handlers = {} }

-- A key the rule leaves out matches anything; a value the device lacks
-- (no devname, no such attribute) matches no glob.
local function glob_match(pat, s)
	if pat == nil then return true end
	if s == nil then return false end
	return glob.match(pat, s)
end
M.glob_match = glob_match

-- The globs are fnmatch's, as network.lua's match reads them ("ttyS[0-3]");
-- one glob.match cannot use (a reversed range) would match nothing at
-- every uevent, so it is refused where the rule is written.
local function is_glob(v)
	if type(v) ~= "string" then return false end
	local ok, why = glob.check(v)
	return ok or false, why
end
local ACTIONS = { add = true, remove = true, change = true, move = true, online = true,
	offline = true, bind = true, unbind = true }

-- What each key of a rule takes. A rule is used only when a device
-- arrives, inside the uevent handler: a wrong value must be refused here,
-- at the caller's line, not raise there for every event it is tried on.
local RULE_KEYS = {
	subsystem = { is_glob, "a glob string such as \"tty\"" },
	name = { is_glob, "a glob string such as \"ttyS*\" (the device's name under /dev)" },
	attrs = { function(v)
		if type(v) ~= "table" then return false end
		for k, x in pairs(v) do
			if type(k) ~= "string" then return false end
			local ok, why = is_glob(x)
			if not ok then return false, why, "." .. k end
		end
		return true
	end, "a table of sysfs attribute = glob strings" },
	-- a uid or gid as a service's user and group take one (integer.id);
	-- these three, as every integer field, take an integral float too
	-- (lua/integer.lua: 432.0) and keep the integer (WHOLE below)
	owner = { integer.id, "a uid, " .. integer.id_expected },
	group = { integer.id, "a gid, " .. integer.id_expected },
	mode = { function(v) return integer.of(v, 0, 4095) ~= nil end,
		"an integer from 0 to 07777 (e.g. tonumber(\"660\", 8))" },
	-- made as /dev/<symlink>, after unlinking what is there: never a path
	-- that leaves /dev
	symlink = { function(v)
		return type(v) == "string" and v ~= "" and v:sub(1, 1) ~= "/"
			and not ("/" .. v .. "/"):find("/%.%./")
	end, "a name under /dev such as \"serial0\" (relative, no '..')" },
	action = { function(v) return ACTIONS[v] == true end,
		"a uevent action: add, remove, change, move, online, offline, bind or unbind" },
}
-- the keys whose value is kept as an integer, as a service's are
local WHOLE = { owner = true, group = true, mode = true }

--- Add a device rule (see the module header). A wrong key or value raises,
-- naming the caller's file:line; the rule is kept as a copy, so changing
-- the table afterwards changes nothing.
-- rule : ({subsystem?, name?, attrs?, owner?, group?, mode?, symlink?, action?}) -> nil
function M.rule(r)
	if type(r) ~= "table" then
		error(string.format("devices.rule: expected a table, got %s", type(r)), 2)
	end
	local copy = {}
	for k, v in pairs(r) do
		local f = RULE_KEYS[k]
		if not f then
			error(string.format("devices.rule: unknown key '%s'", tostring(k)), 2)
		end
		local ok, why, sub = f[1](v)
		if why then
			error(string.format("devices.rule: field '%s%s': %s", k, sub or "", why), 2)
		elseif not ok then
			error(string.format("devices.rule: field '%s': expected %s, got %s", k, f[2],
				type(v) == "string" and ("'" .. v .. "'") or math.type(v) and tostring(v) or type(v)), 2)
		end
		copy[k] = WHOLE[k] and math.tointeger(v) or v
	end
	if copy.attrs then
		local a = {}
		for k, v in pairs(copy.attrs) do a[k] = v end
		copy.attrs = a
	end
	M.rules[#M.rules + 1] = copy
end

--- Call fn(ev) for every uevent (after the built-in handling).
function M.on(fn) M.handlers[#M.handlers + 1] = fn end

local function apply_rules(ev)
	local dev = require "luainit.dev"
	local name = ev.devname
	for _, r in ipairs(M.rules) do
		if glob_match(r.subsystem, ev.subsystem) and glob_match(r.name, name)
			and (r.action or "add") == ev.action then
			local match = true
			for k, v in pairs(r.attrs or {}) do
				if not glob_match(v, dev.sysattr(ev.devpath, k)) then match = false break end
			end
			if match and name then
				local node = "/dev/" .. name
				if r.owner or r.group then fs.chown(node, r.owner or -1, r.group or -1) end
				if r.mode then fs.chmod(node, r.mode) end
				if r.symlink then fs.unlink("/dev/" .. r.symlink); fs.symlink(name, "/dev/" .. r.symlink) end
			end
		end
	end
end

--- Load the drivers that modalias alias asks for and that are neither
-- loaded nor built in; returns the modules loaded. where names the caller
-- in messages; loaded (a set, optional) skips modules already loaded by the
-- caller and receives the new ones. A module that finds no hardware it
-- drives (ENODEV: cpufreq in a VM) is normal: a debug line only.
-- load_for : (alias, where, loaded?) -> {string}
function M.load_for(alias, where, loaded)
	local kmod = require "luainit.kmod"
	local new = {}
	for _, m in ipairs(kmod.lookup(alias) or {}) do
		if not (loaded and loaded[m]) and not kmod.is_loaded(m) and not kmod.is_builtin(m) then
			local t0 = event.now()
			local ok, err, _, ename = kmod.load(m)
			-- on the boot timeline (luactl analyze) when the boot loads it
			local stage = package.loaded.stage
			if stage and ename ~= "ENODEV" then stage.record("module", m, t0, event.now(), ok == true) end
			if ok then
				new[#new + 1] = m
				if loaded then loaded[m] = true end
			elseif ename == "ENODEV" then
				log.debug("%s: %s: %s", where, m, err)
			else
				log.warn("%s: %s: %s", where, m, err)
			end
		end
	end
	return new
end

--- Handle one uevent: load the module for its modalias, apply rules.
-- Returns the modules it loaded; quiet: do not print them (coldplug
-- reports them in its own line).
-- handle : (ev, quiet?) -> {string}
function M.handle(ev, quiet)
	local loaded = {}
	if ev.action == "add" and ev.modalias then
		loaded = M.load_for(ev.modalias, "hotplug")
		if not quiet then
			for _, m in ipairs(loaded) do log.info("[  OK  ] hotplug: loaded %s for %s", m, ev.devpath) end
		end
	end
	apply_rules(ev)
	for _, fn in ipairs(M.handlers) do
		local ok, err = xpcall(fn, log.traceback, ev)
		if not ok then log.err("uevent handler: %s", err) end
	end
	return loaded
end

--- Handle every uevent already waiting, quietly (coldplug calls it after
-- loading drivers, whose new devices have announced themselves, and what
-- those load announce in turn); returns the modules loaded for them, the
-- number of events that carried a modalias, and whether uevents were lost
-- (the receive buffer overflowed) since the socket opened or the last drain.
-- drain : () -> {string}, integer, boolean
function M.drain()
	local loaded, aliases = {}, 0
	if not M.sock then return loaded, aliases, false end
	while true do
		local ev = M.sock:recv()
		if not ev then break end
		if ev.action == "add" and ev.modalias then aliases = aliases + 1 end
		for _, m in ipairs(M.handle(ev, true)) do loaded[#loaded + 1] = m end
	end
	local overruns = M.sock:stats().overruns
	local lost = overruns ~= M.overruns
	M.overruns = overruns
	return loaded, aliases, lost
end

--- Open the uevent socket and serve it from the event loop.
function M.listen()
	if M.sock then return true end
	local dev = require "luainit.dev"
	local sock, err = dev.uevent()
	if not sock then log.warn("hotplug: %s", err) return nil, err end
	M.sock = sock
	M.overruns = sock:stats().overruns
	M.watch = event.watch(sock, "r", function()
		while true do
			local ev = sock:recv()
			if not ev then break end
			M.handle(ev)
		end
	end)
	return true
end

return M
