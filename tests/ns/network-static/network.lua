-- The config under test: static IPv4 and IPv6, routes, DNS, MTU, a MAC
-- match and a glob for links that appear after boot, and one bad entry.
local work = os.getenv("NETTEST_WORK")
return {
	resolv_conf = work .. "/static-resolv.conf",
	interfaces = {
		{ match = "st0", address = { "10.98.0.2/24", "fd98::2/64" }, gateway = "10.98.0.1",
		  dns = { "10.98.0.53", "fd98::53" }, domain = "static.test", mtu = 1400,
		  routes = { { dst = "10.97.0.0/16", gateway = "10.98.0.1", metric = 50 },
		             { dst = "fd97::/48", gateway = "fd98::1" },
		             { dst = "10.96.0.0/16", gateway = "10.98.0.1", src = "10.98.0.2" } } },
		-- a default route and a route as st0's, through another link
		{ match = "st1", address = "10.98.4.2/24", gateway = "10.98.4.1",
		  routes = { { dst = "10.97.0.0/16", gateway = "10.98.4.1", metric = 50 } } },
		{ match = { mac = "02:98:00:00:00:09" }, address = "10.98.9.2/24" },
		{ match = "late*", address = { "10.98.1.2/24", "fd98:1::2/64" } },
		{ match = "bad0", adress = "10.98.2.2/24" },
	},
}
