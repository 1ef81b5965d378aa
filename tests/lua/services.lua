-- tests/lua/services.lua: service definitions are checked before anything
-- starts, with messages that name the file, the key and what was expected.
local services = require "services"
local fs = require "luainit.fs"
local process = require "luainit.process"

local T = {}

local function dir_with(files)
	local d = "/tmp/luainit-test-svc." .. process.getpid() .. "." .. math.random(1e9)
	fs.mkdirp(d)
	for name, text in pairs(files) do fs.writefile(d .. "/" .. name .. ".lua", text) end
	return d
end

local function has(errs, pat)
	for _, e in ipairs(errs) do if e:find(pat) then return true end end
	return false, table.concat(errs, "\n")
end

T["an unknown key is named with the nearest valid one"] = function()
	local svc, errs = services.check("web", { command = { "/bin/true" }, restrat = "always" }, "web.lua")
	assert(svc == nil)
	assert(has(errs, "web.lua: unknown key 'restrat' %(did you mean 'restart'%?%)"))
end

T["wrong types and values say what was expected"] = function()
	local _, errs = services.check("x", { command = "/bin/true", restart = "sometimes", stop_timeout = -1 }, "x.lua")
	assert(has(errs, "field 'command': expected a non%-empty array of strings"))
	assert(has(errs, "field 'restart': expected one of always, on%-failure, never, got 'sometimes'"))
	assert(has(errs, "field 'stop_timeout': expected a number of seconds >= 0"))
	_, errs = services.check("x", { command = { "/bin/true" }, type = "forking" }, "x.lua")
	assert(has(errs, "type 'forking' needs 'pid_file'"))
	_, errs = services.check("x", { command = { "/bin/true" }, stop_signal = "TERMINATE" }, "x.lua")
	assert(has(errs, "unknown signal 'TERMINATE'"))
	_, errs = services.check("x", {}, "x.lua")
	assert(has(errs, "field 'command' is required"))
end

-- regression: log's members, crash_limit's N and T, the limits in
-- rlimits and the entries of groups were taken unchecked and failed later
-- (a log rotation, a crash, a spawn) long after the boot called them fine
T["the members of log, crash_limit, rlimits and groups are checked"] = function()
	local function errs_of(field, value)
		local svc, errs = services.check("x", { command = { "/bin/true" }, [field] = value }, "/s/x.lua")
		assert(svc == nil, field .. ": accepted")
		return errs
	end
	local cases = {
		{ "log", { ring = -1 }, "/s/x.lua: field 'log.ring': expected a number of lines kept in memory, an integer >= 0, got %-1" },
		{ "log", { keep = 1.5 }, "field 'log.keep': expected a number of rotated files, an integer >= 0, got 1.5" },
		{ "log", { max_size = "1M" }, "field 'log.max_size': expected a size in bytes, an integer >= 1, got '1M'" },
		{ "log", { max_size = 0 }, "field 'log.max_size': expected a size in bytes, an integer >= 1, got 0" },
		{ "log", { file = "web.log" }, "field 'log.file': expected true, false or an absolute path, got 'web.log'" },
		{ "log", { file = 1 }, "field 'log.file': expected true, false or an absolute path, got 1" },
		{ "log", { rign = 10 }, "log: unknown key 'rign' %(did you mean 'ring'%?%): expected one of file, keep, max_size, ring$" },
		{ "crash_limit", { -1, 10 }, "field 'crash_limit%[1%]': expected a number of restarts, an integer >= 1, got %-1" },
		{ "crash_limit", { 2.5, 10 }, "field 'crash_limit%[1%]': expected a number of restarts, an integer >= 1, got 2.5" },
		{ "crash_limit", { 5, -3 }, "field 'crash_limit%[2%]': expected a number of seconds >= 0, got %-3" },
		{ "crash_limit", { 5 }, "field 'crash_limit': expected { N, T }" },
		{ "crash_limit", 5, "field 'crash_limit': expected { N, T }: N restarts within T seconds mark the service failed, got 5" },
		{ "rlimits", { nofile = -1 }, "field 'rlimits.nofile': expected an integer >= 0, \"infinity\" or { soft, hard }, got %-1" },
		{ "rlimits", { core = "unlimited" }, "field 'rlimits.core': expected an integer >= 0, \"infinity\" or { soft, hard }, got 'unlimited'" },
		{ "rlimits", { nproc = { 100 } }, "field 'rlimits.nproc': expected { soft, hard }, each an integer >= 0 or \"infinity\", got table" },
		{ "rlimits", { nproc = { 200, 100 } }, "field 'rlimits.nproc': expected a soft limit no higher than the hard limit, got 200" },
		{ "rlimits", { nproc = { "infinity", 100 } }, "field 'rlimits.nproc': expected a soft limit no higher" },
		{ "rlimits", { nofiles = 10 }, "rlimits: unknown key 'nofiles' %(did you mean 'nofile'%?%): expected one of "
			.. "as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack$" },
		{ "groups", { "wheel", {} }, "field 'groups%[2%]': expected a group name or gid %(an integer from 0 to 4294967294%), got table" },
		{ "groups", { -1 }, "field 'groups%[1%]': expected a group name or gid" },
		{ "groups", { 1.5 }, "field 'groups%[1%]': expected a group name or gid" },
		{ "groups", { a = "wheel" }, "field 'groups': expected an array of group names or gids" },
		{ "groups", "wheel", "field 'groups': expected an array of group names or gids, got 'wheel'" },
	}
	for _, c in ipairs(cases) do
		local errs = errs_of(c[1], c[2])
		assert(has(errs, c[3]), c[3] .. "\n  got: " .. table.concat(errs, "\n  "))
	end
	-- what the docs show, and the edges, still pass
	assert(services.check("x", { command = { "/bin/true" },
		log = { file = false, max_size = 1048576, keep = 0, ring = 0 },
		crash_limit = { 1, 0 },
		rlimits = { nofile = 1024, core = "infinity", nproc = { 100, 200 }, stack = { 8192, "infinity" } },
		groups = { "wheel", 0, 4294967294 } }, "x.lua"))
	assert(services.check("x", { command = { "/bin/true" }, log = { file = "/var/log/x.log" }, groups = {} }, "x.lua"))
	-- regression: a size written the usual Lua way is a float; it is
	-- taken, as an integer (3.0 rotated files would be name.log.3.0)
	local svc = assert(services.check("x", { command = { "/bin/true" },
		log = { max_size = 4 * 2^20, keep = 3.0, ring = 1e3 }, crash_limit = { 5.0, 10 } }, "x.lua"))
	assert(math.type(svc.log.max_size) == "integer" and svc.log.max_size == 4194304)
	assert(math.type(svc.log.keep) == "integer" and math.type(svc.log.ring) == "integer")
	assert(math.type(svc.crash_limit[1]) == "integer")
