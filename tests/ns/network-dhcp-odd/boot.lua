-- The DHCP client against a server whose answers are odd; the run script
-- drives server.py (a scripted DHCP server) and checks what the client made of them.
local fs = require "luainit.fs"
local network = require "network"
local T = require "nstest"
local ok, res = network.start(os.getenv("NETTEST_CONF"))
print("ODD: start " .. tostring(ok) .. " " .. tostring(res))
print("ODD: online " .. tostring(network.wait_online(20000)))
-- the run script creates this file when it is done
local stop = os.getenv("NETTEST_WORK") .. "/odd.stop"
T.wait_until(function() return fs.exists(stop) end, 60000, 100)
T.responsive("after the odd server")
local s = network.status().eth0
if s and s.dhcp then
	local st = s.dhcp.stats
	print(string.format("ODD: stats sent %d bindings %d renewals %d expiries %d naks %d",
		st.sent, st.bindings, st.renewals, st.expiries, st.naks))
end
require("shutdown").request("poweroff")
