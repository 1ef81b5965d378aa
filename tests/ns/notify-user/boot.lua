-- A notify service that runs as another user reaches the notify socket
-- at its default path: it was in /run/luainit, the control socket's 0700
-- directory, so READY=1 from nobody failed with EACCES and the start
-- timed out. (/run is a tmpfs of this mount namespace's own.)
local sup = require "supervisor"
local T = require "nstest"
T.tmpfs("/run", "mode=755")
local default = sup.notify_path
T.setup("/tmp/luainit-notify-user")
-- the defaults, in the boot's order: the control socket first
sup.notify_path = default
assert(require("control").listen("/run/luainit/control"))

local _, errs = T.services({
	ntnobody = [[return { type = "notify", user = "nobody", start_timeout = 5, restart = "never", command = { "/usr/bin/python3", "-c", [=[
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
time.sleep(1000)
]=] } }]],
})
for _, e in ipairs(errs) do print("ERROR " .. e) end
sup.start_all()
local st = sup.wait_settled("ntnobody", 10000)
T.check("notify as nobody: ready", st == "ready", st .. " " .. tostring(sup.services.ntnobody.why)
	.. " " .. table.concat(sup.services.ntnobody.ring, " "))
T.finish()
