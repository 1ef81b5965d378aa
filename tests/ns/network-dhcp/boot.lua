-- DHCP client against dnsmasq in another network namespace; the run
-- script drives the server and checks the kernel's view with `ip`.
local network = require "network"
local sched = require "sched"
local ok, res = network.start(os.getenv("NETTEST_CONF"))
print("DHCP: start " .. tostring(ok) .. " " .. tostring(res))
print("DHCP: online " .. tostring(network.wait_online(30000)))
local fs = require "luainit.fs"
local stop = os.getenv("NETTEST_WORK") .. "/dhcp.stop"
for _ = 1, 1700 do  -- the run script creates this file when it is done
	if fs.exists(stop) then break end
	sched.sleep(100)
end
local s = network.status().eth0
if s and s.dhcp then
	local st = s.dhcp.stats
	print(string.format("DHCP: stats sent %d received %d dropped %d bindings %d renewals %d expiries %d",
		st.sent, st.received, st.dropped, st.bindings, st.renewals, st.expiries))
end
require("shutdown").request("poweroff")
