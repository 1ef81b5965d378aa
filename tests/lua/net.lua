-- tests/lua/net.lua: luainit.net's netlink requests (netconf/l_net.c,
-- l_route.c) when they raise: a bad argument, or a memory error while a
-- listing pushes its result. They run on the host's network namespace,
-- so every request here raises before it reaches the kernel, fails there
-- without changing anything (an address lo does not have, no such device
-- or route), or is an empty change of lo.
local net = require "luainit.net"
local util = dofile("tests/lua/_util.lua")

local T = {}

local raises = util.raises
-- no link has this name: a request on it fails in the kernel (ENODEV),
-- changing nothing
local NOSUCH = "luainit-nosuch0"
-- s as a pattern that matches s itself
local function pat(s) return (s:gsub("%p", "%%%0")) end

-- f(...) reaches the kernel and fails there on the missing link
local function enodev(f, ...)
	local ok, err, _, ename = f(...)
	assert(ok == nil and ename == "ENODEV", tostring(err))
end

-- out (what ip(8) printed) has s in it, to the letter
local function has(out, s) assert(out:find(s, 1, true), "missing: " .. s .. "\n" .. out) end

T["bad arguments raise and say what was expected"] = function()
	raises("mtu", net.link_set, "lo", { mtu = "x" })
	raises("name", net.link_set, "lo", { name = {} })
	raises("mac", net.link_set, "lo", { mac = "zz" })
	-- nl_addr_parse took a prefix length, a seventh group or any tail
	-- after six, and dropped it: 52:54:00:12:34:56/24 set 52:54:00:12:34:56
	-- (lo is the host's: each raises before any change)
	for _, m in ipairs({ "52:54:00:12:34:56/24", "52:54:00:12:34:56:78", "52:54:00:12:34:56x", "2:54:0:12:34:56",
		"52-54-00-12-34-56", "any", "" }) do
		raises("^bad argument #2 to '[%w.]*link_set' %(mac: \"aa:bb:cc:dd:ee:ff\" expected, got '"
			.. pat(m) .. "'%)$", net.link_set, "lo", { mac = m })
	end
	raises("^option 'mac': string without NUL bytes expected, got a NUL at byte 17$", net.link_set, "lo",
		{ mac = "52:54:00:12:34:5\0" })
	enodev(net.link_set, NOSUCH, { mac = "52:54:00:AB:cd:56" })
	raises("unknown key 'mut'", net.link_set, "lo", { mut = 1500 })
	-- a key that is not a string is named by its type (it said '1' for a
	-- number, having made it a string under lua_next, and '?' otherwise)
	raises("%(unknown key %(a number%)%)$", net.link_set, "lo", { "up" })
	raises("%(unknown key %(a table%)%)$", net.link_set, "lo", { [{}] = true })
	raises("table expected", net.addr_add, "lo", "127.0.0.1/8", "replace")
	raises("valid", net.addr_add, "lo", "127.0.0.1/8", { valid = "x" })
	raises("IPv4 or IPv6 address expected", net.addr_add, "lo", "127.0.0.256/8")
	raises("table", net.route_add, { dst = "10.99.0.0/16", dev = NOSUCH, table = "x" })
	raises("metric", net.route_add, { dst = "10.99.0.0/16", dev = NOSUCH, metric = {} })
	raises("unknown protocol", net.route_add, { dst = "10.99.0.0/16", dev = NOSUCH, protocol = "x" })
	raises("table expected, got no value", net.link_set, "lo")
end

-- lx_optinteger read an option with lua_tointegerx, which converts a
-- string: mtu = "1500" was taken (and fs.writefile's mode = "0644" was the
-- decimal 644). A number only now; an integral float is still its integer.
T["an integer option takes a number, never a string"] = function()
	local function opt_raises(key, got, f, ...)
		raises("^option '" .. key .. "': integer expected, got " .. got .. "$", f, ...)
	end
	-- lo is the host's: each value, were it taken, is out of range and
	-- raises before any change
	opt_raises("mtu", "string", net.link_set, "lo", { mtu = "67" })
	opt_raises("mtu", "string", net.link_set, "lo", { mtu = "0x20" })
	opt_raises("mtu", "non%-integer number 67%.5", net.link_set, "lo", { mtu = 67.5 })
	opt_raises("mtu", "boolean", net.link_set, "lo", { mtu = true })
	opt_raises("valid", "string", net.addr_add, "lo", "127.0.0.1/8", { valid = "60" })
	opt_raises("preferred", "string", net.addr_add, "lo", "127.0.0.1/8", { valid = 60, preferred = "30" })
	opt_raises("table", "string", net.route_add, { dst = "10.99.0.0/16", dev = NOSUCH, table = "100" })
	opt_raises("metric", "string", net.route_del, { dst = "10.99.0.0/16", dev = NOSUCH, metric = "5" })
	opt_raises("metric", "non%-integer number inf", net.route_add,
		{ dst = "10.99.0.0/16", dev = NOSUCH, metric = math.huge })
	-- an integral float no 64-bit integer holds (2^63, 1e300) was a
	-- "non-integer number" too, and %.14g wrote 2^63 and 2^63 - 1024 alike:
	-- each is out of integer range, in digits that read back as it
	opt_raises("mtu", "number 9%.223372036854776e%+18 out of integer range", net.link_set, "lo", { mtu = 2^63 })
	opt_raises("mtu", "number %-1e%+300 out of integer range", net.link_set, "lo", { mtu = -1e300 })
	opt_raises("mtu", "non%-integer number 0%.30000000000000004", net.link_set, "lo", { mtu = 0.1 + 0.2 })
	-- another user of the helper: process.spawn's nice (fs.writefile's
	-- mode is a mode now, an octal string too: tests/lua/fs.lua)
	local process = require "luainit.process"
	raises("option 'nice': integer expected, got string", process.spawn, { argv = { "/bin/true" }, nice = "5" })
	-- numbers as before: an integer, or a float with an integral value
	-- (read before the request fails on the missing link)
	local spec = { dst = "10.99.0.0/16", dev = NOSUCH, table = 254.0, metric = 5.0 }
	local _, e2, _, ename = net.route_del(spec)
	assert(ename == "ENODEV", tostring(e2))
	assert(math.type(spec.table) == "float", "route_del rewrote the spec's table")
