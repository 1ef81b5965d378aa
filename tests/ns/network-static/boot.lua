-- Static configuration in a network namespace; the run script adds links
-- after boot and checks the kernel's view with `ip`.
local network = require "network"
local sched = require "sched"
local ok, res = network.start(os.getenv("NETTEST_CONF"))
print("STATIC: start " .. tostring(ok) .. " " .. tostring(res))
print("STATIC: online " .. tostring(network.wait_online(5000)))
print("STATIC: ready")
local fs = require "luainit.fs"
local stop = os.getenv("NETTEST_WORK") .. "/static.stop"
for _ = 1, 600 do  -- the run script creates this file when it is done
	if fs.exists(stop) then break end
	sched.sleep(100)
end
for name, s in pairs(network.status()) do
	print(string.format("STATIC: status %s %s", name, s.state))
end
require("shutdown").request("poweroff")
