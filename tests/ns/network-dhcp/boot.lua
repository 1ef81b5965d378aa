-- DHCP client against dnsmasq in another network namespace; the run
-- script drives the server and checks the kernel's view with `ip`.
local fs = require "luainit.fs"
local network = require "network"
local T = require "nstest"
local ok, res = network.start(os.getenv("NETTEST_CONF"))
print("DHCP: start " .. tostring(ok) .. " " .. tostring(res))
print("DHCP: online " .. tostring(network.wait_online(30000)))
-- the run script creates this file when it is done
local stop = os.getenv("NETTEST_WORK") .. "/dhcp.stop"
T.wait_until(function() return fs.exists(stop) end, 170000, 100)
local s = network.status().eth0
if s and s.dhcp then
	local st = s.dhcp.stats
	print(string.format("DHCP: stats sent %d received %d dropped %d bindings %d renewals %d expiries %d",
		st.sent, st.received, st.dropped, st.bindings, st.renewals, st.expiries))
end
require("shutdown").request("poweroff")