end

-- metric, table, valid and preferred were cast to uint32_t: metric = -1
-- was the kernel's 4294967295, table = 2^32 + 254 the main table, valid =
-- -1 was no lifetime at all and preferred = -1 "forever"; routes(nil, -1)
-- listed table 4294967295 and routes(nil, "254") took the string
T["a 32-bit option out of 0-4294967295 raises, where it wrapped"] = function()
	local function u32_raises(key, got, f, ...)
		raises("^option '" .. key .. "': integer 0%-4294967295 expected, got " .. got .. "$", f, ...)
	end
	for _, f in ipairs({ net.route_add, net.route_del }) do
		u32_raises("metric", "%-1", f, { dst = "10.99.0.0/16", dev = NOSUCH, metric = -1 })
		u32_raises("metric", "4294967296", f, { dst = "10.99.0.0/16", dev = NOSUCH, metric = 2^32 })
		u32_raises("table", "%-1", f, { dst = "10.99.0.0/16", dev = NOSUCH, table = -1.0 })
		u32_raises("table", "4294967550", f, { dst = "10.99.0.0/16", dev = NOSUCH, table = 2^32 + 254 })
		u32_raises("metric", "%-9223372036854775808", f, { dst = "10.99.0.0/16", dev = NOSUCH, metric = math.mininteger })
	end
	-- lo is the host's: each raises before any change
	-- valid is 1-4294967295: the kernel refuses 0 (see the addr_add test below)
	raises("^option 'valid': integer 1%-4294967295 expected, got %-1$", net.addr_add, "lo", "127.0.0.1/8", { valid = -1 })
	raises("^option 'valid': integer 1%-4294967295 expected, got 4294967296$", net.addr_add, "lo", "127.0.0.1/8",
		{ valid = 2^32 })
	u32_raises("preferred", "%-1", net.addr_add, "lo", "127.0.0.1/8", { valid = 60, preferred = -1 })
	u32_raises("preferred", "4294967296", net.addr_add, "lo", "127.0.0.1/8", { preferred = 4294967296 })
	for _, t in ipairs({ -1, 2^32, 1.5, "254", "main", true }) do
		raises("bad argument #2 to '[%w.]*routes' %(table id 0%-4294967295 or \"all\" expected%)$", net.routes, nil, t)
	end
	-- the edges are taken (and the request fails on the missing link)
	enodev(net.route_del, { dst = "10.99.0.0/16", dev = NOSUCH, metric = 4294967295, table = 0 })
	enodev(net.route_del, { dst = "10.99.0.0/16", dev = NOSUCH, metric = 0, table = 4294967295.0 })
	enodev(net.addr_add, NOSUCH, "10.99.0.1/24", { valid = 4294967295, preferred = 0 })
	assert(type(net.routes(nil, 4294967295)) == "table" and type(net.routes("inet", 0)) == "table")
end

-- The kernel refuses an address preferred longer than it is valid, with a
-- bare EINVAL once the request was sent (and after the link was looked up:
-- a missing link said ENODEV instead); it is misuse, raised with the
-- option named. preferred left out is valid, valid left out forever.
-- A valid of 0 was the same bare EINVAL, for IPv4 and IPv6 alike.
T["addr_add: a lifetime the kernel refuses (valid 0, preferred above valid) raises, naming the option"] = function()
	-- lo is the host's: each raises before any change
	raises("^option 'preferred': at most 'valid' %(60%) expected, got 120$", net.addr_add, "lo",
		"127.0.0.1/8", { valid = 60, preferred = 120 })
	raises("^option 'preferred': at most 'valid' %(1%) expected, got 2$", net.addr_add, "lo",
		"::1/128", { valid = 1.0, preferred = 2 })
	raises("^option 'preferred': at most 'valid' %(4294967294%) expected, got 4294967295$", net.addr_add,
		NOSUCH, "10.99.0.1/24", { valid = 4294967294, preferred = 4294967295 })
	for _, opts in ipairs({ { valid = 0 }, { valid = 0, preferred = 0 }, { valid = 0.0, preferred = 1 } }) do
		raises("^option 'valid': integer 1%-4294967295 expected, got 0$", net.addr_add, "lo", "::1/128", opts)
		raises("^option 'valid': integer 1%-4294967295 expected, got 0$", net.addr_add, NOSUCH, "10.99.0.1/24", opts)
	end
	-- the range is checked first, and addr_del takes no lifetimes (no
	-- options at all: it raises, see below)
	raises("^option 'preferred': integer 0%-4294967295 expected, got 4294967296$", net.addr_add,
		NOSUCH, "10.99.0.1/24", { valid = 60, preferred = 2^32 })
	-- equal, preferred alone (valid forever) or valid alone (preferred
	-- the same) are taken, and the request fails on the missing link
	for _, opts in ipairs({ { valid = 60, preferred = 60 }, { preferred = 4294967295 }, { valid = 60 },
		{ valid = 4294967295, preferred = 0 }, { valid = 1, preferred = 0 }, { preferred = 0 } }) do
		enodev(net.addr_add, NOSUCH, "10.99.0.1/24", opts)
	end
end

