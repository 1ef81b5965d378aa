-- Static configuration in a network namespace; the run script adds links
-- after boot and checks the kernel's view with `ip`.
local network = require "network"
local T = require "nstest"
T.start_network("STATIC", 5000)
print("STATIC: ready")
-- the run script creates its stop file when it is done
T.wait_stop("static", 60000)
for name, s in pairs(network.status()) do
	print(string.format("STATIC: status %s %s", name, s.state))
end
require("shutdown").request("poweroff")
