--- services: load and validate service definitions.
-- Each service is one Lua file in /etc/luainit/services/ returning a table.
-- Everything is checked before anything starts: unknown keys (with the
-- nearest valid name), wrong types and values, missing dependencies and
-- dependency cycles (every member named). An invalid service is left out;
-- the others still start. See docs/services.md for every field.
local conffile = require "conffile"
local float = require "float"
local fs = require "luainit.fs"
local integer = require "integer"
local log = require "log"
local process = require "luainit.process"

local M = { dir = "/etc/luainit/services" }

local function is_array_of(kind)
	return function(v)
		if type(v) ~= "table" then return false end
		local n = 0
		for k, x in pairs(v) do
			n = n + 1
			if math.type(k) ~= "integer" or type(x) ~= kind then return false end
		end
		return n == #v
	end
end

local function one_of(...)
	local set, names = {}, { ... }
	for _, n in ipairs(names) do set[n] = true end
	return function(v) return set[v] == true end, "one of " .. table.concat(names, ", ")
end

local function number_min(min)
	return function(v) return type(v) == "number" and v >= min end, "a number >= " .. min
end

-- a uid or gid as devices.rule takes one too (integer.id); the checked
-- definition holds it as an integer (1000.0 is 1000)
local id = integer.id
local function name_or_id(v) return type(v) == "string" or id(v) ~= nil end
local function is_string(v) return type(v) == "string" end
local function is_bool(v) return type(v) == "boolean" end
-- an integer from min to max, or a float with an integral value (18.0,
-- 1e1), as every integer field takes one (lua/integer.lua); the checked
-- service holds the integer (WHOLE below)
local function int_in(min, max) return function(v) return integer.of(v, min, max) ~= nil end end
local function is_table(v) return type(v) == "table" end

local string_array = is_array_of("string")
local function nonempty_argv(v) return string_array(v) and #v > 0 end

--- Every field a definition may have: {check, "what is expected", default}.
M.fields = {
	description = { is_string, "a string" },
	command = { nonempty_argv, "a non-empty array of strings (argv, no shell)" },
	env = { is_table, "a table of NAME = value (a string or a number)" },
	cwd = { is_string, "an absolute path" },
	user = { name_or_id, "a user name or uid (" .. integer.id_expected .. ")" },
	group = { name_or_id, "a group name or gid (" .. integer.id_expected .. ")" },
	groups = { is_table, "an array of group names or gids" },
	umask = { int_in(0, 511), "an integer from 0 to 0777 (e.g. 0x12 or tonumber('022', 8))" },
	rlimits = { is_table, "a table like { nofile = 1024 }" },
	no_new_privs = { is_bool, "true or false" },
	capabilities = { string_array, "an array of capability names (bounding set kept)" },
	restart = { one_of("always", "on-failure", "never") },
	restart_delay = { number_min(0) },
	restart_max_delay = { number_min(0) },
	crash_limit = { is_table, "{ N, T }: N restarts within T seconds mark the service failed" },
	stop_signal = { is_string, "a signal name such as \"TERM\"" },
	stop_timeout = { number_min(0) },
	start_timeout = { number_min(0) },
	requires = { string_array, "an array of service names" },
	wants = { string_array, "an array of service names" },
	after = { string_array, "an array of service names" },
	type = { one_of("simple", "notify", "fd", "oneshot", "forking") },
	pid_file = { is_string, "a path" },
	ready_fd = { int_in(3, 255), "a descriptor number from 3 to 255" },
	watchdog = { number_min(0) },
	enabled = { is_bool, "true or false" },
	log = { is_table, "a table like { file = true, max_size = 1048576, keep = 3, ring = 200 }" },
	cgroup = { is_table, "a table like { memory_max = \"64M\", pids_max = 100, cpu_weight = 100 }" },
	tty = { is_string, "a terminal path such as /dev/ttyS0 (stdin, stdout and stderr)" },
	nice = { int_in(-20, 19), "an integer from -20 to 19" },
}
for _, f in pairs(M.fields) do
	if not f[2] then f[2] = select(2, one_of()) end