-- addr_add ignored a key it did not know (a misspelt { prefered = 30 }
-- added an address preferred forever), and addr_del took an options table
-- it never read, as if it filtered the delete
T["addr_add raises on an unknown key, addr_del on any options"] = function()
	-- lo is the host's: each raises before any change
	local function add_raises(msg, ...)
		raises("^bad argument #3 to '[%w.]*addr_add' %(" .. msg .. "%)$", net.addr_add, ...)
	end
	add_raises("unknown key 'prefered'", "lo", "127.0.0.1/8", { valid = 60, prefered = 30 })
	add_raises("unknown key 'brd'", NOSUCH, "10.99.0.1/24", { brd = true })
	add_raises("unknown key 'peer'", "lo", "::1/128", { peer = "::2" })
	add_raises("unknown key %(a number%)", "lo", "127.0.0.1/8", { "replace" })
	-- an argument before it is checked first
	raises("IPv4 or IPv6 address expected", net.addr_add, "lo", "127.0.0.256/8", { prefered = 30 })
	for _, opts in ipairs({ { valid = 60, preferred = 120 }, {}, { replace = true }, "x", 0, false }) do
		raises("^bad argument #3 to '[%w.]*addr_del' %(no options expected, got " .. type(opts) .. "%)$",
			net.addr_del, NOSUCH, "10.99.0.1/24", opts)
	end
	-- every key it knows is taken, and the request fails on the missing link
	enodev(net.addr_add, NOSUCH, "10.99.0.1/24",
		{ broadcast = true, valid = 60, preferred = 30, replace = true, nodad = true })
	enodev(net.addr_add, NOSUCH, "10.99.0.1/24", {})
	enodev(net.addr_del, NOSUCH, "10.99.0.1/24", nil)
end

-- libnl takes a prefix length of 0 for "not set", leaves it out of the
-- request and refuses to send it: the caller got a bare EIO
T["addr_add/addr_del: a prefix length of 0 raises"] = function()
	for _, f in ipairs({ "addr_add", "addr_del" }) do
		for _, a in ipairs({ "10.99.0.1/0", "fd00::1/0" }) do
			raises("^bad argument #2 to '[%w.]*" .. f .. "' %(a prefix length of 1 or more expected, got '"
				.. pat(a) .. "'%)$", net[f], NOSUCH, a)
		end
	end
	local ok, _, _, ename = net.addr_add(NOSUCH, "10.99.0.1/1")
	assert(ok == nil and ename == "ENODEV", "a /1 reaches the kernel")
end

-- A broadcast nl_addr_parse refused was dropped, and the address added
-- without one: { broadcast = "not-an-ip" } was as good as none. On an
-- IPv6 address it was ignored too (the kernel drops IFA_BROADCAST there
-- without a word); now both raise, as does a value of another type.
T["addr_add: a broadcast that is not an IPv4 address, or one on IPv6, raises"] = function()
	local function brd_raises(got, ...)
		raises("^option 'broadcast': IPv4 address expected, got " .. got .. "$", net.addr_add, ...)
	end
	-- lo is the host's: each raises before any change, and before the
	-- link is looked up
	for _, ifname in ipairs({ "lo", NOSUCH }) do
		brd_raises("'not%-an%-ip'", ifname, "10.99.0.1/24", { broadcast = "not-an-ip" })
		brd_raises("'10%.99%.0%.255/24'", ifname, "10.99.0.1/24", { broadcast = "10.99.0.255/24" })
		brd_raises("'::1'", ifname, "10.99.0.1/24", { broadcast = "::1" })
		brd_raises("'default'", ifname, "10.99.0.1/24", { broadcast = "default" })
		brd_raises("'10%.1'", ifname, "10.99.0.1/24", { broadcast = "10.1" })
		brd_raises("''", ifname, "10.99.0.1/24", { broadcast = "" })
		raises("^option 'broadcast': string without NUL bytes expected, got a NUL at byte 12$", net.addr_add,
			ifname, "10.99.0.1/24", { broadcast = "10.99.0.255\0x" })
		for _, v in ipairs({ 5, {}, 0xa6300ff }) do
			raises("^option 'broadcast': true, false or an IPv4 address expected, got " .. type(v) .. "$",
				net.addr_add, ifname, "10.99.0.1/24", { broadcast = v })
		end
		for _, v in ipairs({ true, "10.99.0.255", "fd00::ffff" }) do
			raises("^option 'broadcast': false or nil expected for an IPv6 address %(broadcast is IPv4 only%), got "
				.. (v == true and "true" or "'" .. pat(v) .. "'") .. "$",
				net.addr_add, ifname, "fd00::1/64", { broadcast = v })
		end
	end
	-- false, true and an address are taken, and the request fails on the
	-- missing link; false on IPv6 too (network.lua passes it)
	for _, c in ipairs({ { "10.99.0.1/24", false }, { "10.99.0.1/24", true }, { "10.99.0.1/24", "10.99.0.255" },
		{ "10.99.0.1/24", "255.255.255.255" }, { "fd00::1/64", false } }) do
		enodev(net.addr_add, NOSUCH, c[1], { broadcast = c[2] })
	end
end

-- What the kernel keeps: a child luainit in a network namespace of its
-- own adds addresses to its lo and lists them with ip(8) (net.addresses()
-- has no broadcast field).
T["addr_add: the broadcast the kernel keeps (private netns)"] = function()
	local out = util.in_netns([[
local net = require "luainit.net"
for _, c in ipairs({ { "10.9.0.1/24", { broadcast = true } }, { "10.9.1.1/24", { broadcast = "10.9.1.127" } },
	{ "10.9.2.1/24", { broadcast = false } }, { "10.9.3.1/24" }, { "10.9.4.1/16", { broadcast = true } },
	{ "10.9.5.0/31", { broadcast = true } }, { "10.9.6.1/32", { broadcast = true } },
	{ "10.9.7.0/31", { broadcast = "10.9.7.1" } }, { "fd00::1/64", { broadcast = false, nodad = true } } }) do
	assert(net.addr_add("lo", c[1], c[2]))
end
os.execute("ip -o addr show dev lo")
]])
	has(out, "inet 10.9.0.1/24 brd 10.9.0.255 scope global")
	has(out, "inet 10.9.1.1/24 brd 10.9.1.127 scope global")
	has(out, "inet 10.9.2.1/24 scope global")
	has(out, "inet 10.9.3.1/24 scope global")
	has(out, "inet 10.9.4.1/16 brd 10.9.255.255 scope global")
	has(out, "inet6 fd00::1/64 scope global")
	-- true on a /31 or /32 is none, as ip's "brd +": a /31's peer (RFC
	-- 3021) was made a broadcast route, a /32's address its own broadcast;
	-- one given is still taken
	has(out, "inet 10.9.5.0/31 scope global")
	has(out, "inet 10.9.6.1/32 scope global")
	has(out, "inet 10.9.7.0/31 brd 10.9.7.1 scope global")
