-- tests/lua/ctlcmds.lua: the command handlers (lua/ctlcmds.lua) are loaded
-- at the first request that needs one, not when the socket opens: a boot
-- creates the socket and answers nothing. (What each command does is
-- tested through the server, in control.lua and tests/ns/luactl.)
local fs = require "luainit.fs"
local process = require "luainit.process"
local sched = require "sched"

local T = {}

local bin = fs.readlink("/proc/self/exe")

-- A fresh process, since this one has loaded them already: it listens,
-- then has the real client ask for an unknown command (refused by the
-- request checks, no handler needed) and for the version.
local SCRIPT = [[
local control = require "control"
local process = require "luainit.process"
local sched = require "sched"
local d = arg[1]
local function loaded() return package.loaded.ctlcmds and "loaded" or "unloaded" end
sched.main(function()
	assert(control.listen(d .. "/control"))
	local said = { "listen " .. loaded() }
	for _, cmd in ipairs({ "frobnicate", "version" }) do
		local pid = assert(process.spawn({ argv = { d .. "/luactl", cmd },
			env = { "LUAINIT_CONTROL=" .. d .. "/control", "PATH=/usr/bin:/bin" },
			stdout = { file = d .. "/" .. cmd .. ".out" }, stderr = { file = d .. "/" .. cmd .. ".err" } }))
		local _, code = sched.wait_child(pid, 20000)
		said[#said + 1] = cmd .. " " .. tostring(code) .. " " .. loaded()
	end
	control.close()
	io.write(table.concat(said, "\n"), "\n")
end)
]]

-- Run script (with a luactl beside it) in a fresh `luainit --lua` in a
-- directory of its own; check(out, d) reads what it wrote there.
local function run_script(script, check)
	if not bin then error("SKIP: no /proc") end
	local d = "/tmp/luainit-test-ctlcmds." .. process.getpid() .. "." .. math.random(1e9)
	fs.mkdirp(d)
	local ok, err = pcall(function()
		assert(fs.symlink(bin, d .. "/luactl"))
		assert(fs.writefile(d .. "/script.lua", script))
		local pid = assert(process.spawn({ argv = { bin, "--lua", d .. "/script.lua", d },
			stdout = { file = d .. "/out" }, stderr = { file = d .. "/err" } }))
		local how, code = sched.wait_child(pid, 30000)
		local out, e = fs.readfile(d .. "/out") or "", fs.readfile(d .. "/err") or ""
		assert(how == "exited" and code == 0, tostring(how) .. " " .. tostring(code) .. " " .. e)
		check(out, d)
	end)
	for _, n in ipairs(fs.readdir(d) or {}) do fs.unlink(d .. "/" .. n) end
	fs.rmdir(d)
	assert(ok, err)
end

T["the handlers load at the first request, not when the socket opens"] = function()
	run_script(SCRIPT, function(out, d)
		assert(out == "listen unloaded\nfrobnicate 2 unloaded\nversion 0 loaded\n", out)
		assert((fs.readfile(d .. "/frobnicate.err") or ""):match("unknown command 'frobnicate'"))
		assert((fs.readfile(d .. "/version.out") or ""):match("PID 1 protocol 1"))
	end)
end

-- A broken ctlcmds.lua (an edit with a mistake in it) fails every
-- request that needs it, but poweroff, reboot and halt are the server's:
-- luactl falls back to a signal only when there is no socket, so they
-- must not depend on it. shutdown.request is a stand-in here.
local BROKEN = [[
package.preload.ctlcmds = function() error("ctlcmds.lua:1: broken on purpose") end
local asked = {}
require("shutdown").request = function(kind) asked[#asked + 1] = kind end
local control = require "control"
local process = require "luainit.process"
local sched = require "sched"
local d = arg[1]
sched.main(function()
	assert(control.listen(d .. "/control"))
	local said = {}
	for _, cmd in ipairs({ "status", "poweroff" }) do
		local pid = assert(process.spawn({ argv = { d .. "/luactl", cmd },
			env = { "LUAINIT_CONTROL=" .. d .. "/control", "PATH=/usr/bin:/bin" },
			stdout = { file = d .. "/" .. cmd .. ".out" }, stderr = { file = d .. "/" .. cmd .. ".err" } }))
		local _, code = sched.wait_child(pid, 20000)
		said[#said + 1] = cmd .. " " .. tostring(code)
	end
	control.close()
	said[#said + 1] = "asked " .. table.concat(asked, ",")
	io.write(table.concat(said, "\n"), "\n")
end)
]]

T["poweroff works when the handlers do not load"] = function()
	run_script(BROKEN, function(out, d)
		assert(out == "status 1\npoweroff 0\nasked poweroff\n", out)
		assert((fs.readfile(d .. "/status.err") or ""):match("internal error in 'status'"))
	end)
end

return T
