-- The client side of the two-interface test: DHCP on each.
local work = os.getenv("NETTEST_WORK")
return {
	resolv_conf = work .. "/two-resolv.conf",
	interfaces = { { match = "eth*", dhcp = true } },
}