end

-- The lifetimes the kernel keeps: forever for both is sent as no
-- lifetimes at all (the kernel's default), so a replace with valid =
-- 4294967295, or with none, makes a finite address permanent again.
T["addr_add: the lifetimes the kernel keeps (private netns)"] = function()
	local out = util.in_netns([[
local net = require "luainit.net"
for _, c in ipairs({ { "10.9.0.1/24", { valid = 60, preferred = 30 } },
	{ "10.9.1.1/24", { valid = 60 } }, { "10.9.1.1/24", { valid = 4294967295, replace = true } },
	{ "10.9.2.1/24", { valid = 60 } }, { "10.9.2.1/24", { replace = true } },
	{ "fd00::1/64", { valid = 60, nodad = true } },
	{ "fd00::1/64", { valid = 4294967295, preferred = 4294967295.0, replace = true, nodad = true } },
	{ "fd00::2/64", { valid = 60, preferred = 0, nodad = true } } }) do
	assert(net.addr_add("lo", c[1], c[2]))
end
os.execute("ip -o addr show dev lo")
]])
	local function has_lft(addr, lft)
		local line = out:match("[^\n]* " .. pat(addr) .. " [^\n]*")
		assert(line, "missing: " .. addr .. "\n" .. out)
		assert(line:find(lft), addr .. ": " .. lft .. " expected\n" .. out)
	end
	has_lft("10.9.0.1/24", "valid_lft %d+sec preferred_lft %d+sec")
	has_lft("10.9.1.1/24", "valid_lft forever preferred_lft forever")
	has_lft("10.9.2.1/24", "valid_lft forever preferred_lft forever")
	has_lft("fd00::1/64", "valid_lft forever preferred_lft forever")
	has_lft("fd00::2/64", "valid_lft %d+sec preferred_lft 0sec")
end

-- A route's unknown key raised 'bad argument #-2 ... (invalid option
-- 'metirc')' (luaL_checkoption on the key, read after the known fields),
-- and route_del took replace and ignored it
T["route_add and route_del raise on an unknown key, as link_set; route_del takes no replace"] = function()
	for name, f in pairs({ route_add = net.route_add, route_del = net.route_del }) do
		local function key_raises(msg, spec)
			raises("^bad argument #1 to '[%w.]*" .. name .. "' %(" .. msg .. "%)$", f, spec)
		end
		key_raises("unknown key 'metirc'", { dst = "10.99.0.0/16", dev = NOSUCH, metirc = 5 })
		key_raises("unknown key 'via'", { dst = "10.99.0.0/16", via = "10.0.0.1" })
		key_raises("unknown key %(a number%)", { "10.99.0.0/16", dev = NOSUCH })
		-- before a known field is read
		key_raises("unknown key 'metirc'", { dst = 10, metirc = 5 })
	end
	raises("^bad argument #1 to '[%w.]*route_del' %(unknown key 'replace'%)$", net.route_del,
		{ dst = "10.99.0.0/16", dev = NOSUCH, replace = true })
	-- every key each knows is taken, and the request fails on the missing link
	local spec = { dst = "10.99.0.0/16", gateway = "10.0.0.1", dev = NOSUCH, metric = 5, table = 254,
		src = "10.0.0.2", protocol = "static" }
	enodev(net.route_del, spec)
	spec.replace = true
	enodev(net.route_add, spec)
end

-- The family of a route is dst's, or for "default" the gateway's, or
-- src's: an IPv6 default route with only a src was taken as IPv4, and its
-- src raised 'src: address expected' (as did any src or gateway of the
-- other family, which now says the family it expected)
T["a route's gateway and src are of its family, and a default route's family follows them"] = function()
	raises("^route_add 10%.1%.0%.0/16 dev luainit%-nosuch0: src: IPv4 address expected$", net.route_add,
		{ dst = "10.1.0.0/16", src = "2001:db8::1", dev = NOSUCH })
	raises("^route_add fd00::/16 dev luainit%-nosuch0: src: IPv6 address expected$", net.route_add,
		{ dst = "fd00::/16", src = "10.0.0.1", dev = NOSUCH })
	raises(": src: IPv4 address expected$", net.route_add, { dst = "10.1.0.0/16", src = "bogus", dev = NOSUCH })
	raises(": gateway: IPv4 address expected$", net.route_add,
		{ dst = "10.1.0.0/16", gateway = "2001:db8::1", dev = NOSUCH })
	raises(": src: IPv6 address expected$", net.route_add,
		{ dst = "default", gateway = "2001:db8::1", src = "10.0.0.1", dev = NOSUCH })
	-- read, then the missing link fails the request
	for _, spec in ipairs({ { dst = "default", src = "2001:db8::1" }, { dst = "default", src = "10.0.0.1" },
		{ dst = "default", gateway = "fe80::1", src = "2001:db8::1" } }) do
		spec.dev = NOSUCH
		enodev(net.route_del, spec)
	end
end

