-- /etc/luainit/network.lua: the network interfaces of this machine.
--
-- Returns a table; each interface entry is matched against the links the
-- kernel has (first match wins) by name ("eth0"), glob ("en*") or MAC
-- ({ mac = "52:54:00:12:34:56" }). Loopback is always brought up.
-- See docs/network.md in luainit's source for every key (no docs are installed).
return {
	resolv_conf = "/etc/resolv.conf",
	interfaces = {
		-- QEMU's user network: DHCP from 10.0.2.2, DNS at 10.0.2.3
		{ match = "eth0", dhcp = true },
		-- a static example:
		-- { match = { mac = "52:54:00:12:34:56" }, address = "10.0.2.15/24",
		--   gateway = "10.0.2.2", dns = { "10.0.2.3" }, mtu = 1500 },
	},
}
