-- bench/network.lua: the static network of every bench image (inserted in
-- the default boot.lua before boot.services() by bench/run), the same link,
-- address and route as BusyBox's rcS and the floor set up.
boot.step("bench network", function()
	local net = require "luainit.net"
	for _, r in ipairs({
		{ net.link_set("lo", { up = true }) }, { net.link_set("eth0", { up = true }) },
		{ net.addr_add("eth0", "10.0.2.15/24") },
		{ net.route_add({ dst = "default", gateway = "10.0.2.2", dev = "eth0" }) } }) do
		if not r[1] then return false, r[2] end
	end
	return "network: lo, eth0 10.0.2.15/24 via 10.0.2.2"
end, { id = "bench-network" })
