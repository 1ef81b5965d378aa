-- /etc/luainit/network.lua on Debian: DHCP on the Ethernet link, as
-- ifupdown's `iface eth0 inet dhcp` would. The kernel's name (eth0) is
-- kept: no udev renames links under luainit.
return {
	interfaces = {
		{ match = "eth*", dhcp = true },
	},
}
