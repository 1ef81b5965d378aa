-- The DHCP client against a server whose answers are odd; the run script
-- drives server.py (a scripted DHCP server) and checks what the client made of them.
local network = require "network"
local T = require "nstest"
T.start_network("ODD", 20000)
-- the run script creates its stop file when it is done
T.wait_stop("odd", 60000)
T.responsive("after the odd server")
local s = network.status().eth0
if s and s.dhcp then
	local st = s.dhcp.stats
	print(string.format("ODD: stats sent %d bindings %d renewals %d expiries %d naks %d",
		st.sent, st.bindings, st.renewals, st.expiries, st.naks))
end
require("shutdown").request("poweroff")
