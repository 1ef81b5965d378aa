-- tests/ns/luactl/clients.lua: misbehaving clients for the run script.
--   flood PATH N   open N connections that never send anything, and hold them
--   slow PATH N    N connections that ask for large logs and never read
--   hog PATH N     N connections that ask for two large statuses (read-only:
--                  any uid may) and never read, so PID 1 cannot evict them
--                  as idle
--   idle PATH N    N connections that ask for the version, read the reply
--                  and then sit idle
-- Prints "CLIENTS: <mode> opened K" once all are open, then holds them for
-- 60 s (the run script kills it sooner).
local socket = require "luainit.socket"
local control = require "control"
local sched = require "sched"

local mode, path, n = arg[1], arg[2], tonumber(arg[3])
sched.main(function()
	local held, failed = {}, 0
	for _ = 1, n do
		local s = socket.connect(path)
		if s then
			held[#held + 1] = s
			if mode == "slow" then
				-- three large replies: the first fills the socket, the second
				-- waits in PID 1, the third overflows its bound (then PID 1 closes)
				local req = control.message({ cmd = "log", args = { "chatty" }, flags = { n = 1000 } })
				s:write(req .. req .. req)
			elseif mode == "hog" then
				-- the first reply fills the socket, the second waits in PID 1
				local req = control.message({ cmd = "status", args = { "chatty" }, flags = { lines = 150 } })
				s:write(req .. req)
			elseif mode == "idle" then
				s:write(control.message({ cmd = "version" }))
				s:read(65536)
			end
		else
			failed = failed + 1
		end
	end
	print(string.format("CLIENTS: %s opened %d (%d failed)", mode, #held, failed))
	io.stdout:flush()
	sched.sleep(60000)
	return 0
end)
