-- DHCP client against dnsmasq in another network namespace; the run
-- script drives the server and checks the kernel's view with `ip`.
local network = require "network"
local T = require "nstest"
T.start_network("DHCP", 30000)
-- the run script creates its stop file when it is done
T.wait_stop("dhcp", 170000)
local s = network.status().eth0
if s and s.dhcp then
	local st = s.dhcp.stats
	print(string.format("DHCP: stats sent %d received %d dropped %d bindings %d renewals %d expiries %d",
		st.sent, st.received, st.dropped, st.bindings, st.renewals, st.expiries))
end
require("shutdown").request("poweroff")