end
-- their names in order, for messages that go through them all
M.field_names = {}
for k in pairs(M.fields) do M.field_names[#M.field_names + 1] = k end
table.sort(M.field_names)
M.fields.restart[2] = "one of always, on-failure, never"
M.fields.type[2] = "one of simple, notify, fd, oneshot, forking"
M.fields.restart_delay[2] = "a number of seconds >= 0"
M.fields.restart_max_delay[2] = "a number of seconds >= 0"
M.fields.stop_timeout[2] = "a number of seconds >= 0"
M.fields.start_timeout[2] = "a number of seconds >= 0"
M.fields.watchdog[2] = "a number of seconds >= 0"

M.defaults = {
	restart = "on-failure", restart_delay = 0.1, restart_max_delay = 30,
	crash_limit = { 5, 10 }, stop_signal = "TERM", stop_timeout = 5,
	start_timeout = 30, type = "simple", enabled = true, cwd = "/",
	requires = {}, wants = {}, after = {}, log = {}, cgroup = {},
}
-- A checked definition holds only its own fields and reads the defaults
-- through this metatable (as does the supervisor's record of a service):
-- a record that copied them all needed a 32-slot table, and a running
-- service's grew to 64, ~1.3 kB more per service.
M.defaults_mt = { __index = M.defaults }

--- The names requires and after accept that are no service: the
-- network's readiness ("network-online") and fstab's network mounts done
-- ("remote-fs"); supervisor.lua's deps_state says what each waits for.
-- Each is what it stands for: no service may take the name (requires and
-- after would never reach it).
M.pseudo = { ["network-online"] = "the network's readiness",
	["remote-fs"] = "the readiness of fstab's network filesystems" }

M.signals = {}
for n in ("HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS"):gmatch("%S+") do
	M.signals[n] = true
end

--- The name in signals of signal number n, or nil (a real-time signal,
-- STKFLT). The table is made at the first call: the boot needs none.
-- signal_name : (n) -> string | nil
local by_number
function M.signal_name(n)
	if not by_number then
		by_number = {}
		for name in pairs(M.signals) do
			local ok, num = pcall(process.signum, name)
			if ok then by_number[num] = name end
		end
	end
	return by_number[n]
end

-- Levenshtein distance, for "did you mean".
local function distance(a, b)
	local prev = {}
	for j = 0, #b do prev[j] = j end
	for i = 1, #a do
		local cur = { [0] = i }
		for j = 1, #b do
			local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
			cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
		end
		prev = cur
	end
	return prev[#b]
end

--- The valid name closest to key (the first in order of a tie), and how
-- far it is (letters added, dropped or changed).
-- nearest : (key, names_set) -> string, integer
function M.nearest(key, names)
	local best, bd = nil, math.huge
	for n in pairs(names) do
		local d = distance(key, n)
		if d < bd or (d == bd and n < best) then best, bd = n, d end
	end
	return best, bd
end

-- How a bad value reads in a message: strings quoted, numbers and
-- booleans as written (-1 says more than "number"), anything else by type.
-- The message goes to a terminal and into a reply: a control character
-- is shown as \xNN (a NUL as \0, U+0080-U+009F as \xc2\xNN), a string past SHOWN_MAX bytes cut, with
-- its length (a 15 MB value made the refusal of a reload too large to send).
local SHOWN_MAX = 120
local function hex(c) return (c:gsub(".", function(b) return string.format("\\x%02x", b:byte()) end)) end
local function shown(v)
	if type(v) == "string" then
		-- (C1 controls as UTF-8 writes them too: a terminal takes U+009B for CSI)
		local s = (#v > SHOWN_MAX and v:sub(1, SHOWN_MAX) or v):gsub("%z", "\\0"):gsub("%c", hex)
			:gsub("\xC2[\x80-\x9F]", hex)
		return "'" .. s .. "'" .. (#v > SHOWN_MAX and string.format("... (%d bytes)", #v) or "")
	end
	if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
	return type(v)
end

-- integer.of: an integer from min to max, where a float with an integral
-- value counts (4 * 2^20, 1e3: Lua's usual ways of writing sizes); the
-- checks below store the integer it returns.
local int = integer.of

-- memory.max as the kernel reads it (memparse: K, M, G, T, P, E are
-- powers of 1024), above 0
local function size_ok(v)
	local n = type(v) == "string" and v:match("^(%d+)[KkMmGgTtPpEe]?$")
	return n and tonumber(n) > 0 or false
end

-- An env value as a person wrote it (the supervisor writes NAME=value
-- with tostring, which gave PORT=8080.0 for 8080.0): a whole number in
-- digits, 8080.0 as 8080 and 1e6 as 1000000, as every integer field takes
-- one (lua/integer.lua); any other number as luactl's JSON and unitimport
-- write a float (lua/float.lua: 0.1, not 0.10000000000000001).
-- process.spawn writes a number of its env map the same way, in C
-- (init/l_spawn.c, check_env), for a boot file that calls it: neither
-- rule stands for the other, as the supervisor hands spawn an array of
-- NAME=value strings it makes itself, never the map.
-- tests/lua/process.lua holds the two to the same text.
local function env_number(v)
	local i = math.tointeger(v)
	if i then return string.format("%d", i) end
	if v == math.floor(v) then return string.format("%.0f", v) end -- beyond 2^63
	return float.text(v)
end

-- The resource names process.spawn takes, from its own list
local RLIMITS = process.RLIMITS
-- a limit as process.spawn takes it, "infinity" or an integer >= 0 (1024.0
-- is 1024, kept as the integer as every member is); nil for any other
local function rlim(x) if x == "infinity" then return x end return int(x, 0) end
local function rlim_value(x) return x == "infinity" and math.huge or x end

-- Checks of the members of the table fields, run once the field itself
-- is a table. The supervisor reads log's members at the first line of
-- output or the first rotation, and process.spawn reads rlimits and groups
-- at each start: a bad member found there is a failed start (or an error
-- in PID 1's output handler) long after the boot said the service was
-- fine. bad(key, expected, value, got?) reports field 'FIELD.key' (got:
-- the value as the message gives it, when not as shown gives it).
local LOG_KEYS = { file = true, max_size = true, keep = true, ring = true }
local CGROUP_KEYS = { memory_max = true, pids_max = true, cpu_weight = true }
local LOG_INTS = { { "max_size", 1, "a size in bytes, an integer >= 1" },
	{ "keep", 0, "a number of rotated files, an integer >= 0" },
	{ "ring", 0, "a number of lines kept in memory, an integer >= 0" } }
-- A NUL byte ends a string where C reads it (exec, chdir, open,
-- getpwnam): quietly there, or failing the service at its start; every
-- such string is refused at load, with its field.
local NO_NUL = "a string without NUL bytes"
local function has_nul(v) return type(v) == "string" and v:find("\0", 1, true) ~= nil end

-- The text a definition gives that a status reply carries: description
-- as it is, and the program, user and group names in the reason of a
-- failed start ("spawn PATH: unknown user 'NAME'"). A 15 MB description
-- loaded, and every `luactl status` after it was "reply exceeds the
-- limit" (control.limits.max_reply). The program is a path exec takes
-- (PATH_MAX, its NUL included), a name as long as LOGIN_NAME_MAX allows.
-- The message gives the length, not the text.
local TEXT_MAX = {
	description = { 256, "a string of at most 256 bytes (a line, which luactl status shows)" },
	user = { 255, "a user name of at most 255 bytes" },
	group = { 255, "a group name of at most 255 bytes" },
	program = { 4095, "a program of at most 4095 bytes (PATH_MAX)" },
}
M.description_max = TEXT_MAX.description[1]
local function too_long(v, kind)
	return type(v) == "string" and #v > TEXT_MAX[kind][1]
end
local function long_text(v) return "a string of " .. #v .. " bytes" end

local members = {
	log = function(v, bad, unknown)
		for k in pairs(v) do if not LOG_KEYS[k] then unknown(k, LOG_KEYS) end end
		local f = v.file
		if f ~= nil and not is_bool(f) and not (is_string(f) and f:sub(1, 1) == "/") then
			bad(".file", "true, false or an absolute path", f)
		elseif has_nul(f) then
			bad(".file", NO_NUL, f)
		end
		-- stored as integers: 3.0 rotated files would be name.log.3.0
		for _, f in ipairs(LOG_INTS) do
			local k, x = f[1], v[f[1]]
			if x ~= nil then
				local i = int(x, f[2])
				if i then v[k] = i else bad("." .. k, f[3], x) end
			end
		end
	end,
	-- N = 0 would fail the service at its first exit; T = 0 is what
	-- unitimport writes for StartLimitIntervalSec=0 (no limit), and is one
	crash_limit = function(v, bad)
		local n = 0
		for _ in pairs(v) do n = n + 1 end
		if n ~= 2 or v[1] == nil or v[2] == nil then
			bad("", "{ N, T }: N restarts within T seconds mark the service failed", v)
			return
		end
		local n1 = int(v[1], 1)
		if n1 then v[1] = n1 else bad("[1]", "a number of restarts, an integer >= 1", v[1]) end
		if type(v[2]) ~= "number" or not (v[2] >= 0) then bad("[2]", "a number of seconds >= 0", v[2]) end
	end,
	rlimits = function(v, bad, unknown)
		for k, x in pairs(v) do
			if not RLIMITS[k] then
				unknown(k, RLIMITS)
			elseif type(x) == "table" then
				local soft, hard = rlim(x[1]), rlim(x[2])
				if not (soft and hard) then
					bad("." .. k, "{ soft, hard }, each an integer >= 0 or \"infinity\"", x)
				elseif rlim_value(soft) > rlim_value(hard) then
					bad("." .. k, "a soft limit no higher than the hard limit", x[1])
				else
					x[1], x[2] = soft, hard
				end
			else
				local r = rlim(x)
				if r then v[k] = r -- an existing key: allowed while pairs runs
				else bad("." .. k, "an integer >= 0, \"infinity\" or { soft, hard }", x) end
			end
		end
	end,
	-- The supervisor writes these to the service's group at each start,
	-- where a value the kernel refuses is a warning and the service runs
	-- without that limit. An integral float (64 * 2^20) is stored as an
	-- integer: written as "67108864.0" the kernel refused it too.
	cgroup = function(v, bad, unknown)
		for k in pairs(v) do if not CGROUP_KEYS[k] then unknown(k, CGROUP_KEYS) end end
		local m = v.memory_max
		local mi = int(m, 1)
		if mi then v.memory_max = mi
		elseif m ~= nil and m ~= "max" and not size_ok(m) then
			bad(".memory_max", "a size in bytes, an integer >= 1 or a string such as \"64M\" "
				.. "(K, M, G, T, P, E: powers of 1024), or \"max\"", m)
		end
		-- pids.max takes up to the kernel's PID_MAX_LIMIT (4194304 on
		-- 64-bit machines)
		local p = v.pids_max
		local pi = int(p, 1, 4194304)
		if pi then v.pids_max = pi
		elseif p ~= nil and p ~= "max" then
			bad(".pids_max", "a number of tasks, an integer from 1 to 4194304, or \"max\"", p)
		end
		local w = v.cpu_weight
		local wi = int(w, 1, 10000)
		if wi then v.cpu_weight = wi
		elseif w ~= nil then
			bad(".cpu_weight", "an integer from 1 to 10000 (100 is the default share)", w)
		end
	end,
	-- NAME=value strings for execve: a name with '=' made another variable
	-- (["A=B"] = "1" was A, with the value "B=1"), an empty one a string
	-- with no name ("=1"), and a NUL ended the string where the C side read
	-- it, quietly. A number is stored as its text
	-- (env_number); inf and nan are no value anyone meant, nor is a
	-- boolean ("1"? "true"? "yes"?).
	env = function(v, bad)
		for k, x in pairs(v) do
			if type(k) ~= "string" or k == "" or k:find("[=\0]") then
				bad("", "a table of NAME = value (a key " .. shown(k)
					.. ": a name is a non-empty string without '=' or NUL)", v)
			elseif type(x) == "number" then
				if x ~= x or x == math.huge or x == -math.huge then
					bad("." .. k, "a string or a finite number", x)
				else
					v[k] = env_number(x) -- an existing key: allowed while pairs runs
				end
			elseif type(x) ~= "string" then
				bad("." .. k, "a string or a number", x)
			elseif has_nul(x) then
				bad("." .. k, NO_NUL, x)
			end
		end
	end,
	-- names spawn knows (process.CAPABILITIES), "CAP_" and case as it
	-- takes them: an unknown one failed every start
	capabilities = function(v, bad)
		for i, c in ipairs(v) do
			if has_nul(c) then
				bad("[" .. i .. "]", NO_NUL, c)
			elseif not process.CAPABILITIES[c:upper():gsub("^CAP_", "")] then
				bad("[" .. i .. "]", "a capability name such as NET_BIND_SERVICE or CAP_NET_RAW "
					.. "(capabilities(7))", c)
			end
		end
	end,
	-- a gid as user and group take one (id above)
	groups = function(v, bad)
		local n = 0
		for k, g in pairs(v) do
			n = n + 1
			if math.type(k) ~= "integer" then
				bad("", "an array of group names or gids (a key " .. shown(k) .. ")", v)
				return
			end
			if not name_or_id(g) then
				bad("[" .. k .. "]", "a group name or gid (" .. integer.id_expected .. ")", g)
			elseif too_long(g, "group") then
				bad("[" .. k .. "]", TEXT_MAX.group[2], g, long_text(g))
			elseif has_nul(g) then
				bad("[" .. k .. "]", NO_NUL, g)
			elseif not is_string(g) then
				v[k] = id(g)
			end
		end
		if n ~= #v then bad("", "an array of group names or gids (no holes)", v) end
		if n > 65536 then bad("", "at most 65536 groups (NGROUPS_MAX)", v) end
	end,
}

-- The fields that hold a whole number, checked above: the checked service
-- holds the integer (1000.0 is uid 1000, 18.0 umask 022), as it does for
-- the integer members of log, crash_limit, rlimits, cgroup and groups
-- (made integers where they are checked: members). process.spawn would
-- take the float too: its integer fields follow the same rule in C
-- (lx_getint); a 420.5 is refused here, at load, rather than at a start.
local WHOLE = { user = true, group = true, umask = true, nice = true, ready_fd = true }

-- the other strings C reads (has_nul above); a member runs once its
-- field's own check has passed
function members.command(v, bad)
	if too_long(v[1], "program") then bad("[1]", TEXT_MAX.program[2], v[1], long_text(v[1])) end
	for i, a in ipairs(v) do if has_nul(a) then bad("[" .. i .. "]", NO_NUL, a) end end
end
for _, k in ipairs({ "cwd", "user", "group", "pid_file", "tty" }) do
	members[k] = function(v, bad) if has_nul(v) then bad("", NO_NUL, v) end end
end
for _, k in ipairs({ "description", "user", "group" }) do
	local nul = members[k]
	members[k] = function(v, bad)
		if too_long(v, k) then bad("", TEXT_MAX[k][2], v, long_text(v))
		elseif nul then nul(v, bad) end
	end
end

-- a key as messages show it: a string quoted, a NUL in it as \0
local function key_shown(k) return type(k) == "string" and shown(k) or "'" .. tostring(k) .. "'" end

local function check(name, def, file)
	local errs, nkeys = {}, 2
	local function err(fmt, ...) errs[#errs + 1] = file .. ": " .. string.format(fmt, ...) end
	if type(def) ~= "table" then
		err("the file must return a table, got %s", type(def))
		return nil, errs
	end
	-- the keys pairs gives, when a metatable may give others (below;
	-- debug's getmetatable, which a __metatable field does not hide)
	local listed = debug.getmetatable(def) ~= nil and {}
	for k, v in pairs(def) do
		nkeys = nkeys + 1
		if listed then listed[k] = true end
		local f = type(k) == "string" and M.fields[k]
		if not f then
			err("unknown key %s (did you mean '%s'?)", key_shown(k), M.nearest(tostring(k), M.fields))
		elseif not f[1](v) then
			err("field '%s': expected %s, got %s", k, f[2], shown(v))
		elseif members[k] then
			members[k](v, function(sub, what, x, got)
				err("field '%s%s': expected %s, got %s", k, sub, what, got or shown(x))
			end, function(sub, names)
				local list = {}
				for n in pairs(names) do list[#list + 1] = n end
				table.sort(list)
				err("%s: unknown key %s (did you mean '%s'?): expected one of %s", k, key_shown(sub),
					M.nearest(tostring(sub), names), table.concat(list, ", "))
			end)
		end
	end
	-- The service is made of the fields pairs gives; one that only the
	-- table's __index gives (shared defaults: setmetatable(t, { __index =
	-- base })) was read by the checks below and then left out of it,
	-- quietly: a user = "nobody" the service did not run as.
	if listed then
		for _, k in ipairs(M.field_names) do
			if not listed[k] and def[k] ~= nil then
				err("field '%s' comes from the table's metatable (__index): expected it in the table "
					.. "itself (the service is made of the table's own fields; copy shared ones in)", k)
			end
		end
		if #errs > 0 then return nil, errs end
	end
	if def.command == nil then err("field 'command' is required (an array: { \"/usr/sbin/daemon\", \"-f\" })") end
	if def.type == "forking" and not def.pid_file then err("type 'forking' needs 'pid_file'") end
	if def.type == "fd" and not def.ready_fd then err("type 'fd' needs 'ready_fd' (the descriptor the service writes a newline to)") end
	if type(def.cwd) == "string" and def.cwd:sub(1, 1) ~= "/" then err("field 'cwd': expected an absolute path, got %s", shown(def.cwd)) end
	if type(def.stop_signal) == "string" and not M.signals[def.stop_signal:gsub("^SIG", "")] then
		err("field 'stop_signal': unknown signal %s (expected a name such as TERM, INT, QUIT, HUP)", shown(def.stop_signal))
	end
	if not name:match("^[%w][%w%-_.@]*$") then err("service name '%s': use letters, digits, '-', '_', '.', '@'", name) end
	-- the name is the file's: that is what to change
	if M.pseudo[name] then
		err("service name '%s' (the file's name) is reserved: it is %s, which requires and after "
			.. "name, not a service; rename the file", name, M.pseudo[name])
	end
	if #errs > 0 then return nil, errs end
	local svc = table.create(0, nkeys)
	svc.name, svc.file = name, file
	for k, v in pairs(def) do
		if WHOLE[k] and type(v) == "number" then v = math.tointeger(v) end
		svc[k] = v
	end
	return setmetatable(svc, M.defaults_mt)
end

--- Check one definition table; returns the normalised service or nil and
-- a list of messages ("file: ...").
-- The table comes from a file that may set metatables: a __pairs, __len
-- or __index that raises is an error of that file, not of whoever checks
-- it (services.load_dir would lose every other service).
-- check : (name, def, file) -> svc | (nil, {string})
function M.check(name, def, file)
	local ok, svc, errs = pcall(check, name, def, file)
	if not ok then return nil, { log.file_error(file, svc, true) } end
	return svc, errs
end

-- check's arguments in conffile.load's order (the table first)
local function check_file(def, name, file) return check(name, def, file) end

--- Load one definition file (conffile.load); name defaults to the file's
-- name without ".lua". What the file raised names it once ("path:2:
-- ...", "...ices/name.lua:2: ..." for a long path, anything else after
-- the path), with the traceback of its own functions when there is more
-- than its main chunk; what its table raised as it was checked names it
-- once too, without a traceback.
-- load_file : (path, name?) -> svc | (nil, {string})
function M.load_file(path, name)
	-- two anchored matches: "([^/]+)%.lua$" would retry from every
	-- character of the path (25 000 instructions against 6 000 for
	-- /etc/luainit/services/NAME.lua)
	name = name or (path:match("^.*/(.*)$") or path):match("^(.+)%.lua$")
	local svc, errs, frames = conffile.load(path, check_file, name, path)
	-- (check's errors are a list; conffile's own, a string)
	if type(errs) == "string" then return nil, { frames and errs .. "\n" .. frames or errs } end
	return svc, errs
end

--- Find dependency cycles over requires and after; each cycle is a list
-- of names, first repeated at the end.
-- wants is left out: it pulls a service in without ordering (the
-- supervisor starts the wanted one alongside, not first), so a wants
-- loop, a and b each wanting the other, waits on nothing (as systemd's
-- Wants=, where only ordering and Requires= loops matter).
-- cycles : (set) -> {{string}}
function M.cycles(set)
	local state, stack, found = {}, {}, {}
	local function visit(n)
		state[n] = "open"
		stack[#stack + 1] = n
		local svc = set[n]
		for _, list in ipairs({ svc.requires, svc.after }) do
			for _, d in ipairs(list) do
				if set[d] then
					if state[d] == "open" then
						local cyc, on = {}, false
						for _, s in ipairs(stack) do
							if s == d then on = true end
							if on then cyc[#cyc + 1] = s end
						end
						cyc[#cyc + 1] = d
						found[#found + 1] = cyc
					elseif not state[d] then
						visit(d)
					end
				end
			end
		end
		stack[#stack] = nil
		state[n] = "done"
	end
	-- only a service with dependencies can be on a cycle: the others need
	-- no visit of their own (nor a place in the sort, for a scaled boot)
	local names = {}
	for n, svc in pairs(set) do
		if #svc.requires + #svc.after > 0 then names[#names + 1] = n end
	end
	table.sort(names)
	for _, n in ipairs(names) do if not state[n] then visit(n) end end
	return found
end

--- Load every *.lua in dir and check the set as a whole.
-- Returns the valid services by name and every error message; a service
-- that is invalid, requires a missing service, or sits on a cycle is left
-- out (and so are the services that require it).
-- load_dir : (dir?) -> {name = svc}, {string}
function M.load_dir(dir)
	dir = dir or M.dir
	local set, errs = {}, {}
	-- (already sorted: fs.readdir returns the names in byte order, the
	-- order table.sort gives strings in PID 1's C locale)
	local names, rerr = fs.readdir(dir)
	if not names then return set, { rerr } end
	for _, n in ipairs(names) do
		if #n > 4 and n:sub(-4) == ".lua" then
			-- one file that raises past load_file's own guards costs that
			-- file, never the load of the others
			local path = dir .. "/" .. n
			local ok, svc, e = pcall(M.load_file, path, n:sub(1, -5))
			if not ok then e, svc = { log.file_error(path, svc) }, nil end
			if svc then set[svc.name] = svc
			else for _, m in ipairs(e) do errs[#errs + 1] = m end end
		end
	end
	return M.check_set(set, errs)
end

--- Check dependencies of a set of services (see load_dir).
-- check_set : ({name = svc}, errs?) -> {name = svc}, {string}
function M.check_set(set, errs)
	errs = errs or {}
	for _, cyc in ipairs(M.cycles(set)) do
		errs[#errs + 1] = "dependency cycle: " .. table.concat(cyc, " -> ")
		for _, n in ipairs(cyc) do set[n] = nil end
	end
	-- a required service that is missing or invalid: drop the dependent
	-- too, repeating until nothing changes
	local changed = true
	while changed do
		changed = false
		local names = {}   -- only services that require something can fail here
		for n, svc in pairs(set) do if #svc.requires > 0 then names[#names + 1] = n end end
		table.sort(names)
		for _, n in ipairs(names) do
			local svc = set[n]
			for _, d in ipairs(svc.requires) do
				if not set[d] and not M.pseudo[d] then
					errs[#errs + 1] = string.format("%s: requires '%s', which is missing or invalid", svc.file, d)
					set[n] = nil
					changed = true
					break
				end
			end
		end
	end
	return set, errs
end

return M
