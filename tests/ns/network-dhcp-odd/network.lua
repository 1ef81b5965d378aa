-- The client side of the odd-server test: DHCP with the defaults.
local work = os.getenv("NETTEST_WORK")
return {
	resolv_conf = work .. "/odd-resolv.conf",
	interfaces = { { match = "eth0", dhcp = true } },
}
