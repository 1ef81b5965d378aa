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

T["a valid definition gets the defaults"] = function()
	local svc = assert(services.check("ok", { command = { "/bin/true" } }, "ok.lua"))
	assert(svc.restart == "on-failure" and svc.type == "simple" and svc.stop_signal == "TERM")
	assert(svc.enabled == true and #svc.requires == 0)
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

return T
