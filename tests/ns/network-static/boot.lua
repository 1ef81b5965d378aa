-- Static configuration in a network namespace; the run script adds links
-- after boot and checks the kernel's view with `ip`.
local fs = require "luainit.fs"
local network = require "network"
local T = require "nstest"
local ok, res = network.start(os.getenv("NETTEST_CONF"))
print("STATIC: start " .. tostring(ok) .. " " .. tostring(res))
print("STATIC: online " .. tostring(network.wait_online(5000)))
print("STATIC: ready")
-- the run script creates this file when it is done
local stop = os.getenv("NETTEST_WORK") .. "/static.stop"
T.wait_until(function() return fs.exists(stop) end, 60000, 100)
for name, s in pairs(network.status()) do
	print(string.format("STATIC: status %s %s", name, s.state))
end
require("shutdown").request("poweroff")
