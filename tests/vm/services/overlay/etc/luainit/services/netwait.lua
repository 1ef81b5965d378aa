-- test image only: a oneshot that needs the network, so it must wait for
-- DHCP (the boot itself does not)
return {
	description = "checks eth0 has its DHCP address",
	type = "oneshot",
	requires = { "network-online" },
	command = { "/bin/sh", "-c", "ip -4 addr show eth0 | grep -q 'inet 10.0.2.15/24'" },
}
