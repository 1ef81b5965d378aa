-- Static configuration in a network namespace; the run script adds links
-- after boot and checks the kernel's view with `ip`.
local network = require "network"
local sched = require "sched"
local ok, res = network.start(os.getenv("NETTEST_CONF"))
print("STATIC: start " .. tostring(ok) .. " " .. tostring(res))
print("STATIC: online " .. tostring(network.wait_online(5000)))
print("STATIC: ready")
sched.wait_path(os.getenv("NETTEST_WORK") .. "/static.stop", 60000)
for name, s in pairs(network.status()) do
	print(string.format("STATIC: status %s %s", name, s.state))
end
require("shutdown").request("poweroff")