-- nl_addr_parse reads "10.0.0.1/24" as 10.0.0.1 with a prefix length, and
-- a route's gateway or src (its preferred source) carries the address
-- alone: route_add({ gateway = "10.0.0.1/24" }) went via 10.0.0.1, its
-- "/24" dropped without a word. Each is an address; one with a prefix
-- raises, naming the field and what it got.
T["a route's gateway or src with a prefix length raises, where the prefix was dropped"] = function()
	for _, f in ipairs({ "route_add", "route_del" }) do
		for _, c in ipairs({ { "10.1.0.0/16", "10.0.0.1/24", "IPv4" }, { "10.1.0.0/16", "10.0.0.1/32", "IPv4" },
			{ "default", "10.0.0.1/0", "IPv4" }, { "fd00::/16", "fe80::1/64", "IPv6" },
			{ "default", "fe80::1/128", "IPv6" } }) do
			local dst, a, fam = c[1], c[2], c[3]
			raises("^" .. f .. " " .. pat(dst) .. " via " .. pat(a) .. " dev luainit%-nosuch0: gateway: " .. fam
				.. " address without a prefix length expected, got '" .. pat(a) .. "'$",
				net[f], { dst = dst, gateway = a, dev = NOSUCH })
			raises("^" .. f .. " " .. pat(dst) .. " dev luainit%-nosuch0: src: " .. fam
				.. " address without a prefix length expected, got '" .. pat(a) .. "'$",
				net[f], { dst = dst, src = a, dev = NOSUCH })
		end
		-- what is no address says so first: of the other family, a word
		raises(": gateway: IPv4 address expected$", net[f], { dst = "10.1.0.0/16", gateway = "fe80::1/64", dev = NOSUCH })
		raises(": src: IPv4 address expected$", net[f], { dst = "10.1.0.0/16", src = "any/24", dev = NOSUCH })
		-- an address with a malformed or out of range prefix length is an
		-- address with a prefix length (it said "IPv4 address expected")
		for _, a in ipairs({ "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/0x18" }) do
			raises(": gateway: IPv4 address without a prefix length expected, got '" .. pat(a) .. "'$", net[f],
				{ dst = "10.1.0.0/16", gateway = a, dev = NOSUCH })
		end
	end
	-- the same addresses without one are read, and the missing link fails
	-- the request
	for _, spec in ipairs({ { dst = "10.1.0.0/16", gateway = "10.0.0.1", src = "10.0.0.2" },
		{ dst = "default", gateway = "fe80::1", src = "2001:db8::1" } }) do
		spec.dev = NOSUCH
		enodev(net.route_del, spec)
	end
end

