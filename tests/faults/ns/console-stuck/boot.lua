-- PID 1's console is a pipe nobody reads: 300 kB of log lines must not stop
-- it. Children are still reaped, the lines past what the pipe holds are
-- dropped (and counted), and the results go to a file, since the console
-- takes no more.
local fs = require "luainit.fs"
local sys = require "luainit.sys"
local process = require "luainit.process"
local sched = require "sched"
local log = require "log"
local T = require "nstest"

local out = assert(os.getenv("STUCK_OUT"))
for i = 1, 3000 do log.info("line %d of a console nobody reads %s", i, string.rep("x", 60)) end
local codes = {}
for i = 1, 5 do
	local pid = assert(process.spawn({ argv = { "/bin/sh", "-c", "exit " .. i } }))
	local how, code = sched.wait_child(pid, 10000)
	codes[#codes + 1] = tostring(how) .. " " .. tostring(code)
end
fs.writefile(out, string.format("children %s\nzombies %d\ndropped %s\nring %s\n", table.concat(codes, ","),
	T.zombies(), tostring(sys.console_dropped() > 0), tostring(log.ring(1)[1]:match("line 3000") ~= nil)))
require("shutdown").request("poweroff")
