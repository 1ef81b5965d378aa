-- The client side of the odd-server test: DHCP with the defaults, and a
-- static name server, which resolv.conf lists before the server's.
local work = os.getenv("NETTEST_WORK")
return {
	resolv_conf = work .. "/odd-resolv.conf",
	interfaces = { { match = "eth0", dhcp = true, dns = "10.95.0.53" } },
}
