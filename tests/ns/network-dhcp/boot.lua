-- DHCP client against dnsmasq in another network namespace; the run
-- script drives the server and checks the kernel's view with `ip`.
local network = require "network"
local sched = require "sched"
local ok, res = network.start(os.getenv("NETTEST_CONF"))
print("DHCP: start " .. tostring(ok) .. " " .. tostring(res))
print("DHCP: online " .. tostring(network.wait_online(30000)))
sched.wait_path(os.getenv("NETTEST_WORK") .. "/dhcp.stop", 170000)
local s = network.status().eth0
if s and s.dhcp then
	local st = s.dhcp.stats
	print(string.format("DHCP: stats sent %d received %d dropped %d bindings %d renewals %d expiries %d",
		st.sent, st.received, st.dropped, st.bindings, st.renewals, st.expiries))
end
require("shutdown").request("poweroff")
