-- A service's tty and the console shell's terminal are opened by the child,
-- never by PID 1 (PID 1's open of a serial line without carrier would wait
-- for the carrier, and stop the reaping with it). The child gets one
-- blocking read-write descriptor on the terminal as fds 0, 1 and 2, and the
-- terminal as its controlling tty. A pty, held open by a python3 helper,
-- stands in for the serial line.
local fs = require "luainit.fs"
local process = require "luainit.process"
local stage = require "stage"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-tty-test")
local dir = T.dir

-- not a session leader (setsid = false): the pty is nobody's terminal yet;
-- it keeps the slave open too (a master whose slave is closed reads EIO)
assert(process.spawn({ setsid = false, argv = { "python3", "-c", [[
import os, sys, time
m, s = os.openpty()
name = os.ttyname(s)
with open(sys.argv[1] + ".tmp", "w") as f: f.write(name)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True: os.read(m, 4096)
]], dir .. "/pty" } }))
local pty = T.wait_until(function() return fs.readfile(dir .. "/pty") end, 5000)
T.check("pty made", pty ~= nil and pty:match("^/dev/pts/%d+$"), pty)
assert(fs.symlink(pty, dir .. "/tty"))

-- what a process has on fds 0-2, as seen from here
local function terminal_of(what, pid)
	local links = {}
	for fd = 0, 2 do links[#links + 1] = fs.readlink("/proc/" .. pid .. "/fd/" .. fd) or "?" end
	T.check(what .. ": fds 0-2 on the pty", table.concat(links, " ") == (pty .. " "):rep(3):sub(1, -2),
		table.concat(links, " "))
	local flags = tonumber((fs.readfile("/proc/" .. pid .. "/fdinfo/0") or ""):match("flags:%s*(%d+)"), 8)
	T.check(what .. ": read-write and blocking", flags and flags & 3 == 2 and flags & 0x800 == 0,
		flags and string.format("%o", flags))
	local stat = (fs.readfile("/proc/" .. pid .. "/stat") or ""):match("%) (.*)") or ""
	local f = {}
	for w in stat:gmatch("%S+") do f[#f + 1] = w end
	-- after "(comm) ": session is field 4, tty_nr 5
	T.check(what .. ": session leader with the pty as terminal", tonumber(f[4]) == pid
		and tonumber(f[5]) ~= 0, tostring(f[4]) .. " " .. tostring(f[5]))
end

T.services({ getty = 'return { tty = "' .. dir .. '/tty", command = { "/bin/sleep", "1000" } }' })
sup.start_all()
T.check("service ready", sup.wait_settled("getty", 10000) == "ready", sup.services.getty.state)
if sup.services.getty.pid then terminal_of("service", sup.services.getty.pid) end

-- the terminal is free again once its session leader is gone
sup.stop("getty")
sup.wait_settled("getty", 10000)
stage.console_tty = function() return dir .. "/tty" end
stage.console_shell({ "/bin/sh", "-c", "echo $$ >" .. dir .. "/shell.pid; exec sleep 1000" })
local shell = T.wait_until(function() return tonumber(fs.readfile(dir .. "/shell.pid") or "") end, 5000)
T.check("console shell started", shell ~= nil)
if shell then terminal_of("console shell", shell) end

-- PID 1 keeps no descriptor on the terminal it handed out
local held = {}
for _, fd in ipairs(fs.readdir("/proc/self/fd") or {}) do
	if fs.readlink("/proc/self/fd/" .. fd) == pty then held[#held + 1] = fd end
end
T.check("PID 1 holds no descriptor on the pty", #held == 0, table.concat(held, " "))
T.responsive("after tty services")
T.finish()