-- What the kernel gets: the route with a prefixed gateway or src is not
-- added at all (it was, via the address alone), and the same route
-- written right is.
T["a route's gateway or src with a prefix length adds nothing (private netns)"] = function()
	local out = util.in_netns([[
local net = require "luainit.net"
assert(net.link_set("lo", { up = true }))
assert(net.addr_add("lo", "10.9.0.2/24"))
print(pcall(net.route_add, { dst = "10.5.0.0/16", gateway = "10.9.0.1/24", dev = "lo", table = 200 }))
print(pcall(net.route_add, { dst = "10.6.0.0/16", src = "10.9.0.2/8", dev = "lo", table = 200 }))
assert(net.route_add({ dst = "10.7.0.0/16", gateway = "10.9.0.1", src = "10.9.0.2", dev = "lo", table = 200 }))
for _, r in ipairs(assert(net.routes(nil, 200))) do
	print("route", r.dst, r.gateway or "-", r.src or "-")
end
]])
	local routes = {}
	for line in out:gmatch("[^\n]+") do
		if line:match("^route\t") then routes[#routes + 1] = line
		else assert(line:match("^false\t.*without a prefix length expected"), "unexpected output: " .. out) end
	end
	assert(table.concat(routes, "\n") == "route\t10.7.0.0/16\t10.9.0.1\t10.9.0.2", out)
end

-- libnl's nl_addr_parse takes the words "default", "all", "any" and
-- "none" (any case, with a prefix too) as an address of no bytes:
-- addr_add("eth0", "any/24") failed with ERANGE once sent (bare "any"
-- raised about its prefix length), a route's dst "any/24" added a route
-- to 0.0.0.0/24 and "all" or "DEFAULT" an IPv4 default route, and a
-- gateway or src "any" was ERANGE. An address raises for each; a route's
-- dst takes "default", written so, and nothing else of them.
T["nl_addr_parse's words are no address: 'any/24' raises, a route's dst takes \"default\" only"] = function()
	local words = { "any", "all", "none", "default", "ANY", "Default", "any/24", "default/8", "all/0", "none/32" }
	-- lo is the host's: each raises before any change
	for _, w in ipairs(words) do
		for _, f in ipairs({ "addr_add", "addr_del" }) do
			for _, ifname in ipairs({ "lo", NOSUCH }) do
				raises("^bad argument #2 to '[%w.]*" .. f .. "' %(IPv4 or IPv6 address expected, got '" .. pat(w)
					.. "'%)$", net[f], ifname, w)
			end
		end
		for _, f in ipairs({ "route_add", "route_del" }) do
			if w ~= "default" then
				raises("^" .. f .. " " .. pat(w) .. " dev luainit%-nosuch0: dst: \"default\" or an address expected$",
					net[f], { dst = w, dev = NOSUCH })
			end
			raises("^" .. f .. " 10%.1%.0%.0/16 via " .. pat(w) .. " dev luainit%-nosuch0: gateway: IPv4 address expected$",
				net[f], { dst = "10.1.0.0/16", gateway = w, dev = NOSUCH })
			raises(": gateway: IPv6 address expected$", net[f], { dst = "fd00::/16", gateway = w, dev = NOSUCH })
			raises(": src: IPv4 address expected$", net[f], { dst = "10.1.0.0/16", src = w, dev = NOSUCH })
			raises(": src: IPv6 address expected$", net[f], { dst = "default", gateway = "fe80::1", src = w, dev = NOSUCH })
		end
	end
	-- "default", 0.0.0.0/0 and ::/0 are taken, and the request fails on the
	-- missing link
	for _, spec in ipairs({ { dst = "default" }, { dst = "0.0.0.0/0" }, { dst = "::/0" }, {},
		{ dst = "default", gateway = "fe80::1" } }) do
		spec.dev = NOSUCH
		enodev(net.route_del, spec)
	end
end

-- nl_addr_parse reads a prefix length with strtol in base 0 and stops
-- where it likes: addr_add("eth0", "10.0.2.15/024") added a /20 (octal),
-- where the network config's check reads 024 as 24, and "/0x18",
-- "/24junk", "/ 24" and "/+24" were a /24. A prefix length is decimal
-- digits up to the address's bits (32, 128), read as the check reads it;
-- anything else raises, as the check refuses it, naming the prefix length
-- and its range (it said "IPv4 or IPv6 address expected" of an address
-- that was one)
T["a prefix length is decimal digits up to the address's bits, as the network config reads it"] = function()
	local function malformed(bits, tail) return "decimal prefix length 0.." .. bits .. " expected, got '" .. tail .. "'" end
	local function range(n, bits) return "prefix length " .. n .. " out of range 0.." .. bits end
	local bad = {
		["10.0.2.15/0x18"] = malformed(32, "0x18"), ["10.0.2.15/24junk"] = malformed(32, "24junk"),
		["10.0.2.15/ 24"] = malformed(32, " 24"), ["10.0.2.15/+24"] = malformed(32, "+24"),
		["10.0.2.15/-1"] = malformed(32, "-1"), ["10.0.2.15/"] = malformed(32, ""),
		["10.0.2.15/1e1"] = malformed(32, "1e1"), ["fd00::1/64/64"] = malformed(128, "64/64"),
		["10.0.2.15/33"] = range(33, 32), ["fd00::1/129"] = range(129, 128),
		["10.0.2.15/0033"] = range("0033", 32), ["10.0.2.15/99999999999"] = range(99999999999, 32),
		-- a long tail is cut in the reason (the value is quoted whole)
		["10.0.2.15/" .. string.rep("9", 30)] = range(string.rep("9", 24) .. "...", 32),
	}
	local good = { "10.0.2.15/024", "10.0.2.15/0024", "10.0.2.15/32", "fd00::1/064", "fd00::1/128" }
	local netcheck = require "netcheck"
	local function checked(a)
		local _, errs = netcheck.validate({ interfaces = { { match = "eth0", address = a } } })
		return #errs == 0
	end
	for a, why in pairs(bad) do
		-- lo is the host's: each raises before any change
		for _, ifname in ipairs({ "lo", NOSUCH }) do
			raises("^bad argument #2 to '[%w.]*addr_add' %('" .. pat(a) .. "': " .. pat(why) .. "%)$",
				net.addr_add, ifname, a)
		end
		raises("^route_del " .. pat(a) .. " dev luainit%-nosuch0: dst: " .. pat(why) .. "$",
			net.route_del, { dst = a, dev = NOSUCH })
		-- a gateway takes no prefix length, good or bad
		local fam = a:find(":", 1, true) and "IPv6" or "IPv4"
		raises("^route_del default via " .. pat(a) .. " dev luainit%-nosuch0: gateway: " .. fam ..
			" address without a prefix length expected, got '" .. pat(a) .. "'$",
			net.route_del, { gateway = a, dev = NOSUCH })
		assert(not checked(a), a .. ": the network config takes it")
	end
	-- what is no address is still said to be none
	raises("%(IPv4 or IPv6 address expected, got '10%.0%.0%.300/24'%)$", net.addr_add, NOSUCH, "10.0.0.300/24")
	raises("dst: \"default\" or an address expected$", net.route_del, { dst = "10.0.0.300/33", dev = NOSUCH })
	for _, a in ipairs(good) do
		local ok, err, _, ename = net.addr_add(NOSUCH, a)
		assert(ok == nil and ename == "ENODEV", a .. ": " .. tostring(err))
		assert(checked(a), a .. ": the network config refuses it")
	end
end

-- What the kernel gets: "/024" is a /24, as the config's check reads it
-- (it was a /20)
T["a prefix length with a leading zero is decimal (private netns)"] = function()
	local out = util.in_netns([[
local net = require "luainit.net"
assert(net.link_set("lo", { up = true }))
assert(net.addr_add("lo", "10.9.0.1/024"))
assert(net.addr_add("lo", "fd00::1/064", { nodad = true }))
assert(net.route_add({ dst = "10.7.0.0/016", dev = "lo", table = 200 }))
os.execute("ip -o addr show dev lo; ip route show table 200")
]])
	has(out, "inet 10.9.0.1/24 scope global")
	has(out, "inet6 fd00::1/64 scope global")
	has(out, "10.7.0.0/16 dev lo")
end

-- What the kernel gets: a child luainit in a network namespace of its own
-- adds default routes (IPv4, and IPv6 by its src), and a dst "any/24",
-- which raises, adds none (it was a route to 0.0.0.0/24).
T["a route's dst: \"default\" is a default route, \"any/24\" none (private netns)"] = function()
	local out = util.in_netns([[
local net = require "luainit.net"
assert(net.link_set("lo", { up = true }))
assert(net.route_add({ dst = "default", dev = "lo", table = 200 }))
assert(net.route_add({ dst = "default", src = "::1", dev = "lo", table = 201 }))
assert(not pcall(net.route_add, { dst = "any/24", dev = "lo", table = 202 }))
assert(not pcall(net.route_add, { dst = "all", gateway = "::1", dev = "lo", table = 203 }))
for _, r in ipairs(assert(net.routes(nil, "all"))) do
	if r.table >= 200 and r.table <= 203 then print("route", r.table, r.family, r.dst, r.dev) end
end
]])
	local got = {}
	for line in out:gmatch("[^\n]+") do
		assert(line:match("^route\t"), "unexpected output: " .. out)
		got[#got + 1] = line
	end
	table.sort(got)
	assert(table.concat(got, "\n") == "route\t200\tinet\tdefault\tlo\nroute\t201\tinet6\tdefault\tlo", out)
end

T["an optional argument left out is left out"] = function()
	enodev(net.addr_del, NOSUCH, "10.99.0.1/24")
	enodev(net.link_set, NOSUCH, {})
	enodev(net.route_del, { dst = "10.99.0.0/16", dev = NOSUCH })
	assert(type(net.links()) == "table" and type(net.addresses()) == "table")
	assert(type(net.addresses("lo")) == "table" and type(net.routes("inet")) == "table")
end

-- lua_tostring on an integer link argument made it a string in place, and
-- lx_optstring wrote a number option back into the caller's table as a
-- string: net.link_set(2, ...) and route_add{ dev = 2 } looked for a link
-- named "2". lo is index 1 in every network namespace.
T["an integer link is its index, and no argument or option is rewritten"] = function()
	local lo
	for _, l in ipairs(assert(net.links())) do if l.index == 1 then lo = l.name end end
	assert(lo, "no link with index 1")
	local ok, err, _, ename = net.link_set(1, {})
	assert(ok == true, tostring(err))
	ok, err, _, ename = net.addr_del(1, "192.0.2.77/32")
	assert(ok == nil and ename == "EADDRNOTAVAIL" and err:match("^addr_del 1 192%.0%.2%.77/32: "), tostring(err))
	local spec = { dst = "192.0.2.0/24", dev = 1 }
	ok, err, _, ename = net.route_del(spec)
	assert(ok == nil and ename == "ESRCH" and err:match("^route_del 192%.0%.2%.0/24 dev 1: "), tostring(err))
	assert(math.type(spec.dev) == "integer", "route_del rewrote the spec's dev as " .. type(spec.dev))
	local byindex, byname = assert(net.addresses(1)), assert(net.addresses(lo))
	assert(#byindex == #byname, #byindex .. " addresses by index, " .. #byname .. " by name")
	for _, a in ipairs(byindex) do assert(a.index == 1 and a.ifname == lo, a.ifname) end
	ok, err, _, ename = net.link_set(2147483647, {})
	assert(ok == nil and ename == "ENODEV" and err:match("^link_set 2147483647: "), tostring(err))
	-- a string option takes a string, not a number; a link takes a name or an integer
	raises("option 'dst': string expected, got number", net.route_add, { dst = 10, dev = NOSUCH })
	raises("option 'name': string expected, got number", net.link_set, 1, { name = 5 })
	raises("option 'dev': link name or index expected, got table", net.route_add,
		{ dst = "192.0.2.0/24", dev = {} })
	raises("link name or index expected, got table", net.link_set, {}, {})
	raises("link name or index expected, got boolean", net.addresses, true)
end

-- lx_optstring pops the option it read and leaves its C string to the
-- table: a string only an __index gave would be collected while C still
-- read it, so it is refused; the table's own strings are read as before
T["a string option from a metatable is refused, the table's own read"] = function()
	local spec = setmetatable({ dev = NOSUCH }, { __index = function(_, k)
		if k == "dst" then return "192.0.2.0/" .. (20 + 4) end
	end })
	raises("option 'dst': a string in the table itself expected, not one from its metatable", net.route_add, spec)
	local inherited = setmetatable({ dev = NOSUCH }, { __index = { dst = "192.0.2.0/24" } })
	raises("option 'dst': a string in the table itself expected", net.route_del, inherited)
	enodev(net.route_del, setmetatable({ dst = "192.0.2.0/24", dev = NOSUCH }, { __index = {} }))
end

-- a float link gave Lua's "number has no integer representation" (link_set,
-- addr_add, addr_del, addresses) where a route's dev said what it wanted,
-- and dev alone refused 2.0, which the other arguments and the binding's
-- integer options (mtu, metric, table) take as 2
T["a link given as a number: 1.0 is index 1 everywhere, 1.5 raises 'link name or index expected'"] = function()
	local ok, err, _, ename = net.link_set(1.0, {})
	assert(ok == true, tostring(err))
	ok, err, _, ename = net.addr_del(1.0, "192.0.2.77/32")
	assert(ok == nil and ename == "EADDRNOTAVAIL" and err:match("^addr_del 1 192%.0%.2%.77/32: "), tostring(err))
	local spec = { dst = "192.0.2.0/24", dev = 1.0 }
	ok, err, _, ename = net.route_del(spec)
	assert(ok == nil and ename == "ESRCH" and err:match("^route_del 192%.0%.2%.0/24 dev 1: "), tostring(err))
	assert(math.type(spec.dev) == "float", "route_del rewrote the spec's dev as " .. tostring(spec.dev))
	assert(#assert(net.addresses(1.0)) == #assert(net.addresses(1)))
	local function arg_raises(fname, f, ...)
		raises("bad argument #1 to '[%w.]*" .. fname .. "' %(link name or index expected, got non%-integer number 1%.5%)$", f, ...)
	end
	arg_raises("link_set", net.link_set, 1.5, {})
	arg_raises("addr_add", net.addr_add, 1.5, "192.0.2.77/32")
	arg_raises("addr_del", net.addr_del, 1.5, "192.0.2.77/32")
	arg_raises("addresses", net.addresses, 1.5)
	for _, f in ipairs({ net.route_add, net.route_del }) do
		raises("option 'dev': link name or index expected, got non%-integer number 1%.5$", f,
			{ dst = "192.0.2.0/24", dev = 1.5 })
	end
	raises("link name or index expected, got non%-integer number inf", net.link_set, math.huge, {})
	raises("link name or index expected, got non%-integer number %-?nan", net.addresses, 0 / 0)
	-- a whole number no integer holds is not "non-integer"
	raises("link name or index expected, got number 9%.223372036854776e%+18 out of integer range%)$",
		net.link_set, 2^63, {})
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
			function() net.route_add({ dst = "10.99.0.0/16", dev = NOSUCH, table = "x" }) end,
			function() net.route_add({ dst = "10.99.0.0/16", dev = NOSUCH, metric = {} }) end,
			function() net.route_add({ dst = "10.99.0.0/16", dev = NOSUCH, metric = -1 }) end,
			function() net.addr_add("lo", "127.0.0.1/8", { valid = -1 }) end,
			function() net.addr_add("lo", "127.0.0.1/8", { valid = 60, preferred = 120 }) end,
			function() net.addr_add("lo", "127.0.0.1/8", { prefered = 30 }) end,
			function() net.addr_add("lo", "127.0.0.1/8", { broadcast = "not-an-ip" }) end,
			function() net.addr_add("lo", "::1/128", { broadcast = true }) end,
			function() net.route_del({ dst = "10.99.0.0/16", dev = NOSUCH, replace = true }) end,
			function() net.addr_del("lo", "127.0.0.1/8", { replace = true }) end,
			function() net.addr_add("lo", "any/24") end,
			function() net.route_add({ dst = "any/24", dev = NOSUCH }) end,
			function() net.route_add({ dst = "10.99.0.0/16", gateway = "any", dev = NOSUCH }) end,
			function() net.route_add({ dst = "10.99.0.0/16", gateway = "10.0.0.1/24", dev = NOSUCH }) end,
			function() net.route_del({ dst = "10.99.0.0/16", src = "10.0.0.1/24", dev = NOSUCH }) end,
			function() net.link_set("lo", { mac = "52:54:00:12:34:56/24" }) end,
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

-- a link name, an address or a route's field stopped at its first NUL
-- byte: route_add{gateway = "10.9.0.1\0/24"} went via 10.9.0.1, and
-- link_set("lo\0x", ...) changed lo. Each raises naming the field or
-- argument, before any request (NOSUCH is no link: were the check gone,
-- the request would fail, not change the host's lo)
T["a string with a NUL byte raises naming the field or argument"] = function()
	local nul = "string without NUL bytes expected, got a NUL at byte "
	local function arg(f, n, at) return "^bad argument #" .. n .. " to '[%w.]*%f[%w]" .. f .. "' %(" .. nul .. at .. "%)$" end
	raises(arg("link_set", 1, 16), net.link_set, NOSUCH .. "\0x", { up = true })
	raises(arg("addr_add", 2, 13), net.addr_add, NOSUCH, "10.99.0.1/24\0x")
	raises(arg("addr_del", 1, 16), net.addr_del, NOSUCH .. "\0x", "10.99.0.1/24")
	raises(arg("addresses", 1, 3), net.addresses, "lo\0x")
	raises(arg("routes", 2, 4), net.routes, "inet", "all\0x")
	raises(arg("routes", 1, 5), net.routes, "inet\0x")
	for _, f in ipairs({ "route_add", "route_del" }) do
		local r = { dst = "10.99.0.0/16", dev = NOSUCH }
		for k, at in pairs({ gateway = 10, src = 10, dst = 13, protocol = 5, dev = 16 }) do
			local v = (r[k] or (k == "protocol" and "boot" or "10.99.0.1")) .. "\0/24"
			raises("^option '" .. k .. "': " .. nul .. at .. "$", net[f],
				{ dst = r.dst, dev = r.dev, [k] = v })
		end
	end
end

-- link_set's mac is built from the bytes lx_net_parse_mac read (it was
-- parsed twice, by is_mac and nl_addr_parse): what the kernel keeps is
-- what was given, any case of hex digit
T["link_set: the mac the kernel keeps (private netns)"] = function()
	local out = util.in_netns([[
local net = require "luainit.net"
assert(net.link_set("lo", { mac = "02:54:00:AB:cd:5e" }))
for _, l in ipairs(assert(net.links())) do print("link", l.name, l.mac) end
]])
	assert(out == "link\tlo\t02:54:00:ab:cd:5e\n", out)
end

-- and in a private netns, nothing reaches the kernel: no route, lo's mtu
-- and name as they were (name = "x\0y" named it x)
T["a route's gateway or a link's name with a NUL byte changes nothing (private netns)"] = function()
	local out = util.in_netns([[
local net = require "luainit.net"
assert(net.link_set("lo", { up = true }))
assert(net.addr_add("lo", "10.9.0.2/24"))
print(pcall(net.route_add, { dst = "10.5.0.0/16", gateway = "10.9.0.1\0/24", dev = "lo", table = 200 }))
print(pcall(net.link_set, "lo\0x", { mtu = 1400 }))
print(pcall(net.link_set, "lo", { name = "x\0y" }))
for _, r in ipairs(assert(net.routes(nil, 200))) do print("route", r.dst) end
for _, l in ipairs(assert(net.links())) do print("link", l.name, l.mtu) end
]])
	local nul = "string without NUL bytes expected, got a NUL at byte "
	local want = { "^false\toption 'gateway': " .. nul .. "9$",
		"^false\tbad argument #1 to '[%w.]*%f[%w]link_set' %(" .. nul .. "3%)$",
		"^false\toption 'name': " .. nul .. "2$", "^link\tlo\t65536$" }
	local n = 0
	for line in out:gmatch("[^\n]+") do
		n = n + 1
		assert(want[n] and line:match(want[n]), "unexpected output: " .. out)
	end
	assert(n == #want, out)
end

-- Two links' default routes with the same metric (two DHCP leases, each
-- 1024): an IPv4 replace took the first link's route over, and an add
-- without it was EEXIST. append keeps both; the very same route again is
-- EEXIST; replace with append raises.
T["route_add append: a second link's default route with the same metric is added beside the first (private netns)"] = function()
	raises("^bad argument #1 to '[%w.]*route_add' %(replace and append exclude each other%)$", net.route_add,
		{ dst = "default", gateway = "10.0.0.1", dev = NOSUCH, replace = true, append = true })
	raises("^bad argument #1 to '[%w.]*route_del' %(unknown key 'append'%)$", net.route_del,
		{ dst = "default", append = true })
	local out = util.in_netns([[
local net = require "luainit.net"
for i = 0, 1 do
	assert(os.execute("ip link add ap" .. i .. " type veth peer name ap" .. i .. "p && ip link set ap" .. i .. "p up"))
	assert(net.link_set("ap" .. i, { up = true }))
	assert(net.addr_add("ap" .. i, "10.8" .. i .. ".0.2/24"))
end
for i = 0, 1 do
	assert(net.route_add({ dst = "default", gateway = "10.8" .. i .. ".0.1", dev = "ap" .. i, metric = 1024, append = true }))
end
print("again", select(4, net.route_add({ dst = "default", gateway = "10.81.0.1", dev = "ap1", metric = 1024, append = true })))
-- (ip(8): net.routes reads libnl's cache, which keeps one route per dst
-- and metric)
os.execute("ip route show default")
]])
	has(out, "default via 10.80.0.1 dev ap0 metric 1024")
	has(out, "default via 10.81.0.1 dev ap1 metric 1024")
	has(out, "again\tEEXIST")
end

return T