end

-- regression: cgroup's values and numeric user and group ids were taken
-- unchecked; the kernel refused a bad one only at start (a warning, and the
-- service ran without that limit), and memory_max = 64 * 2^20, a float,
-- was written as "67108864.0", which the kernel refuses too
T["cgroup values and uid/gid ranges are checked"] = function()
	local function errs_of(def)
		def.command = { "/bin/true" }
		local svc, errs = services.check("x", def, "/s/x.lua")
		assert(svc == nil, "accepted")
		return errs
	end
	local MEM = "expected a size in bytes, an integer >= 1 or a string such as \"64M\" (K, M, G, T, P, E: powers of 1024), or \"max\", got "
	local PIDS = "expected a number of tasks, an integer from 1 to 4194304, or \"max\", got "
	local CPU = "expected an integer from 1 to 10000 (100 is the default share), got "
	local cases = {
		{ { cgroup = { memory_max = 0 } }, "field 'cgroup.memory_max': " .. MEM .. "0" },
		{ { cgroup = { memory_max = -1 } }, "field 'cgroup.memory_max': " .. MEM .. "-1" },
		{ { cgroup = { memory_max = 1.5 } }, "field 'cgroup.memory_max': " .. MEM .. "1.5" },
		{ { cgroup = { memory_max = "64MB" } }, "field 'cgroup.memory_max': " .. MEM .. "'64MB'" },
		{ { cgroup = { memory_max = "0M" } }, "field 'cgroup.memory_max': " .. MEM .. "'0M'" },
		{ { cgroup = { memory_max = "infinity" } }, "field 'cgroup.memory_max': " .. MEM .. "'infinity'" },
		{ { cgroup = { memory_max = "" } }, "field 'cgroup.memory_max': " .. MEM .. "''" },
		{ { cgroup = { memory_max = true } }, "field 'cgroup.memory_max': " .. MEM .. "true" },
		{ { cgroup = { pids_max = 0 } }, "field 'cgroup.pids_max': " .. PIDS .. "0" },
		{ { cgroup = { pids_max = 4194305 } }, "field 'cgroup.pids_max': " .. PIDS .. "4194305" },
		{ { cgroup = { pids_max = "100" } }, "field 'cgroup.pids_max': " .. PIDS .. "'100'" },
		{ { cgroup = { pids_max = 2.5 } }, "field 'cgroup.pids_max': " .. PIDS .. "2.5" },
		{ { cgroup = { cpu_weight = 0 } }, "field 'cgroup.cpu_weight': " .. CPU .. "0" },
		{ { cgroup = { cpu_weight = 10001 } }, "field 'cgroup.cpu_weight': " .. CPU .. "10001" },
		{ { cgroup = { cpu_weight = "max" } }, "field 'cgroup.cpu_weight': " .. CPU .. "'max'" },
		{ { cgroup = { memory = "64M" } }, "cgroup: unknown key 'memory' (did you mean 'memory_max'?): expected one of cpu_weight, memory_max, pids_max" },
		{ { user = -1 }, "field 'user': expected a user name or uid (an integer from 0 to 4294967294), got -1" },
		{ { user = 4294967295 }, "field 'user': expected a user name or uid (an integer from 0 to 4294967294), got 4294967295" },
		{ { user = 1000.5 }, "field 'user': expected a user name or uid (an integer from 0 to 4294967294), got 1000.5" },
		{ { user = 4294967295.0 }, "field 'user': expected a user name or uid (an integer from 0 to 4294967294), got 4294967295.0" },
		{ { user = 0 / 0 }, "field 'user': expected a user name or uid (an integer from 0 to 4294967294), got " .. tostring(0 / 0) },
		{ { group = -1.0 }, "field 'group': expected a group name or gid (an integer from 0 to 4294967294), got -1.0" },
		{ { group = 2.5 }, "field 'group': expected a group name or gid (an integer from 0 to 4294967294), got 2.5" },
		{ { group = math.huge }, "field 'group': expected a group name or gid (an integer from 0 to 4294967294), got inf" },
		{ { groups = { 4294967295.0 } }, "field 'groups[1]': expected a group name or gid (an integer from 0 to 4294967294), got 4294967295.0" },
		{ { group = 2^32 }, "field 'group': expected a group name or gid (an integer from 0 to 4294967294), got 4294967296.0" },
		{ { group = -5 }, "field 'group': expected a group name or gid (an integer from 0 to 4294967294), got -5" },
	}
	for _, c in ipairs(cases) do
		local want = "/s/x.lua: " .. c[2]
		local errs = errs_of(c[1])
		assert(#errs == 1 and errs[1] == want, want .. "\n  got: " .. table.concat(errs, "\n  "))
	end
	-- what the docs show, the edges, and "max"
	for _, cg in ipairs({
		{ memory_max = "64M", pids_max = 100, cpu_weight = 100 }, { memory_max = "32m", pids_max = 64 },
		{ memory_max = 1, pids_max = 1, cpu_weight = 1 }, { memory_max = "1048576", pids_max = 4194304, cpu_weight = 10000 },
		{ memory_max = "max", pids_max = "max" }, { memory_max = "2G" }, { memory_max = "1E" }, {},
	}) do
		assert(services.check("x", { command = { "/bin/true" }, cgroup = cg }, "x.lua"))
	end
	assert(services.check("x", { command = { "/bin/true" }, user = 0, group = 4294967294 }, "x.lua"))
	assert(services.check("x", { command = { "/bin/true" }, user = "www-data", group = "www-data" }, "x.lua"))
	-- an integral float is taken as the integer the kernel reads
	local svc = assert(services.check("x", { command = { "/bin/true" },
		cgroup = { memory_max = 64 * 2^20, pids_max = 1e2, cpu_weight = 50.0 } }, "x.lua"))
	assert(math.type(svc.cgroup.memory_max) == "integer" and tostring(svc.cgroup.memory_max) == "67108864")
	assert(math.type(svc.cgroup.pids_max) == "integer" and math.type(svc.cgroup.cpu_weight) == "integer")
	-- so is a gid in groups (process.spawn took no float then and raised
	-- at start; it takes 1e3 now, and the service still holds 1000)
	svc = assert(services.check("x", { command = { "/bin/true" }, groups = { "wheel", 1e3 } }, "x.lua"))
	assert(math.type(svc.groups[2]) == "integer" and svc.groups[2] == 1000)
end

-- user and group refused an integral float (1000.0) that groups took
-- (1e3); all three take one now, and the service holds the integer
T["user, group and groups take an integral float id, as an integer"] = function()
	local def = { command = { "/bin/true" }, user = 1000.0, group = 1e3, groups = { 0.0, 4294967294.0, "wheel" } }
	local svc = assert(services.check("x", def, "x.lua"))
	assert(math.type(svc.user) == "integer" and svc.user == 1000, tostring(svc.user))
	assert(math.type(svc.group) == "integer" and svc.group == 1000, tostring(svc.group))
	assert(math.type(svc.groups[1]) == "integer" and svc.groups[1] == 0)
	assert(math.type(svc.groups[2]) == "integer" and svc.groups[2] == 4294967294)
	assert(svc.groups[3] == "wheel")
	-- names and integers are kept as they are
	svc = assert(services.check("x", { command = { "/bin/true" }, user = "www-data", group = 4294967294 }, "x.lua"))
	assert(svc.user == "www-data" and math.type(svc.group) == "integer" and svc.group == 4294967294)
end

-- umask, nice and ready_fd refused an integral float (18.0) that user,
-- groups and cgroup took, and rlimits took 1024.0 but process.spawn raised
-- for it at every start: every integer field takes one now, and the
-- checked service holds the integer
T["every integer field takes an integral float, as an integer; a fraction or a string is refused"] = function()
	local def = { command = { "/bin/true" }, type = "fd", umask = 18.0, nice = -5.0, ready_fd = 3e0,
		rlimits = { nofile = 1024.0, core = { 0.0, "infinity" }, nproc = { 1e2, 2e2 }, stack = 8192 } }
	local svc = assert(services.check("x", def, "x.lua"))
	local got = { svc.umask, svc.nice, svc.ready_fd, svc.rlimits.nofile, svc.rlimits.core[1],
		svc.rlimits.nproc[1], svc.rlimits.nproc[2], svc.rlimits.stack }
	for i, want in ipairs({ 18, -5, 3, 1024, 0, 100, 200, 8192 }) do
		assert(math.type(got[i]) == "integer" and got[i] == want, i .. ": " .. tostring(got[i]))
	end
	assert(svc.rlimits.core[2] == "infinity")
	-- process.spawn takes what the check kept (it raised "spawn: rlimit
	-- nofile: integer >= 0 or \"infinity\" expected" for 1024.0, which it
	-- takes too now: tests/lua/process.lua)
	local pid = assert(process.spawn({ argv = { "/bin/true" }, umask = svc.umask, nice = svc.nice,
		rlimits = { nofile = svc.rlimits.nofile, core = svc.rlimits.core } }))
	assert(require("sched").wait_child(pid, 20000) == "exited")
	local UMASK = "expected an integer from 0 to 0777 (e.g. 0x12 or tonumber('022', 8)), got "
	local NICE = "expected an integer from -20 to 19, got "
	local FD = "expected a descriptor number from 3 to 255, got "
	local RLIM = "expected an integer >= 0, \"infinity\" or { soft, hard }, got "
	for _, c in ipairs({
		{ { umask = 18.5 }, "field 'umask': " .. UMASK .. "18.5" },
		{ { umask = 512.0 }, "field 'umask': " .. UMASK .. "512.0" },
		{ { umask = "022" }, "field 'umask': " .. UMASK .. "'022'" },
		{ { umask = 0 / 0 }, "field 'umask': " .. UMASK .. tostring(0 / 0) },
		{ { nice = 0.5 }, "field 'nice': " .. NICE .. "0.5" },
		{ { nice = -21.0 }, "field 'nice': " .. NICE .. "-21.0" },
		{ { nice = "5" }, "field 'nice': " .. NICE .. "'5'" },
		{ { nice = math.huge }, "field 'nice': " .. NICE .. "inf" },
		{ { ready_fd = 3.5 }, "field 'ready_fd': " .. FD .. "3.5" },
		{ { ready_fd = 2.0 }, "field 'ready_fd': " .. FD .. "2.0" },
		{ { ready_fd = "3" }, "field 'ready_fd': " .. FD .. "'3'" },
		{ { rlimits = { nofile = 1024.5 } }, "field 'rlimits.nofile': " .. RLIM .. "1024.5" },
		{ { rlimits = { nofile = "1024" } }, "field 'rlimits.nofile': " .. RLIM .. "'1024'" },
		{ { rlimits = { nproc = { 1.5, 2 } } }, "field 'rlimits.nproc': expected { soft, hard }, each an integer >= 0 or \"infinity\", got table" },
	}) do
		c[1].command = { "/bin/true" }
		local want = "/s/x.lua: " .. c[2]
		local no, errs = services.check("x", c[1], "/s/x.lua")
		assert(no == nil and #errs == 1 and errs[1] == want, want .. "\n  got: " .. table.concat(errs or {}, "\n  "))
	end
	-- integers and "infinity" are kept as they are
	svc = assert(services.check("x", { command = { "/bin/true" }, umask = 0, nice = 19,
		rlimits = { nofile = 4096, core = "infinity" } }, "x.lua"))
	assert(math.type(svc.umask) == "integer" and svc.nice == 19 and svc.rlimits.core == "infinity")
end

T["a bad member leaves that service out and the others load"] = function()
	local d = dir_with({
		bad = 'return { command = {"/bin/true"}, log = { keep = -2 } }',
		good = 'return { command = {"/bin/true"}, log = { keep = 2 } }',
	})
	local set, errs = services.load_dir(d)
	assert(has(errs, "/bad%.lua: field 'log%.keep': expected a number of rotated files, an integer >= 0, got %-2"))
	assert(set.good and not set.bad)
end

T["a valid definition gets the defaults"] = function()
	local svc = assert(services.check("ok", { command = { "/bin/true" } }, "ok.lua"))
	assert(svc.restart == "on-failure" and svc.type == "simple" and svc.stop_signal == "TERM")
	assert(svc.enabled == true and #svc.requires == 0)
end

-- env = { PORT = 8080.0 } reached the service as PORT=8080.0 (the
-- supervisor wrote each value with tostring); a name with '=' made
-- another variable, and a NUL cut the value short where C read it
T["env: a number is written as a person wrote it; a bad name or value is refused"] = function()
	local env = { PORT = 8080.0, WORKERS = 4, BIG = 1e6, HUGE = 2^70, NEG = -3.0, ZERO = -0.0,
		RATIO = 0.1, HALF = 2.5, THIRD = 1 / 3, TINY = 1.5e-7, NAME = "web", EMPTY = "" }
	local svc = assert(services.check("x", { command = { "/bin/true" }, env = env }, "x.lua"))
	for k, want in pairs({ PORT = "8080", WORKERS = "4", BIG = "1000000", HUGE = "1180591620717411303424",
		NEG = "-3", ZERO = "0", RATIO = "0.1", HALF = "2.5", THIRD = "0.3333333333333333",
		TINY = "1.5e-07", NAME = "web", EMPTY = "" }) do
		assert(svc.env[k] == want, k .. " = " .. tostring(svc.env[k]))
	end
	-- each reads back as the number it was
	for _, k in ipairs({ "PORT", "HUGE", "RATIO", "THIRD", "TINY" }) do
		assert(tonumber(svc.env[k]) == 0 + ({ PORT = 8080, HUGE = 2^70, RATIO = 0.1, THIRD = 1 / 3, TINY = 1.5e-7 })[k], k)
	end
	-- what the process sees
	local r, w = assert(fs.pipe())
	local pid = assert(process.spawn({ argv = { "/bin/sh", "-c", "echo \"$PORT $RATIO $NAME\"" },
		env = svc.env, stdout = w }))
	w:close()
	assert(require("sched").wait_child(pid, 20000) == "exited")
	local out = r:read()
	r:close()
	assert(out == "8080 0.1 web\n", out)
	local ENV = "expected a table of NAME = value (a string or a number), got "
	local NAMES = "expected a table of NAME = value (a key %s: a name is a non-empty string without '=' or NUL), got table"
	for _, c in ipairs({
		{ { DEBUG = true }, "field 'env.DEBUG': expected a string or a number, got true" },
		{ { X = {} }, "field 'env.X': expected a string or a number, got table" },
		{ { X = math.huge }, "field 'env.X': expected a string or a finite number, got inf" },
		{ { X = -math.huge }, "field 'env.X': expected a string or a finite number, got -inf" },
		{ { X = 0 / 0 }, "field 'env.X': expected a string or a finite number, got " .. tostring(0 / 0) },
		{ { X = "a\0b" }, "field 'env.X': expected a string without NUL bytes, got 'a\\0b'" },
		{ { ["A=B"] = "1" }, "field 'env': " .. NAMES:format("'A=B'") },
		{ { [""] = "1" }, "field 'env': " .. NAMES:format("''") },
		{ { "PORT=8080" }, "field 'env': " .. NAMES:format("1") },
	}) do
		local _, errs = services.check("x", { command = { "/bin/true" }, env = c[1] }, "x.lua")
		assert(errs and #errs == 1 and errs[1] == "x.lua: " .. c[2], c[2] .. "\n  got: " .. table.concat(errs or {}, "\n"))
	end
	local _, errs = services.check("x", { command = { "/bin/true" }, env = "PORT=8080" }, "x.lua")
	assert(errs and errs[1] == "x.lua: field 'env': " .. ENV .. "'PORT=8080'", errs and errs[1])
end

-- a NUL ended each of these where C read it (exec, chdir, open,
-- getpwnam): the definition loaded and the service failed at its start
T["a NUL byte in a string C reads is refused at load, with the field"] = function()
	local NUL = "expected a string without NUL bytes, got "
	for _, c in ipairs({
		{ { command = { "/bin/tr\0ue" } }, "field 'command[1]': " .. NUL .. "'/bin/tr\\0ue'" },
		{ { command = { "/bin/true", "-x", "a\0" } }, "field 'command[3]': " .. NUL .. "'a\\0'" },
		{ { cwd = "/tmp\0x" }, "field 'cwd': " .. NUL .. "'/tmp\\0x'" },
		{ { user = "ro\0ot" }, "field 'user': " .. NUL .. "'ro\\0ot'" },
		{ { group = "\0" }, "field 'group': " .. NUL .. "'\\0'" },
		{ { groups = { "adm", "a\0b" } }, "field 'groups[2]': " .. NUL .. "'a\\0b'" },
		{ { pid_file = "/run/x\0.pid" }, "field 'pid_file': " .. NUL .. "'/run/x\\0.pid'" },
		{ { tty = "/dev/ttyS0\0" }, "field 'tty': " .. NUL .. "'/dev/ttyS0\\0'" },
		{ { log = { file = "/var/log/x\0" } }, "field 'log.file': " .. NUL .. "'/var/log/x\\0'" },
		{ { capabilities = { "NET_RAW\0" } }, "field 'capabilities[1]': " .. NUL .. "'NET_RAW\\0'" },
		{ { stop_signal = "TERM\0" }, "field 'stop_signal': unknown signal 'TERM\\0' (expected a name such as TERM, INT, QUIT, HUP)" },
		{ { ["cw\0d"] = "/" }, "unknown key 'cw\\0d' (did you mean 'cwd'?)" },
	}) do
		c[1].command = c[1].command or { "/bin/true" }
		local svc, errs = services.check("x", c[1], "x.lua")
		assert(svc == nil and #errs == 1 and errs[1] == "x.lua: " .. c[2], c[2] .. "\n  got: " .. table.concat(errs or {}, "\n"))
	end
	-- not absolute either: both said, neither with the raw byte
	local _, errs = services.check("x", { command = { "/bin/true" }, cwd = "tmp\0x" }, "x.lua")
	assert(#errs == 2 and not table.concat(errs):find("\0", 1, true), table.concat(errs, "\n"))
end

-- a 15 MB description loaded, and every luactl status after it was
-- "reply exceeds the limit"; the program and the user and group names
-- reach a status reply too, in the reason of a failed start
T["the text a status reply carries is refused past its length, with the field and the length"] = function()
	for _, c in ipairs({
		{ { description = ("d"):rep(15 << 20) }, "field 'description': expected a string of at most 256 bytes "
			.. "(a line, which luactl status shows), got a string of 15728640 bytes" },
		{ { command = { "/" .. ("p"):rep(4095) } }, "field 'command[1]': expected a program of at most 4095 bytes "
			.. "(PATH_MAX), got a string of 4096 bytes" },
		{ { user = ("u"):rep(256) }, "field 'user': expected a user name of at most 255 bytes, got a string of 256 bytes" },
		{ { group = ("g"):rep(1000) }, "field 'group': expected a group name of at most 255 bytes, got a string of 1000 bytes" },
		{ { groups = { "adm", ("g"):rep(256) } }, "field 'groups[2]': expected a group name of at most 255 bytes, "
			.. "got a string of 256 bytes" },
	}) do
		c[1].command = c[1].command or { "/bin/true" }
		local svc, errs = services.check("x", c[1], "x.lua")
		assert(svc == nil and #errs == 1 and errs[1] == "x.lua: " .. c[2], c[2] .. "\n  got: " .. table.concat(errs or {}, "\n"):sub(1, 500))
	end
	-- up to the limit, and numeric ids, load
	assert(services.check("x", { description = ("d"):rep(256), command = { "/" .. ("p"):rep(4094), ("a"):rep(1e5) },
		user = ("u"):rep(255), group = 1e9, groups = { ("g"):rep(255), 7 } }, "x.lua"))
end

-- a bad value is shown in its message cut past 120 bytes, with its
-- length, and with its control characters escaped: a 15 MB relative cwd
-- made a reload's refusal too large to send, and an escape sequence in
-- one went to the terminal as it was
T["a bad value in a message is cut when long and its control characters escaped"] = function()
	local svc, errs = services.check("x", { command = { "/bin/true" }, cwd = ("c"):rep(15 << 20) }, "x.lua")
	assert(svc == nil and #errs == 1 and errs[1] == "x.lua: field 'cwd': expected an absolute path, got '"
		.. ("c"):rep(120) .. "'... (15728640 bytes)", errs[1]:sub(1, 300))
	svc, errs = services.check("x", { command = { "/bin/true" }, cwd = "x\27]0;t\7y\u{9b}2J" }, "x.lua")
	assert(svc == nil and errs[1] == "x.lua: field 'cwd': expected an absolute path, got 'x\\x1b]0;t\\x07y\\xc2\\x9b2J'", errs[1])
	svc, errs = services.check("x", { command = { "/bin/true" }, cwd = "/x\0y" }, "x.lua")
	assert(svc == nil and errs[1] == "x.lua: field 'cwd': expected a string without NUL bytes, got '/x\\0y'", errs[1])
end

-- an unknown name failed every start (spawn refused it); now the load
T["capabilities: names are checked at load against spawn's list"] = function()
	local svc = assert(services.check("x", { command = { "/bin/true" },
		capabilities = { "NET_BIND_SERVICE", "cap_net_raw", "CAP_SYS_TIME", "bpf" } }, "x.lua"))
	assert(#svc.capabilities == 4)
	local _, errs = services.check("x", { command = { "/bin/true" }, capabilities = { "NET_RAW", "NET_FLY" } }, "x.lua")
	assert(errs and #errs == 1 and errs[1] == "x.lua: field 'capabilities[2]': expected a capability name such as "
		.. "NET_BIND_SERVICE or CAP_NET_RAW (capabilities(7)), got 'NET_FLY'", errs and errs[1])
	local process = require "luainit.process"
	assert(process.CAPABILITIES.CHOWN == 0 and process.CAPABILITIES.CHECKPOINT_RESTORE == 40)
end

T["a checked definition keeps only its own fields; the defaults are shared"] = function()
	local svc = assert(services.check("ok", { command = { "/bin/true" }, stop_timeout = 2 }, "ok.lua"))
	local keys = {}
	for k in pairs(svc) do keys[#keys + 1] = k end
	table.sort(keys)
	assert(table.concat(keys, " ") == "command file name stop_timeout", table.concat(keys, " "))
	assert(svc.stop_timeout == 2 and svc.start_timeout == services.defaults.start_timeout)
	assert(getmetatable(svc) == services.defaults_mt)
end

T["a cycle is rejected with every member named"] = function()
	local d = dir_with({
		a = 'return { command = {"/bin/true"}, requires = {"b"} }',
		b = 'return { command = {"/bin/true"}, after = {"c"} }',
		c = 'return { command = {"/bin/true"}, requires = {"a"} }',
		d = 'return { command = {"/bin/true"} }',
	})
	local set, errs = services.load_dir(d)
	assert(has(errs, "dependency cycle: a %-> b %-> c %-> a"))
	assert(set.d and not set.a and not set.b and not set.c)
end

-- regression: wants was walked as an ordering edge, so two services
-- wanting each other were both left out as a "dependency cycle"
T["wants orders nothing: a wants loop is no cycle, an after loop still is"] = function()
	local d = dir_with({
		a = 'return { command = {"/bin/true"}, wants = {"b"} }',
		b = 'return { command = {"/bin/true"}, wants = {"a"}, after = {"c"} }',
		c = 'return { command = {"/bin/true"}, wants = {"b"} }',
		x = 'return { command = {"/bin/true"}, wants = {"y"} }',
		y = 'return { command = {"/bin/true"}, after = {"x"}, requires = {"z"} }',
		z = 'return { command = {"/bin/true"}, after = {"y"} }',
	})
	local set, errs = services.load_dir(d)
	assert(set.a and set.b and set.c, table.concat(errs, "\n"))
	assert(#errs == 1 and has(errs, "dependency cycle: y %-> z %-> y"), table.concat(errs, "\n"))
	assert(set.x and not set.y and not set.z)
end

-- regression: a raising __pairs (or __len, __index, __tostring of an
-- error value) in one file raised out of load_dir and lost every service
T["a file whose table raises while checked is left out, the others load"] = function()
	local d = dir_with({
		pairs = 'return setmetatable({ command = {"/bin/true"} }, { __pairs = function() error("no pairs here") end })',
		len = 'return { command = setmetatable({"/bin/true"}, { __len = function() error("no length") end }) }',
		index = 'return setmetatable({}, { __index = function() error("no index") end })',
		errobj = 'error(setmetatable({}, { __tostring = function() error("nor a message") end }))',
		good = 'return { command = {"/bin/true"} }',
	})
	local ok, set, errs = pcall(services.load_dir, d)
	assert(ok, set)
	assert(set.good and not set.pairs and not set.len and not set.index and not set.errobj)
	-- the path once, as the error gives it or in front
	local got, W = {}, " (raised while the returned table was checked)"
	for _, e in ipairs(errs) do got[e] = true end
	for _, want in ipairs({ d .. "/pairs.lua:1: no pairs here" .. W, d .. "/len.lua:1: no length" .. W,
		d .. "/index.lua:1: no index" .. W, d .. "/errobj.lua: a table error value" }) do
		assert(got[want], want .. " not in:\n" .. table.concat(errs, "\n"))
	end
	local svc, e = services.check("x", setmetatable({}, { __pairs = function() error("boom", 0) end }), "x.lua")
	assert(svc == nil and e[1] == "x.lua: boom" .. W, e[1])
end

-- an error out of load_file itself (past its own guards) said the path
-- twice when it began with it ("d/a.lua: d/a.lua:9: ...")
T["an error out of load_file names the file once"] = function()
	local d = dir_with({ a = 'return {}', b = 'return {}' })
	local saved = services.load_file
	services.load_file = function(path)
		if path:find("/a%.lua$") then error(path .. ":9: at a line", 0) end
		error(setmetatable({}, { __tostring = function() return "no line" end }))
	end
	local ok, set, errs = pcall(services.load_dir, d)
	services.load_file = saved
	assert(ok, set)
	table.sort(errs)
	assert(errs[1] == d .. "/a.lua:9: at a line" and errs[2] == d .. "/b.lua: no line", table.concat(errs, "\n"))
end

-- a file that raised said its path twice ("x.lua: x.lua:2: ...") and
-- carried the loader's traceback
T["a file that raises is named once, with a traceback only of its own functions"] = function()
	local d = dir_with({
		plain = 'local x\nreturn { command = { x.y } }',
		called = 'local function f(t) return t.x.y end\nreturn { command = { f({}) } }',
		custom = 'error("no such host", 0)',
	})
	local _, errs = services.load_dir(d)
	local by = {}
	for _, e in ipairs(errs) do by[e:match("/(%a+)%.lua") or e] = e end
	assert(by.plain == d .. "/plain.lua:2: attempt to index a nil value (local 'x')", by.plain)
	assert(by.called == d .. "/called.lua:1: attempt to index a nil value (field 'x')\nstack traceback:\n\t"
		.. d .. "/called.lua:1: in local 'f'\n\t" .. d .. "/called.lua:2: in main chunk", by.called)
	assert(by.custom == d .. "/custom.lua: no such host", by.custom)
end

-- regression: Lua cuts a long chunk name in its messages ("...ame.lua:2:"),
-- and the path was put in front again and every frame of the traceback
-- left out
T["a file with a long path that raises is named once, with its frames"] = function()
	local long = string.rep("a", 70)
	local d = dir_with({ [long] = 'local function f(t) return t.x.y end\nreturn { command = { f({}) } }' })
	local _, errs = services.load_dir(d)
	assert(#errs == 1 and errs[1]:find("^%.%.%.a+%.lua:1: attempt to index a nil value %(field 'x'%)\nstack traceback:\n\t%.%.%.a+%.lua:1: in")
		and errs[1]:find("%.%.%.a+%.lua:2: in main chunk$"), errs[1])
end

-- regression: a long path's table that raised as it was checked was
-- named twice, the path in front of Lua's cut name ("path: ...ame.lua:1:")
T["a file with a long path whose table raises as it is checked is named once"] = function()
	local long = string.rep("b", 70)
	local d = dir_with({ [long] = 'return setmetatable({}, { __index = function() error("no such key") end })' })
	local _, errs = services.load_dir(d)
	assert(#errs == 1 and errs[1]:find("^%.%.%.b+%.lua:1: no such key %(raised while the returned table was checked%)$")
		and not errs[1]:find(d, 1, true), errs[1])
end

-- review: a long path's message without a position ("error(e, 0)") was
-- worded twice, once by the handler and again after it: "path: path: e"
T["a file with a long path that raises a message without a position is named once"] = function()
	local long = string.rep("c", 70)
	local d = dir_with({ [long] = 'error("no position", 0)',
		[long .. "x"] = 'return setmetatable({}, { __index = function() error("nor here", 0) end })' })
	local _, errs = services.load_dir(d)
	table.sort(errs)
	local path = d .. "/" .. long
	assert(#errs == 2 and errs[1] == path .. ".lua: no position", errs[1])
	assert(errs[2] == path .. "x.lua: nor here (raised while the returned table was checked)", errs[2])
end

-- load_dir over files (dir_with) with conffile's settings changed for the
-- call and put back however it ends, and after (optional) to undo what
-- the files changed; the set, the errors, the errors by file name, the
-- directory. The load leaves no hook on the task.
local function load_budgeted(files, settings, after)
	local conffile = require "conffile"
	local saved = {}
	for k, v in pairs(settings) do saved[k], conffile[k] = conffile[k], v end
	local d = dir_with(files)
	local ok, set, errs = pcall(services.load_dir, d)
	if after then after() end
	for k, v in pairs(saved) do conffile[k] = v end
	assert(ok, set)
	assert(debug.gethook() == nil, "a hook left on the task")
	local by = {}
	for _, e in ipairs(errs) do by[e:match("/(%a+)%.lua") or e] = e end
	return set, errs, by, d
end

-- regression: a file that never ended (a loop whose condition never
-- changes) held PID 1 in load_dir for ever, reaping nothing, at boot or
-- at a luactl reload; a pcall in the file must not catch the stop, nor a
-- metatable's loop run on as the table is checked
T["a file that does not end is stopped at its budget, named with its line"] = function()
	local set, errs, by, d = load_budgeted({
		spin = 'local n = 0\nwhile n >= 0 do n = n + 1 end',
		caught = 'while true do\n  pcall(function() while true do end end)\nend',
		handled = 'while true do xpcall(function() while true do end end, function(e) return e end) end',
		index = 'return setmetatable({}, { __index = function()\n  while true do end\nend })',
		busy = 'local n = 0\nfor i = 1, 50000 do n = n + i end\nreturn { command = { "/bin/true" }, description = tostring(n) }',
	}, { max_instructions = 1000000 })
	local S = ": stopped after 1000000 instructions: expected the file to return its table %(a loop that does not end%?%)"
	assert(by.spin and by.spin:find("^" .. d:gsub("%p", "%%%0") .. "/spin%.lua:2" .. S .. "$"), by.spin)
	assert(by.caught and by.caught:find("caught%.lua:2" .. S), by.caught)
	assert(by.handled and by.handled:find("handled%.lua:1" .. S), by.handled)
	assert(by.index and by.index:find("index%.lua:2" .. S .. " %(raised while the returned table was checked%)$"), by.index)
	assert(#errs == 4 and set.busy and set.busy.description == "1250025000", table.concat(errs, "\n"))
end

-- A thread with a hook of its own (an eval's, a profiler's) keeps it
-- and the file is not limited by conffile: the hook set and put back
-- around it counted none of the file (bench/host/luaops.lua's load count)
T["a file loaded on a thread that has a hook keeps that hook, which sees the file"] = function()
	local d = dir_with({ busy = 'local n = 0\nfor i = 1, 100 do n = n + i end\nreturn { command = { "/bin/true" } }' })
	local count = 0
	local function other_hook() count = count + 1 end
	debug.sethook(other_hook, "", 1)
	local ok, set, errs = pcall(services.load_dir, d)
	local h, mask, n = debug.gethook()
	debug.sethook()
	assert(ok, set)
	assert(h == other_hook and mask == "" and n == 1, "the thread's own hook was changed")
	assert(#errs == 0 and set.busy and count > 300, count)
end

-- review: the check of a plain table ran without the hook, so a file that
-- gave all booleans a metatable had its loop run unhooked as the check
-- showed one (restart = true): PID 1 held for ever
T["a file that gives a type's values a metatable is checked under the budget"] = function()
	local set, errs = load_budgeted({ shared = 'debug.setmetatable(true, { __tostring = function()\n  while true do end\nend })\n'
		.. 'return { command = { "/bin/true" }, restart = true }' }, { max_instructions = 1000000 },
		function() debug.setmetatable(true, nil) end)
	assert(#errs == 1 and errs[1]:find("shared%.lua:2: stopped after 1000000 instructions"), errs[1])
	assert(next(set) == nil)
end

-- review: Lua calls no message handler for a memory error, so a file that
-- ran out of memory left the hook on the task, to stop whatever it ran
-- 10 million instructions later, and its message had no path; a loop of
-- costly calls is stopped by time; a task the file started runs on after
-- the load
T["a file out of memory or out of time is stopped and named, and leaves no hook behind"] = function()
	local event = require "luainit.event"
	local used, cap = event.memory()
	event.memory(used + (8 << 20))
	local _, errs, _, d = load_budgeted({ oom = 'local t = {}\nwhile true do t[#t + 1] = ("--opt"):rep(1000) .. #t end' },
		{}, function() event.memory(cap) end)
	assert(#errs == 1 and errs[1]:find("^" .. d:gsub("%p", "%%%0") .. "/oom%.lua: not enough memory$"), errs[1])
	collectgarbage()
	local set
	set, errs = load_budgeted({
		slow = 'local s\nwhile true do s = ("x"):rep(1 << 20) end',
		spawns = 'require("sched").spawn(function() for _ = 1, 10 do require("sched").sleep(1) end end, "from a file")\n'
			.. 'return { command = { "/bin/true" } }',
	}, { max_ms = 200 })
	assert(#errs == 1 and errs[1]:find("slow%.lua:2: stopped after 200 ms: expected the file to return its table"),
		table.concat(errs, "\n"))
	assert(set.spawns)
	-- the task the file started runs on
	require("sched").sleep(30)
end

-- regression: a field the returned table had only through its
-- metatable's __index (shared defaults) passed the checks, which read it,
-- and was then left out of the service, which is made of what pairs
-- gives: user = "nobody" from the defaults, and the service ran as root
T["a field that only a metatable's __index gives is an error naming it"] = function()
	local base = { user = "nobody", restart = "always" }
	local svc, errs = services.check("web", setmetatable({ command = { "/bin/true" } }, { __index = base }), "web.lua")
	assert(svc == nil and #errs == 2, tostring(errs and table.concat(errs, "\n")))
	assert(errs[1] == "web.lua: field 'restart' comes from the table's metatable (__index): expected it in the "
		.. "table itself (the service is made of the table's own fields; copy shared ones in)", errs[1])
	assert(errs[2]:find("^web%.lua: field 'user' comes from the table's metatable"), errs[2])
	_, errs = services.check("x", setmetatable({}, { __index = function(_, k)
		if k == "command" then return { "/bin/true" } end
	end }), "x.lua")
	assert(#errs == 1 and errs[1]:find("^x%.lua: field 'command' comes from the table's metatable"), errs[1])
	-- a __metatable field does not hide it
	_, errs = services.check("z", setmetatable({ command = { "/bin/true" } }, { __index = base, __metatable = false }), "z.lua")
	assert(errs and #errs == 2 and errs[2]:find("^z%.lua: field 'user' comes from the table's metatable"), errs and errs[1])
	-- a metatable that gives no field is no matter
	svc = services.check("y", setmetatable({ command = { "/bin/true" } }, { __tostring = function() return "y" end }), "y.lua")
	assert(svc and svc.command[1] == "/bin/true" and svc.user == nil)
end

T["a missing dependency is reported and the others still load"] = function()
	local d = dir_with({
		web = 'return { command = {"/bin/true"}, requires = {"database"} }',
		cache = 'return { command = {"/bin/true"} }',
		broken = 'return { command = {"/bin/true"}, colour = "blue" }',
		syntax = 'return { command = {"/bin/true"',
	})
	local set, errs = services.load_dir(d)
	assert(has(errs, "web.lua: requires 'database', which is missing or invalid"))
	assert(has(errs, "broken.lua: unknown key 'colour'"))
	assert(has(errs, "syntax.lua:1: "))
	assert(set.cache and not set.web and not set.broken)
end

T["network-online and remote-fs are no services, but requires and after take them"] = function()
	local d = dir_with({
		mounts = 'return { command = {"/bin/true"}, requires = {"remote-fs", "network-online"} }',
		later = 'return { command = {"/bin/true"}, after = {"remote-fs", "network-online"} }',
		typo = 'return { command = {"/bin/true"}, requires = {"remote-fss"} }',
	})
	local set, errs = services.load_dir(d)
	assert(set.mounts and set.later and not set.typo, table.concat(errs, "\n"))
	assert(#errs == 1 and has(errs, "typo.lua: requires 'remote%-fss', which is missing or invalid"), table.concat(errs, "\n"))
end

-- regression: a service named "remote-fs" or "network-online" loaded,
-- and could never be depended on: requires and after took the name for
-- the pseudo-dependency
T["a service may not take the name network-online or remote-fs"] = function()
	local d = dir_with({
		["remote-fs"] = 'return { command = {"/bin/true"} }',
		["network-online"] = 'return { command = {"/bin/true"} }',
		["remote-fs2"] = 'return { command = {"/bin/true"} }',
		user = 'return { command = {"/bin/true"}, requires = {"remote-fs"} }',
	})
	local set, errs = services.load_dir(d)
	assert(#errs == 2, table.concat(errs, "\n"))
	assert(errs[1] == d .. "/network-online.lua: service name 'network-online' (the file's name) is reserved: "
		.. "it is the network's readiness, which requires and after name, not a service; rename the file", errs[1])
	assert(errs[2] == d .. "/remote-fs.lua: service name 'remote-fs' (the file's name) is reserved: it is "
		.. "the readiness of fstab's network filesystems, which requires and after name, not a service; "
		.. "rename the file", errs[2])
	assert(not set["remote-fs"] and not set["network-online"], "a reserved name loaded")
	assert(set["remote-fs2"] and set.user, "a name that only begins so, and one that requires it, load")
	local svc, e = services.check("remote-fs", { command = { "/bin/true" } }, "/etc/luainit/services/remote-fs.lua")
	assert(svc == nil and #e == 1 and e[1]:find("^/etc/luainit/services/remote%-fs%.lua: service name 'remote%-fs'"), e and e[1])
end

-- regression: with cgroups turned off after a start that cloned into its
-- group, the next start kept cgroup_clone and spawn refused it
T["svcgroup.setup without cgroups clears the group and the clone"] = function()
	local svc = { name = "web", cgroup = {}, cgroup_path = "/sys/fs/cgroup/luainit/web", cgroup_clone = true }
	assert(require("svcgroup").setup(svc, { cgroups = false }) == nil)
	assert(svc.cgroup_path == nil and svc.cgroup_clone == false)
end

return T
