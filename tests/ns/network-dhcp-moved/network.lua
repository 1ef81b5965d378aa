-- The client side of the moved-cable test: DHCP with the defaults.
local work = os.getenv("NETTEST_WORK")
return {
	resolv_conf = work .. "/moved-resolv.conf",
	interfaces = { { match = "eth0", dhcp = true } },
}
