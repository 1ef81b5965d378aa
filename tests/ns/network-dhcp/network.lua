-- The client side of the DHCP test. dnsmasq's shortest lease is 2 minutes;
-- max_lease makes the client treat it as 30 s, so rebinding and expiry
-- happen within the test's time budget (T1 10 s and T2 15 s come from
-- dnsmasq as options 58/59).
local work = os.getenv("NETTEST_WORK")
return {
	resolv_conf = work .. "/dhcp-resolv.conf",
	interfaces = {
		{ match = "eth*", dhcp = { max_lease = tonumber(os.getenv("NETTEST_MAX_LEASE")) or 30,
		                           hostname = "luainit-test" } },
	},
}
