-- tests/ns/luactl/clients.lua: misbehaving clients for the run script.
--   flood PATH N   open N connections that never send anything, and hold them
--   slow PATH N    N connections that ask for large logs and never read
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
