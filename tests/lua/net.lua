-- tests/lua/net.lua: luainit.net's netlink requests (netconf/l_net.c) when
-- they raise: a bad argument, or a memory error while a listing pushes its
-- result. They run on the host's network namespace, so every request here
-- raises before it reaches the kernel, and one that did not would fail
-- there without changing anything (an address lo already has, no such
-- device).
local net = require "luainit.net"
local util = dofile("tests/lua/_util.lua")

local T = {}

local function raises(pattern, f, ...)
	local ok, err = pcall(f, ...)
	assert(not ok, "expected an error matching " .. pattern)
	assert(tostring(err):match(pattern), tostring(err))
end

T["bad arguments raise and say what was expected"] = function()
	raises("mtu", net.link_set, "lo", { mtu = "x" })
	raises("name", net.link_set, "lo", { name = {} })
	raises("mac", net.link_set, "lo", { mac = "zz" })
	raises("unknown key 'mut'", net.link_set, "lo", { mut = 1500 })
	raises("table expected", net.addr_add, "lo", "127.0.0.1/8", "replace")
	raises("valid", net.addr_add, "lo", "127.0.0.1/8", { valid = "x" })
	raises("IPv4 or IPv6 address expected", net.addr_add, "lo", "127.0.0.256/8")
	raises("table", net.route_add, { dst = "10.99.0.0/16", dev = "luainit-nosuch0", table = "x" })
	raises("metric", net.route_add, { dst = "10.99.0.0/16", dev = "luainit-nosuch0", metric = {} })
	raises("unknown protocol", net.route_add, { dst = "10.99.0.0/16", dev = "luainit-nosuch0", protocol = "x" })
	raises("table expected, got no value", net.link_set, "lo")
end

T["an optional argument left out is left out"] = function()
	local ok, err, _, ename = net.addr_del("luainit-nosuch0", "10.99.0.1/24")
	assert(ok == nil and ename == "ENODEV", tostring(err))
	ok, err, _, ename = net.link_set("luainit-nosuch0", {})
	assert(ok == nil and ename == "ENODEV", tostring(err))
	ok, err, _, ename = net.route_del({ dst = "10.99.0.0/16", dev = "luainit-nosuch0" })
	assert(ok == nil and ename == "ENODEV", tostring(err))
	assert(type(net.links()) == "table" and type(net.addresses()) == "table")
	assert(type(net.addresses("lo")) == "table" and type(net.routes("inet")) == "table")
end

-- libnl's objects are not Lua's: one a request had allocated before an
-- argument check raised was never freed (a link is ~1 kB: 3,000 calls
-- leaked megabytes)
T["a bad argument leaks none of libnl's objects"] = function()
	local function bad()
		local calls = {
			function() net.link_set("lo", { mtu = "x" }) end,
			function() net.link_set("lo", { name = {} }) end,
			function() net.addr_add("lo", "127.0.0.1/8", "replace") end,
			function() net.addr_add("lo", "127.0.0.1/8", { valid = "x" }) end,
			function() net.route_add({ dst = "10.99.0.0/16", dev = "luainit-nosuch0", table = "x" }) end,
			function() net.route_add({ dst = "10.99.0.0/16", dev = "luainit-nosuch0", metric = {} }) end,
		}
		local i = 0
		return function()
			i = i % #calls + 1
			calls[i]()
		end
	end
	util.no_rss_growth_when_raising(bad(), 6000, 2048)
end

T["a listing that runs out of memory leaks none of libnl's caches"] = function()
	if not net.links() then error("SKIP: no rtnetlink here") end
	util.no_rss_growth_when_oom(function() net.links() end, 400, 2048)
	util.no_rss_growth_when_oom(function() net.addresses() end, 400, 2048)
	util.no_rss_growth_when_oom(function() net.routes(nil, "all") end, 400, 2048)
end

return T
