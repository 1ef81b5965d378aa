-- network.lua config validation and the DHCP codec (luainit.net dhcp_build
-- and dhcp_parse): round trips, and malformed packets dropped with a reason.
local net = require "luainit.net"
local network = require "network"
local util = dofile("tests/lua/_util.lua")

local function offer(extra)
	local m = { op = "reply", type = "offer", xid = 0x12345678, broadcast = true,
		yiaddr = "10.0.2.15", siaddr = "10.0.2.2", chaddr = "52:54:00:12:34:56",
		server_id = "10.0.2.2", subnet_mask = "255.255.255.0", lease = 86400, t1 = 600, t2 = 900,
		mtu = 1400, routers = { "10.0.2.2" }, dns = { "10.0.2.3", "1.1.1.1" }, domain = "example.test" }
	for k, v in pairs(extra or {}) do m[k] = v end
	return net.dhcp_build(m)
end

-- offset of option `code` in a built packet (options start at 240)
local function optpos(p, code)
	local i = 241
	while i <= #p do
		local c = p:byte(i)
		if c == code then return i end
		if c == 0 then i = i + 1 elseif c == 255 then return nil else i = i + 2 + p:byte(i + 1) end
	end
end

-- resolv.conf as network._write_resolv writes it for these interfaces
-- (to a file of its own, removed after); returns its text and its path
local function resolv_for(ifaces)
	local path = os.tmpname()
	local config, saved = network.config, network.ifaces
	network.config, network.ifaces = { resolv_conf = path }, ifaces
	local ok, err = pcall(network._write_resolv)
	network.config, network.ifaces = config, saved
	local f = assert(io.open(path))
	local text = f:read("a")
	f:close()
	os.remove(path)
	assert(ok, err)
	return text, path
end

local function errors_of(cfg)
	local _, errs = network.validate(cfg)
	return table.concat(errs, "\n")
end

return {
	["config: a table where a list goes, keys other than 1..n, is an error, not skipped"] = function()
		local e = errors_of({ interfaces = { { match = "eth0", routes = { dst = "10.1.0.0/16", gateway = "10.0.2.1" } } } })
		assert(e:find("key 'routes': list of {dst, gateway?, metric?} expected (one route is a list of one", 1, true), e)
		e = errors_of({ interfaces = { { match = "eth0", address = { "10.0.2.15/24", extra = "10.0.3.1/24" },
			gateway = { gw = "10.0.2.2" }, dns = { "1.1.1.1", [3] = "8.8.8.8" } } } })
		local hole = errors_of({ interfaces = { { match = "eth0", address = { "10.0.2.15/24", nil, "10.0.3.1/24" } } } })
		assert(hole:find("key 'address': a list expected", 1, true), "a hole: " .. hole)
		for _, k in ipairs({ "address", "gateway", "dns" }) do
			assert(e:find("key '" .. k .. "': a list expected", 1, true), k .. ": " .. e)
		end
		local cfg, errs = network.validate({ interfaces = { { match = "eth0", address = { "10.0.2.15/24" },
			dns = "1.1.1.1", routes = { { dst = "10.1.0.0/16", gateway = "10.0.2.1" } } } } })
		assert(#errs == 0 and #cfg.interfaces == 1, table.concat(errs, "\n"))
	end,

	["config: interfaces given one entry without its list, or with a hole, is an error, not nothing configured"] = function()
		local cfg, errs = network.validate({ interfaces = { match = "eth0", dhcp = true } }, "/etc/luainit/network.lua")
		local e = table.concat(errs, "\n")
		assert(#cfg.interfaces == 0 and e:find("/etc/luainit/network.lua: key 'interfaces': a list of entries expected "
			.. "(a table with keys 1..n; one interface is a list of one: interfaces = { { match = ... } })", 1, true), e)
		cfg, errs = network.validate({ interfaces = { { match = "eth0" }, nil, { match = "eth2" } } })
		e = table.concat(errs, "\n")
		assert(#errs == 1 and e:find("network config: key 'interfaces': a list of entries expected", 1, true), e)
		assert(#cfg.interfaces == 1 and cfg.interfaces[1].label == "eth0")
		cfg, errs = network.validate({ interfaces = { { match = "eth0" }, { match = "eth1" } } })
		assert(#errs == 0 and #cfg.interfaces == 2, table.concat(errs, "\n"))
	end,

	-- regression: a domain with a newline began a line of resolv.conf of
	-- its own ("nameserver ..."); a DHCP server's option 15 too, once a
	-- static domain was set (tests/ns/network-dhcp-odd)
	["config: a domain is domain names, blanks between them; a newline is an error"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", domain = "example.org\nnameserver 192.0.2.66" },
			{ match = "eth1", domain = "" },
			{ match = "eth2", domain = 7 },
			{ match = "eth3", domain = "a;b" },
		} })
		local want = "key 'domain': domain names expected (letters, digits, '-', '_' and '.', blanks between names, at most 255 bytes)"
		assert(e:find("interfaces[1] (eth0): " .. want .. ', got "example.org\\nnameserver 192.0.2.66"', 1, true), e)
		assert(e:find("interfaces[2] (eth1): " .. want .. ', got ""', 1, true), e)
		assert(e:find("interfaces[3] (eth2): " .. want .. "\n", 1, true), e)
		assert(e:find("interfaces[4] (eth3): " .. want .. ', got "a;b"', 1, true), e)
		local _, errs = network.validate({ interfaces = { { match = "eth0", domain = "example.org" },
			{ match = "eth1", domain = "a.example b.example." }, { match = "eth2", domain = "_x-1.example" } } })
		assert(#errs == 0, table.concat(errs, "\n"))
	end,

	["dhcp: build and parse round trip"] = function()
		local p = offer()
		assert(#p >= 300, "BOOTP minimum size")
		local m = assert(net.dhcp_parse(p, 0x12345678))
		assert(m.op == "reply" and m.type == "offer" and m.xid == 0x12345678)
		assert(m.yiaddr == "10.0.2.15" and m.server_id == "10.0.2.2" and m.subnet_mask == "255.255.255.0")
		assert(m.chaddr == "52:54:00:12:34:56" and m.broadcast == true)
		assert(m.lease == 86400 and m.t1 == 600 and m.t2 == 900 and m.mtu == 1400)
		assert(m.routers[1] == "10.0.2.2" and #m.dns == 2 and m.dns[2] == "1.1.1.1")
		assert(m.domain == "example.test")
	end,
	["dhcp: a request carries what the client asks for"] = function()
		local p = net.dhcp_build({ type = "request", xid = 7, chaddr = "02:00:00:00:00:01",
			requested_ip = "10.0.2.15", server_id = "10.0.2.2", params = { 1, 3, 6 },
			hostname = "box", client_id = "\1\2\0\0\0\0\1" })
		local m = assert(net.dhcp_parse(p))
		assert(m.op == "request" and m.type == "request" and m.requested_ip == "10.0.2.15")
		assert(m.hostname == "box" and #m.params == 3 and m.client_id == "\1\2\0\0\0\0\1")
		-- a client never accepts a BOOTREQUEST
		local r, why = net.dhcp_parse(p, 7)
		assert(r == nil and why == "not a BOOTREPLY", why)
	end,
	["dhcp: malformed and foreign packets are dropped with a reason"] = function()
		local p = offer()
		local function why(bytes, xid)
			local m, reason = net.dhcp_parse(bytes, xid or 0x12345678)
			assert(m == nil, "accepted a bad packet")
			return reason
		end
		assert(why(p, 1) == "wrong xid")
		assert(why(p:sub(1, 239)) == "short packet")
		assert(why(p:sub(1, 236) .. "\0\0\0\0" .. p:sub(241)) == "bad magic cookie")
		assert(why(p .. string.rep("\0", 1500)) == "oversized packet")
		-- truncate inside the DNS option (its length runs past the end)
		local dns = optpos(p, 6)
		assert(why(p:sub(1, dns + 3)) == "truncated option")
		-- a 4-byte option with a wrong length
		local lt = optpos(p, 51)
		assert(why(p:sub(1, lt) .. "\3" .. p:sub(lt + 2)) ~= nil)
		-- an oversized text option: 200-byte hostname in a 64-byte field
		local big = net.dhcp_build({ op = "reply", type = "ack", xid = 1, chaddr = "02:00:00:00:00:01" })
		local cut = optpos(big, 255)
		big = big:sub(1, cut - 1) .. "\12\200" .. string.rep("a", 200) .. "\255"
		assert(why(big, 1) == "oversized or invalid text option")
		-- no message type
		local nt = p:sub(1, 240) .. "\255" .. p:sub(242)
		assert(why(nt) == "no message type")
		assert(why(string.rep("\0", 400)) == "bad magic cookie")
	end,
	["dhcp: option overload puts options in sname/file"] = function()
		local p = net.dhcp_build({ op = "reply", type = "ack", xid = 9, chaddr = "02:00:00:00:00:01" })
		-- option 52 = 1 (file), then the lease time in the file field (offset 108)
		local pos = optpos(p, 255)
		p = p:sub(1, pos - 1) .. "\52\1\1\255" .. p:sub(pos + 4)
		local file = "\51\4\0\0\14\16\255"
		p = p:sub(1, 108) .. file .. p:sub(109 + #file)
		local m = assert(net.dhcp_parse(p, 9))
		assert(m.lease == 3600, tostring(m.lease))
	end,
	["dhcp: build rejects bad fields (misuse raises)"] = function()
		assert(not pcall(net.dhcp_build, { type = "discover", bogus = 1 }))
		assert(not pcall(net.dhcp_build, { type = "nonsense" }))
		assert(not pcall(net.dhcp_build, { xid = 1 }))
		assert(not pcall(net.dhcp_build, { type = "discover", yiaddr = "300.1.1.1" }))
		assert(not pcall(net.dhcp_build, { type = "discover", hostname = string.rep("x", 80) }))
		-- a field, or a field's name, stopped at its first NUL byte:
		-- ciaddr "10.0.0.1\0x" was 10.0.0.1, ["xid\0x"] set xid
		local nul = ": string without NUL bytes expected, got a NUL at byte "
		for _, c in ipairs({
			{ { type = "discover", ciaddr = "10.0.0.1\0x" }, "field 'ciaddr'" .. nul .. "9" },
			{ { type = "discover", dns = { "10.0.0.1\0x" } }, "field 'dns'" .. nul .. "9" },
			{ { type = "discover", chaddr = "02:00:00:00:00:01\0" }, "field 'chaddr'" .. nul .. "18" },
			{ { type = "discover", hostname = "box\0x" }, "field 'hostname'" .. nul .. "4" },
			{ { type = "discover\0x" }, "field 'type'" .. nul .. "9" },
			{ { type = "discover", ["xid\0x"] = 1 }, "field name" .. nul .. "4" },
		}) do
			local ok, err = pcall(net.dhcp_build, c[1])
			assert(not ok and err == "dhcp_build: " .. c[2], tostring(err))
		end
		assert(net.dhcp_build({ type = "discover", client_id = "\1\0\0" }), "client_id is bytes")
	end,
	-- Lua's coercion took 167772161 where an address goes (as "167772161",
	-- which inet_pton refuses without the message saying so) and "7" where
	-- an integer goes (xid 7); each is refused naming its field, as the
	-- binding's other fields are
	["dhcp: build refuses a number for an address and a string for an integer"] = function()
		local function raises(want, m)
			m.type = "discover"
			local ok, err = pcall(net.dhcp_build, m)
			assert(not ok and err == "dhcp_build: field " .. want, tostring(err))
		end
		raises("'yiaddr': IPv4 address expected, got number", { yiaddr = 167772161 })
		raises("'server_id': IPv4 address expected, got boolean", { server_id = true })
		raises("'yiaddr': IPv4 address expected, got '300.1.1.1'", { yiaddr = "300.1.1.1" })
		raises("'yiaddr': string without NUL bytes expected, got a NUL at byte 9", { yiaddr = "10.0.0.1\0junk" })
		raises("'dns': IPv4 address expected, got number", { dns = { "1.1.1.1", 16843009 } })
		raises("'xid': integer 0-4294967295 expected, got string", { xid = "7" })
		raises("'mtu': integer 0-65535 expected, got string", { mtu = "1400" })
		raises("'params': integer 0-254 expected, got string", { params = { 1, "3" } })
		raises("'lease': integer 0-4294967295 expected, got non-integer number 1.5", { lease = 1.5 })
		raises("'secs': integer 0-65535 expected, got -1", { secs = -1 })
		raises("'t1': integer 0-4294967295 expected, got 4294967296", { t1 = 2 ^ 32 })
		-- an integral float is that integer, as elsewhere in the binding
		local m = assert(net.dhcp_parse(net.dhcp_build({ type = "discover", xid = 7.0, mtu = 1400.0 })))
		assert(m.xid == 7 and math.type(m.mtu) == "integer" and m.mtu == 1400)
	end,
	-- chaddr is read as link_set reads a mac (lx_net_parse_mac): pairs of
	-- hex digits and colons, nothing else; sscanf's %2x took "2:54:0:..."
	-- (single digits), a trailing colon, a leading space and a sign
	["dhcp: chaddr is pairs of hex digits, as link_set's mac"] = function()
		for _, c in ipairs({ "2:54:0:12:34:56", "52:54:00:12:34:56:", " 52:54:00:12:34:56", "+5:54", "5",
			"0x52:54", "52:54::00", ":52", "52-54-00-12-34-56", "52:54:00:12:34:567", ("ab:"):rep(16) .. "ab" }) do
			local ok, err = pcall(net.dhcp_build, { type = "discover", chaddr = c })
			assert(not ok and err == "dhcp_build: field 'chaddr': \"aa:bb:..\" expected", c .. ": " .. tostring(err))
		end
		for _, c in ipairs({ { "52:54:00:AB:cd:EF", "52:54:00:ab:cd:ef" }, { "02", "02" }, { "", "" },
			{ ("ab:"):rep(15) .. "ab", ("ab:"):rep(15) .. "ab" } }) do
			local m = assert(net.dhcp_parse(net.dhcp_build({ op = "reply", type = "ack", xid = 3, chaddr = c[1] }), 3))
			assert(m.chaddr == c[2], c[1] .. ": " .. tostring(m.chaddr))
		end
	end,
	["config: a valid config normalises"] = function()
		local cfg, errs = network.validate({ resolv_conf = "/tmp/r", interfaces = {
			{ match = "eth*", dhcp = true },
			{ match = { mac = "52:54:00:12:34:56" }, address = "10.0.2.15/24", gateway = "10.0.2.2",
			  dns = { "10.0.2.3" }, mtu = 1500 },
			{ match = "wan0", address = { "192.0.2.1/24", "2001:db8::1/64" }, dhcp = { max_lease = 60 },
			  routes = { { dst = "10.1.0.0/16", gateway = "192.0.2.254", metric = 10 } } } } })
		assert(#errs == 0, table.concat(errs, "; "))
		assert(cfg.resolv_conf == "/tmp/r" and #cfg.interfaces == 3)
		assert(type(cfg.interfaces[1].dhcp) == "table")
		assert(cfg.interfaces[2].addresses[1] == "10.0.2.15/24" and cfg.interfaces[2].gateways[1] == "10.0.2.2")
	end,
	-- regression: a relative or NUL resolv_conf and a DHCP hostname
	-- dhcp_build refuses passed the check and failed later, at every lease
	["config: resolv_conf is an absolute path, dhcp.hostname a name of 1 to 63 bytes"] = function()
		for _, rc in ipairs({ "resolv.conf", "/etc/resolv.conf\0x", "" }) do
			local cfg, errs = network.validate({ resolv_conf = rc, interfaces = {} })
			assert(cfg.resolv_conf == false and #errs == 1
				and errs[1]:find("key 'resolv_conf': an absolute path expected", 1, true), errs[1])
		end
		for _, h in ipairs({ string.rep("x", 64), "", "a b", "box\0x" }) do
			local _, errs = network.validate({ interfaces = { { match = "eth0", dhcp = { hostname = h } } } })
			assert(#errs == 1 and errs[1]:find("key 'dhcp.hostname': a name of 1 to 63 bytes", 1, true), errs[1])
		end
		local _, errs = network.validate({ interfaces = { { match = "eth0", dhcp = { hostname = string.rep("x", 63) } } } })
		assert(#errs == 0, errs[1])
	end,
	["config: errors name the entry, interface and key"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", dhcp = true },
			{ match = "eth1", adress = "10.0.0.1/24" },
			{ match = "eth2", address = "10.0.0.300/24" },
			{ match = { mac = "zz" } },
			{ match = "eth3", mtu = 10 },
			{ match = "eth4", dhcp = { bogus = true } },
			{ match = "eth5", routes = { { dst = "nowhere" } } } } })
		assert(e:find("interfaces[2] (eth1): key 'adress': unknown key", 1, true), e)
		assert(e:find("interfaces[3] (eth2): key 'address'", 1, true), e)
		assert(e:find("key 'match.mac'", 1, true), e)
		assert(e:find("interfaces[5] (eth3): key 'mtu'", 1, true), e)
		assert(e:find("interfaces[6] (eth4): key 'dhcp.bogus'", 1, true), e)
		assert(e:find("interfaces[7] (eth5): key 'routes[1].dst'", 1, true), e)
		assert(not e:find("interfaces[1]", 1, true), e)
		assert(errors_of({ interface = {} }):find("key 'interface': unknown key", 1, true))
	end,
	-- from the bad-network-input exploration: each of these passed the
	-- check and failed at configure time, after part of the interface was
	-- set up (an IPv4 dst with host bits; an IPv6 one the kernel takes as
	-- its network, so it passes), or did what no one asks (DHCP on a
	-- link left down, asking for ever; a T1 of 0, renewing as fast as the
	-- server answered)
	["config: a route's dst with host bits, dhcp on a link down, a T1 or T2 of 0 are errors"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", routes = { { dst = "10.1.2.3/16" }, { dst = "10.1.0.0/16" }, { dst = "10.1.2.3/32" } } },
			{ match = "eth1", routes = { { dst = "fd00::1/64" }, { dst = "2001:db8:0:0:1::/48" }, { dst = "fd00::/64" },
				{ dst = "fd00:1:2:3:4:5:6:7/16" }, { dst = "0.0.0.1/0" } } },
			{ match = "eth2", up = false, dhcp = true },
			{ match = "eth3", dhcp = { t1 = 0 } }, { match = "eth4", dhcp = { t2 = 0.0 } },
			{ match = "eth5", up = false }, { match = "eth6", dhcp = { t1 = 1, t2 = 2 } } } })
		local want = {
			"interfaces[1] (eth0): key 'routes[1].dst': '10.1.2.3/16': a network expected, with no bits set past its "
				.. "prefix (10.1.0.0/16?)",
			"interfaces[2] (eth1): key 'routes[5].dst': '0.0.0.1/0': a network expected, with no bits set past its "
				.. "prefix (0.0.0.0/0?)",
			"interfaces[3] (eth2): key 'up': true expected with dhcp: DHCP needs the link up",
			"interfaces[4] (eth3): key 'dhcp.t1': integer >= 1 expected (seconds)",
			"interfaces[5] (eth4): key 'dhcp.t2': integer >= 1 expected (seconds)",
		}
		for _, w in ipairs(want) do assert(e:find(w, 1, true), w .. "\n---\n" .. e) end
		local _, n = e:gsub("\n", "")
		assert(n + 1 == #want, e)
		-- a message quotes a control byte, C1 ones too (0x9b: a console's CSI)
		e = errors_of({ interfaces = { { match = "eth0", domain = "a\155[2J\nb" } } })
		assert(e:find('got "a\\155[2J\\nb"', 1, true), e)
	end,
	-- luainit.net took a numeric string for an integer option (mtu =
	-- "1500") and raises for one now: a string in the config is an error
	-- of its entry, never passed on (a route's table was not checked at
	-- all, and "100" went to net.route_add)
	["config: a string or a fraction where an integer is expected is an error of its entry"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", mtu = "1500" },
			{ match = "eth1", metric = "100" },
			{ match = "eth2", routes = { { dst = "10.1.0.0/16", metric = "50", table = "100" } } },
			{ match = "eth3", routes = { { dst = "10.1.0.0/16", table = -1 }, { dst = "default", table = 2^32 },
				{ dst = "10.2.0.0/16", table = 1.5 } } },
			{ match = "eth4", dhcp = { metric = "5" } },
			{ match = "eth5", routes = { { dst = "10.1.0.0/16", table = 100 }, { dst = "10.2.0.0/16", table = 0 },
				{ dst = "10.3.0.0/16", table = 4294967295 } } } } })
		local TABLE = "integer 0-4294967295 expected (a route table id; 254 is main)"
		for _, want in ipairs({
			"interfaces[1] (eth0): key 'mtu': integer 68-65535 expected",
			"interfaces[2] (eth1): key 'metric': integer 0-4294967295 expected",
			"interfaces[3] (eth2): key 'routes[1].metric': integer 0-4294967295 expected",
			"interfaces[3] (eth2): key 'routes[1].table': " .. TABLE,
			"interfaces[4] (eth3): key 'routes[1].table': " .. TABLE,
			"interfaces[4] (eth3): key 'routes[2].table': " .. TABLE,
			"interfaces[4] (eth3): key 'routes[3].table': " .. TABLE,
			"interfaces[5] (eth4): key 'dhcp.metric': integer 0-4294967295 expected",
		}) do
			assert(e:find(want, 1, true), want .. "\n  in: " .. e)
		end
		assert(not e:find("interfaces[6]", 1, true), e)
	end,
	-- network.lua refused mtu = 1500.0 (and every other integer key) while
	-- service definitions and device rules take an integral float
	-- (lua/integer.lua): the same rule here, and the entry holds integers
	["config: an integral float is its integer; a fraction, inf or nan is an error of its entry"] = function()
		local routes = { { dst = "10.1.0.0/16", metric = 50.0, table = 100.0 }, { dst = "10.2.0.0/16" } }
		local dhcp = { metric = 5.0, t1 = 600.0, t2 = 9e2, max_lease = 3600.0, retry_max = 64e3, use_dns = false }
		local cfg, errs = network.validate({ interfaces = {
			{ match = "eth0", address = "10.0.0.2/24", mtu = 1500.0, metric = 1e2, routes = routes },
			{ match = "eth1", dhcp = dhcp } } })
		assert(#errs == 0, table.concat(errs, "; "))
		local e0, e1 = cfg.interfaces[1], cfg.interfaces[2]
		local function int(v, want) return math.type(v) == "integer" and v == want end
		assert(int(e0.mtu, 1500) and int(e0.metric, 100), tostring(e0.mtu) .. " " .. tostring(e0.metric))
		assert(int(e0.routes[1].metric, 50) and int(e0.routes[1].table, 100), tostring(e0.routes[1].metric))
		assert(e0.routes[1].dst == "10.1.0.0/16" and e0.routes[2].metric == nil and e0.routes[2].table == nil)
		for k, want in pairs({ metric = 5, t1 = 600, t2 = 900, max_lease = 3600, retry_max = 64000 }) do
			assert(int(e1.dhcp[k], want), k .. " = " .. tostring(e1.dhcp[k]))
		end
		assert(e1.dhcp.use_dns == false)
		-- the caller's tables are not rewritten
		assert(math.type(routes[1].metric) == "float" and math.type(dhcp.t1) == "float")
		assert(e0.routes ~= routes and e1.dhcp ~= dhcp)
		-- anything else is refused with the message an integer field gives
		local e = errors_of({ interfaces = {
			{ match = "eth0", mtu = 1500.5 },
			{ match = "eth1", metric = 0 / 0 },
			{ match = "eth2", routes = { { dst = "10.1.0.0/16", metric = 1.5, table = math.huge } } },
			{ match = "eth3", dhcp = { t1 = 0.5, retry_max = -1.0 } },
			{ match = "eth4", mtu = 67.0 } } })
		for _, want in ipairs({
			"interfaces[1] (eth0): key 'mtu': integer 68-65535 expected",
			"interfaces[2] (eth1): key 'metric': integer 0-4294967295 expected",
			"interfaces[3] (eth2): key 'routes[1].metric': integer 0-4294967295 expected",
			"interfaces[3] (eth2): key 'routes[1].table': integer 0-4294967295 expected",
			"interfaces[4] (eth3): key 'dhcp.t1': integer >= 1 expected (seconds)",
			"interfaces[4] (eth3): key 'dhcp.retry_max': integer >= 0 expected",
			"interfaces[5] (eth4): key 'mtu': integer 68-65535 expected",
		}) do
			assert(e:find(want, 1, true), want .. "\n  in: " .. e)
		end
	end,
	-- a route's metric was checked as an integer only, and net.route_add
	-- cast it to 32 bits: metric = -1 was the kernel's 4294967295, 2^32 was
	-- 0 (the first choice); the interface's and DHCP's metrics, which
	-- become routes' metrics, had no upper bound
	["config: a metric is a route metric, 0-4294967295"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", routes = { { dst = "10.1.0.0/16", metric = -1 }, { dst = "10.2.0.0/16", metric = 2^32 },
				{ dst = "10.3.0.0/16", metric = math.mininteger } } },
			{ match = "eth1", metric = 4294967296 },
			{ match = "eth2", dhcp = { metric = -1 } },
			{ match = "eth3", dhcp = { metric = 2^32 } },
			{ match = "eth4", metric = 4294967295, dhcp = { metric = 0 }, routes = {
				{ dst = "10.1.0.0/16", metric = 0 }, { dst = "10.2.0.0/16", metric = 4294967295.0 } } } } })
		local METRIC = "integer 0-4294967295 expected (a route metric; lower is preferred)"
		for _, want in ipairs({
			"interfaces[1] (eth0): key 'routes[1].metric': " .. METRIC,
			"interfaces[1] (eth0): key 'routes[2].metric': " .. METRIC,
			"interfaces[1] (eth0): key 'routes[3].metric': " .. METRIC,
			"interfaces[2] (eth1): key 'metric': " .. METRIC,
			"interfaces[3] (eth2): key 'dhcp.metric': " .. METRIC,
			"interfaces[4] (eth3): key 'dhcp.metric': " .. METRIC,
		}) do
			assert(e:find(want, 1, true), want .. "\n  in: " .. e)
		end
		assert(select(2, e:gsub("\n", "")) == 5, e)
		local cfg = network.validate({ interfaces = { { match = "eth4", metric = 4294967295,
			routes = { { dst = "10.2.0.0/16", metric = 4294967295.0 } } } } })
		assert(math.type(cfg.interfaces[1].routes[1].metric) == "integer" and cfg.interfaces[1].routes[1].metric == 4294967295)
	end,
	-- a route's src was not checked, and a gateway or src of the other
	-- family than dst, or an address inet_pton does not read (010.0.0.1,
	-- 1:::2), passed: net.route_add raised 'src: address expected' inside
	-- configure, after the link, its addresses and the routes before it
	-- were set up, at boot or on a link event
	["config: a route's src, and its gateway, is an address of the route's family"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", routes = {
				{ dst = "10.1.0.0/16", src = "bogus" },
				{ dst = "10.1.0.0/16", src = "2001:db8::1" },
				{ dst = "2001:db8:1::/48", gateway = "10.0.0.1" },
				{ dst = "default", gateway = "2001:db8::1", src = "10.0.0.2" },
				{ dst = "10.1.0.0/16", src = "10.0.0.2/24" },
				{ dst = "10.1.0.0/16", src = 10 },
				{ dst = "fd00::/16", src = "1:::2" },
				{ dst = "10.1.0.0/16", gateway = "010.0.0.1" } } },
			{ match = "eth1", address = { "10.0.0.2/24", "2001:db8::2/64" }, routes = {
				{ dst = "10.1.0.0/16", gateway = "10.0.0.1", src = "10.0.0.2" },
				{ dst = "fd00::/16", src = "2001:db8::2" },
				{ dst = "default", src = "2001:db8::2" },
				{ dst = "default", gateway = "fe80::1", src = "::ffff:10.0.0.2" },
				{ dst = "::/0", src = "::" } } } } })
		for _, want in ipairs({
			"interfaces[1] (eth0): key 'routes[1].src': IP address expected",
			"interfaces[1] (eth0): key 'routes[2].src': IPv4 address expected (the route's dst is IPv4)",
			"interfaces[1] (eth0): key 'routes[3].gateway': IPv6 address expected (the route's dst is IPv6)",
			"interfaces[1] (eth0): key 'routes[4].src': IPv6 address expected (the route's gateway is IPv6)",
			"interfaces[1] (eth0): key 'routes[5].src': IP address without a prefix length expected, got '10.0.0.2/24'",
			"interfaces[1] (eth0): key 'routes[6].src': IP address expected",
			"interfaces[1] (eth0): key 'routes[7].src': IP address expected",
			"interfaces[1] (eth0): key 'routes[8].gateway': IP address expected",
		}) do
			assert(e:find(want, 1, true), want .. "\n  in: " .. e)
		end
		assert(select(2, e:gsub("\n", "")) == 7, e)
		assert(not e:find("interfaces[2]", 1, true), e)
	end,
	-- a gateway, a route's gateway or src and a DNS server are addresses:
	-- one with a prefix length (which luainit.net took, dropping the
	-- prefix) is an error that says so, naming the key
	["config: an address with a prefix length where an address alone goes is an error of its key"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", address = "10.0.0.2/24", gateway = "10.0.0.1/24", dns = { "10.0.0.53/32", "fd00::53/64" },
			  routes = { { dst = "10.1.0.0/16", gateway = "10.0.0.1/24" }, { dst = "fd00::/16", src = "fd00::2/64" },
			             { dst = "10.2.0.0/16", gateway = "10.0.0.1/" }, { dst = "10.3.0.0/16", src = "any/24" } } },
			{ match = "eth1", gateway = { "fd00::1", "fe80::1/64" } } } })
		local want = {
			"interfaces[1] (eth0): key 'gateway': '10.0.0.1/24': IP address without a prefix length expected",
			"interfaces[1] (eth0): key 'dns': '10.0.0.53/32': IP address without a prefix length expected",
			"interfaces[1] (eth0): key 'dns': 'fd00::53/64': IP address without a prefix length expected",
			"interfaces[1] (eth0): key 'routes[1].gateway': IP address without a prefix length expected, got '10.0.0.1/24'",
			"interfaces[1] (eth0): key 'routes[2].src': IP address without a prefix length expected, got 'fd00::2/64'",
			"interfaces[1] (eth0): key 'routes[3].gateway': IP address without a prefix length expected, got '10.0.0.1/'",
			"interfaces[1] (eth0): key 'routes[4].src': IP address expected, got 'any/24'",
			"interfaces[2] (eth1): key 'gateway': 'fe80::1/64': IP address without a prefix length expected",
		}
		for _, w in ipairs(want) do assert(e:find(w, 1, true), w .. "\n  in: " .. e) end
		assert(select(2, e:gsub("\n", "")) == #want - 1, e)
		-- the entries are kept, marked invalid: their links are left alone
		local cfg = network.validate({ interfaces = { { match = "eth0", gateway = "10.0.0.1/24" } } })
		assert(cfg.interfaces[1].invalid and not cfg.interfaces[1].gateways, "an invalid entry was normalised")
	end,
	-- is_ipv4 and is_ipv6 take what inet_pton takes, which luainit.net
	-- parses with (an address, a gateway or dns server passed validate and
	-- failed, or was written to resolv.conf, where inet_aton reads 010 as 8)
	["config: an address is one inet_pton reads"] = function()
		local good = { "10.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "fe80::1", "2001:db8::",
			"1:2:3:4:5:6:7:8", "1::8", "::ffff:10.0.0.1", "1:2:3:4:5:6:10.0.0.1", "ABCD:ef01::" }
		local bad = { "010.0.0.1", "10.0.0.01", "0010.0.0.1", "256.0.0.1", "10.0.0", "10.0.0.1.", "1:::2",
			":1::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "12345::",
			"fe80::1%eth0", "::10.0.0.256", "1:2:3:4:5:6:7:10.0.0.1", "g::", "", ":", "1.2.3.4::" }
		-- and the binding agrees (its parse raises before the missing link
		-- fails the request, so nothing reaches the kernel)
		local function binding_reads(a)
			return (pcall(net.route_del, { dst = "default", src = a, dev = "luainit-nosuch0" }))
		end
		-- (which the gateway check refuses for what they are, below)
		local no_router = { ["0.0.0.0"] = true, ["255.255.255.255"] = true, ["::"] = true }
		for _, a in ipairs(good) do
			local _, errs = network.validate({ interfaces = { { match = "eth0", dns = a,
				gateway = not no_router[a] and a or nil } } })
			assert(#errs == 0, a .. ": " .. table.concat(errs, "; "))
			assert(binding_reads(a), a .. ": luainit.net does not read it")
		end
		for _, a in ipairs(bad) do
			local e = errors_of({ interfaces = { { match = "eth0", dns = a, address = a .. "/24" } } })
			assert(e:find("key 'dns': '" .. a .. "': IP address expected", 1, true), a .. ": " .. e)
			assert(e:find("key 'address': '" .. a .. "/24': address/prefix expected", 1, true), a .. ": " .. e)
			assert(a == "" or not binding_reads(a), a .. ": luainit.net reads it")
		end
	end,
	-- regression: a gateway of 0.0.0.0, ::, 255.255.255.255 or a multicast
	-- address passed, and the kernel refused the route at configure time
	-- (or, for 0.0.0.0, took it as no gateway); an address of 0.0.0.0/x the
	-- kernel took and added nothing for, :: and a multicast one it refused
	["config: a gateway is a unicast router address, an address a unicast one"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth0", address = { "0.0.0.0/24", "224.0.0.5/24", "255.255.255.255/32", "::/64", "ff02::1/64" },
			  gateway = { "0.0.0.0", "255.255.255.255", "224.0.0.1", "239.255.255.250", "::", "0::0", "ff02::2" },
			  routes = { { dst = "10.1.0.0/16", gateway = "0.0.0.0" }, { dst = "fd00::/16", gateway = "FF05::1:3" } } } } })
		local want = {
			"key 'address': '0.0.0.0/24': a unicast address expected, not the unspecified address",
			"key 'address': '224.0.0.5/24': a unicast address expected, not a multicast address",
			"key 'address': '255.255.255.255/32': a unicast address expected, not the broadcast address",
			"key 'address': '::/64': a unicast address expected, not the unspecified address",
			"key 'address': 'ff02::1/64': a unicast address expected, not a multicast address",
			"key 'gateway': '0.0.0.0': a unicast router address expected, not the unspecified address",
			"key 'gateway': '255.255.255.255': a unicast router address expected, not the broadcast address",
			"key 'gateway': '224.0.0.1': a unicast router address expected, not a multicast address",
			"key 'gateway': '239.255.255.250': a unicast router address expected, not a multicast address",
			"key 'gateway': '::': a unicast router address expected, not the unspecified address",
			"key 'gateway': '0::0': a unicast router address expected, not the unspecified address",
			"key 'gateway': 'ff02::2': a unicast router address expected, not a multicast address",
			"key 'routes[1].gateway': a unicast router address expected, not the unspecified address, got '0.0.0.0'",
			"key 'routes[2].gateway': a unicast router address expected, not a multicast address, got 'FF05::1:3'",
		}
		for _, w in ipairs(want) do assert(e:find("interfaces[1] (eth0): " .. w, 1, true), w .. "\n  in: " .. e) end
		assert(select(2, e:gsub("\n", "")) == #want - 1, e)
		-- their neighbours stay good: the first and last unicast addresses,
		-- 0.x.x.x past 0.0.0.0, ::1-like and ff:: (00ff, no multicast)
		local _, errs = network.validate({ interfaces = { { match = "eth0",
			address = { "223.255.255.254/8", "240.0.0.1/8", "0.0.0.1/8", "ff::1/64", "fe80::2/64" },
			gateway = { "223.255.255.255", "240.0.0.1", "fe80::1", "ff::1", "::ffff:10.0.0.1" },
			routes = { { dst = "10.1.0.0/16", gateway = "10.0.0.1" }, { dst = "default", src = "0.0.0.0" } } } } })
		assert(#errs == 0, table.concat(errs, "\n"))
	end,
	-- a prefix length is named with its range, as luainit.net names it,
	-- where "'10.0.0.1/33': address/prefix expected" said the address was
	-- wrong; an address alone with any prefix length is one with a prefix
	["config: a bad prefix length is named with its range"] = function()
		local e = errors_of({ interfaces = { { match = "eth0",
			address = { "10.0.0.1/33", "fd00::1/129", "10.0.0.1/0x18", "fd00::1/64/64", "10.0.0.1/", "10.0.0.1/024" },
			gateway = { "10.0.0.1/33", "10.0.0.1/0x18" },
			routes = { { dst = "10.1.0.0/33" }, { dst = "10.1.0.0/+16" }, { dst = "10.1.0.300/16" } } } } })
		for _, want in ipairs({
			"key 'address': '10.0.0.1/33': prefix length 33 out of range 0..32",
			"key 'address': 'fd00::1/129': prefix length 129 out of range 0..128",
			"key 'address': '10.0.0.1/0x18': decimal prefix length 0..32 expected, got '0x18'",
			"key 'address': 'fd00::1/64/64': decimal prefix length 0..128 expected, got '64/64'",
			"key 'address': '10.0.0.1/': decimal prefix length 0..32 expected, got ''",
			"key 'gateway': '10.0.0.1/33': IP address without a prefix length expected",
			"key 'gateway': '10.0.0.1/0x18': IP address without a prefix length expected",
			"key 'routes[1].dst': '10.1.0.0/33': prefix length 33 out of range 0..32",
			"key 'routes[2].dst': '10.1.0.0/+16': decimal prefix length 0..32 expected, got '+16'",
			"key 'routes[3].dst': \"default\" or address/prefix expected",
		}) do
			assert(e:find(want, 1, true), want .. "\n" .. e)
		end
		assert(not e:find("024", 1, true), e)
		local _, n = e:gsub("interfaces%[1%]", "")
		assert(n == 10, e)
	end,
	-- an address with a prefix length of 0: net.addr_add refuses it, so the
	-- check does (a route's default, 0.0.0.0/0, stays good)
	["validate: an address /0 is an error of its key, a route /0 is not"] = function()
		local e = errors_of({ interfaces = { { match = "eth0", address = { "10.0.0.2/0", "fd00::2/00" } } } })
		assert(e:find("key 'address': '10.0.0.2/0': a prefix length of 1 or more expected", 1, true), e)
		assert(e:find("key 'address': 'fd00::2/00': a prefix length of 1 or more expected", 1, true), e)
		local _, errs = network.validate({ interfaces = { { match = "eth0", address = "10.0.0.2/24",
			routes = { { dst = "0.0.0.0/0", gateway = "10.0.0.1" } } } } })
		assert(#errs == 0, table.concat(errs, "; "))
	end,
	-- regression: every name server was written, a DHCP server's 8 too,
	-- where musl and glibc read the first 3 (MAXNS) and no more: the
	-- static ones, every interface's, now come first, and the ones past
	-- the third are left out with a warning that names them
	["resolv.conf: at most 3 name servers, the static ones first; the rest named in a warning"] = function()
		local log = require "log"
		local text, path = resolv_for({
			[2] = { dns = { "10.0.0.53" }, dhcp_dns = { "10.0.2.3", "10.0.2.4", "10.0.2.5", "10.0.2.6" },
				dhcp_domain = "example.test" },
			[3] = { dns = { "fd00::53", "10.0.0.53" }, domain = "lab.test" } })
		assert(text == "# written by luainit (network.lua); changes are overwritten\n"
			.. "search lab.test example.test\n"
			.. "nameserver 10.0.0.53\nnameserver fd00::53\nnameserver 10.0.2.3\n", text)
		local ring = table.concat(log.ring(3), "\n")
		assert(ring:find("network: wrote " .. path .. " (3 nameserver(s))", 1, true), ring)
		assert(ring:find("warning: network: name server(s) 10.0.2.4, 10.0.2.5, 10.0.2.6 left out of " .. path
			.. ": its readers (musl, glibc) use the first 3", 1, true), ring)
	end,
	-- regression: every domain went on the search line, of which musl
	-- keeps 255 bytes: a name past them was cut in the middle. Whole names
	-- now, the static ones first, each once; the rest named in a warning
	["resolv.conf: the search line's names fit musl's 255 bytes, the static ones first"] = function()
		local log = require "log"
		local long = {}
		for i = 1, 6 do long[i] = string.rep(string.char(96 + i), 50) .. ".test" end
		local text, path = resolv_for({
			[2] = { dns = { "10.0.0.53" }, dhcp_domain = table.concat(long, " ") .. " lab.test" },
			[3] = { domain = "lab.test  corp.test" } })
		local line = text:match("\nsearch ([^\n]*)\n")
		assert(line == "lab.test corp.test " .. table.concat(long, " ", 1, 4), tostring(line))
		assert(#line <= 255, #line)
		local ring = table.concat(log.ring(3), "\n")
		assert(ring:find("warning: network: search domain(s) " .. long[5] .. ", " .. long[6] .. " left out of "
			.. path .. ": musl skips a line longer than 255 bytes", 1, true), ring)
	end,
	-- regression: names of 248 to 255 bytes made a line of 256 to 263
	-- with "search " and its newline, which musl skips whole (its fgets
	-- into line[256] finds no newline): no search domain at all
	["resolv.conf: the whole search line, newline included, fits musl's 255 bytes"] = function()
		local function line_for(domains)
			local text = resolv_for({ [2] = { dns = { "10.0.0.53" }, domain = domains } })
			return text:match("\n(search [^\n]*\n)")
		end
		-- two names of 247 bytes in all: one line of 255, both kept
		local a, b = string.rep("a", 100) .. ".test", string.rep("b", 136) .. ".test"
		assert(#a + 1 + #b == 247)
		local line = line_for(a .. " " .. b)
		assert(line == "search " .. a .. " " .. b .. "\n" and #line == 255, tostring(line))
		-- one byte more: the second is left out, not the whole line lost
		local b2 = "x" .. b
		line = line_for(a .. " " .. b2)
		assert(line == "search " .. a .. "\n", tostring(line))
	end,
	-- regression: a lease's subnet mask 0.0.0.0 made the DHCP client add a
	-- /0, which net.addr_add refuses with an error that ended the client;
	-- a mask whose ones are not contiguous counted its ones (10.99.0.1: /7)
	["a lease's subnet mask: the prefix it gives, or none"] = function()
		local cases = { ["255.255.255.0"] = 24, ["255.255.255.255"] = 32, ["128.0.0.0"] = 1,
			["255.255.254.0"] = 23, ["0.0.0.0"] = false, ["255.0.255.0"] = false,
			["10.99.0.1"] = false, ["255.255.255.1"] = false, ["nonsense"] = false }
		for mask, want in pairs(cases) do
			local got = network._prefix_of(mask)
			assert(got == (want or nil), mask .. ": " .. tostring(got))
		end
		assert(network._prefix_of(nil) == nil)
	end,
	-- regression: a server's T1 of 0, or a lease of 0 or 1 s, had the
	-- client renew (or start over) as fast as the server answered,
	-- thousands of times a second
	["a lease's times: a T1 of 0 is none, a short lease is MIN_LEASE, none is under 1 s"] = function()
		local function times(m, o) return table.pack(network._lease_times(m, o or {})) end
		local function same(got, want, what)
			for i = 1, 4 do assert(got[i] == want[i], what .. ": " .. table.concat({ tostring(got[1]),
				tostring(got[2]), tostring(got[3]), tostring(got[4]) }, " ")) end
		end
		same(times({ lease = 120, t1 = 10, t2 = 15 }), { 120, 10, 15 }, "the server's")
		same(times({ lease = 120, t1 = 0, t2 = 0 }), { 120, 60, 105 }, "T1, T2 0")
		same(times({ lease = 0 }), { 20, 10, 17, 0 }, "lease 0")
		same(times({ lease = 1, t1 = 0, t2 = 0 }), { 20, 10, 17, 1 }, "lease 1")
		same(times({}), { 3600, 1800, 3150 }, "no lease")
		same(times({ lease = 600, t1 = 900, t2 = 700 }), { 600, 600, 600 }, "past the lease")
		same(times({ lease = 600, t1 = 50, t2 = 40 }), { 600, 40, 40 }, "T1 past T2")
		same(times({ lease = 86400 }, { max_lease = 30 }), { 30, 15, 26 }, "max_lease")
		same(times({ lease = 86400 }, { max_lease = 1 }), { 1, 1, 1 }, "max_lease 1")
		same(times({ lease = 120 }, { t1 = 0, t2 = 0 }), { 120, 1, 1 }, "options' t1, t2 0")
		same(times({ lease = 0xffffffff }), { 0xffffffff, 0x7fffffff, 0xffffffff * 7 // 8 }, "infinite")
	end,
	-- regression: "eth[!]*" raised a Lua pattern error each time a link
	-- was matched against it; a glob is now checked with its entry
	["config: a malformed glob is an error of its entry; brackets match as in the shell"] = function()
		local e = errors_of({ interfaces = {
			{ match = "eth[!]*", dhcp = true },
			{ match = "eth[", dhcp = true },
			{ match = "eth[z-a]", dhcp = true },
			{ match = { name = "wl[[:foo:]]" }, dhcp = true } } })
		assert(not e:find("interfaces[1]", 1, true) and not e:find("interfaces[2]", 1, true), e)
		assert(e:find("interfaces[3] (eth[z-a]): key 'match': glob 'eth[z-a]': range 'z-a' is reversed (expected a-z)", 1, true), e)
		assert(e:find("interfaces[4] (wl[[:foo:]]): key 'match.name': glob 'wl[[:foo:]]': unknown class '[:foo:]'", 1, true), e)
		assert(not network.matches({ match = "eth[!]*" }, { name = "eth0" }))
		assert(network.matches({ match = "eth[!]*" }, { name = "eth[!]0" }))
		assert(network.matches({ match = "eth[" }, { name = "eth[" }))
		-- an invalid entry kept in place matches nothing rather than raising
		assert(not network.matches({ match = "eth[z-a]" }, { name = "ethb" }))
		assert(not network.matches({ match = { mac = 5 } }, { name = "eth0", mac = "52:54:00:12:34:56" }))
		assert(not network.matches({ match = { name = 5 } }, { name = "5" }))
	end,
	["config: bad entries stay in place so they shadow later globs"] = function()
		local cfg = network.validate({ interfaces = { { match = "eth1", bad = 1 }, { match = "eth*", dhcp = true } } })
		assert(cfg.interfaces[1].invalid and not cfg.interfaces[2].invalid)
	end,
	["config: matching by name, glob and MAC"] = function()
		local l = { name = "eth0", mac = "52:54:00:12:34:56" }
		assert(network.matches({ match = "eth0" }, l))
		assert(network.matches({ match = "eth*" }, l))
		assert(network.matches({ match = "e?h[0-3]" }, l))
		assert(not network.matches({ match = "eth[!0]" }, l))
		assert(network.matches({ match = "enp0s-1" }, { name = "enp0s-1" }))
		assert(not network.matches({ match = "wlan*" }, l))
		assert(network.matches({ match = { mac = "52:54:00:12:34:56" } }, l))
		assert(network.matches({ match = { mac = "52:54:00:12:34:56", name = "eth*" } }, l))
		assert(not network.matches({ match = { mac = "52:54:00:12:34:57" } }, l))
		assert(not network.matches({ match = "eth." }, { name = "ethX" }))
	end,
	-- a config error names the file, as a service definition's does; one
	-- the file raised at a line of its own names it once (it was
	-- "path: path:2: ..."), and a table that raises as it is checked is an
	-- error of the file (it raised out of start, which never settled)
	["config: load's errors name the file once"] = function()
		local path = os.tmpname()
		local function load(text)
			util.write(path, text)
			return network.load(path)
		end
		local cfg, errs = load([[return { interfacs = {}, interfaces = {
			{ match = "eth0", dhcp = true }, { match = "eth1", adress = "10.0.0.1/24" } } }]])
		assert(cfg and #errs == 2, table.concat(errs, "\n"))
		table.sort(errs)
		assert(errs[1] == path .. ": interfaces[2] (eth1): key 'adress': unknown key", errs[1])
		assert(errs[2] == path .. ": key 'interfacs': unknown key", errs[2])
		assert(cfg.interfaces[2].where == path .. ": interfaces[2] (eth1)", tostring(cfg.interfaces[2].where))
		cfg, errs = load("return 5")
		assert(errs[1] == path .. ": the file must return a table, got number", errs[1])
		for text, want in pairs({
			["local x\nx()"] = path .. ":2: attempt to call a nil value (local 'x')",
			["error('boom', 0)"] = path .. ": boom",
			["return {"] = path .. ":1: unexpected symbol near <eof>",
			["return setmetatable({}, { __index = function() error('no such key') end })"] =
				path .. ":1: no such key (raised while the returned table was checked)",
			["return setmetatable({}, { __pairs = function() error('no', 0) end })"] =
				path .. ": no (raised while the returned table was checked)",
		}) do
			cfg, errs = load(text)
			assert(cfg == nil and errs == want, text .. ": " .. tostring(errs))
		end
		os.remove(path)
		-- without a file, validate names the config and the entry
		_, errs = network.validate({ interfacs = {}, interfaces = { { match = "eth1", adress = "x" } } })
		table.sort(errs)
		assert(errs[1] == "interfaces[1] (eth1): key 'adress': unknown key", errs[1])
		assert(errs[2] == "network config: key 'interfacs': unknown key", errs[2])
		_, errs = network.validate(5)
		assert(errs[1] == "network config: table expected, got number", errs[1])
	end,
	-- regression: Lua cuts a long path in its messages ("...ork.lua:2:"),
	-- and load put the whole path in front again ("path: ...ork.lua:2:
	-- ..."), as it did for an error raised as the table was checked
	["config: a file with a long path is named once"] = function()
		local dir = "/tmp/luainit-test-" .. string.rep("n", 70) .. "." .. require("luainit.process").getpid()
		local path = dir .. "/network.lua"
		require("luainit.fs").mkdirp(dir)
		for text, want in pairs({
			["local x\nx()"] = "/network.lua:2: attempt to call a nil value (local 'x')",
			["local function f() error('boom') end\nf()"] = "/network.lua:1: boom",
			["return setmetatable({}, { __index = function() error('no such key') end })"] =
				"/network.lua:1: no such key (raised while the returned table was checked)",
		}) do
			util.write(path, text)
			local cfg, err = network.load(path)
			assert(cfg == nil and err:find("^%.%.%.n+%.%d+/network%.lua:") and err:sub(-#want) == want
				and not err:find(dir, 1, true), text .. ": " .. tostring(err))
		end
		os.remove(path)
		os.remove(dir)
	end,
	-- start in a network namespace of its own: a returned table that raises
	-- as it is checked fails the step, and network-online is settled (the
	-- error went out of start, which left services ordered after
	-- network-online waiting for ever)
	["config: a table that raises as it is checked fails start, which settles (private netns)"] = function()
		local path = os.tmpname()
		util.write(path, "return setmetatable({}, { __index = function() error('no such key', 0) end })")
		local out = util.in_netns(string.format([[
local network = require "network"
print("START", network.start(%q))
print("SETTLED", network.settled)
]], path))
		os.remove(path)
		assert(out:find("START\tfalse\t" .. path .. ": no such key (raised while the returned table was checked)", 1, true), out)
		assert(out:find("SETTLED\ttrue", 1, true), out)
	end,
	["config: the default test image config is valid"] = function()
		local cfg, errs = network.load("etc/luainit/network.lua")
		assert(cfg, errs)
		assert(#errs == 0, table.concat(errs, "; "))
		assert(network.matches(cfg.interfaces[1], { name = "eth0" }))
	end,

	-- regression: wait_online returned at any wake of "network-online",
	-- which also comes when the network settles without being online
	-- (online_timeout_ms passed, nothing to configure): "timeout" long
	-- before its time (netmounts kept a wait loop of its own for that)
	["wait_online: returns when online or at its time, not at another wake"] = function()
		local sched, event = require "sched", require "luainit.event"
		if network.online then error("SKIP: the network module says online") end
		local got, t0
		local function waiter(ms)
			got, t0 = nil, event.now()
			sched.spawn(function()
				got = table.pack(network.wait_online(ms))
				got.ms = event.now() - t0
			end, "wait_online test")
		end
		-- settled, not online: the wake is no answer; the time is
		waiter(300)
		sched.sleep(50)
		sched.wake("network-online")
		assert(got == nil, "returned at a wake while not online")
		for _ = 1, 40 do
			if got then break end
			sched.sleep(50)
		end
		assert(got and got.n == 2 and got[1] == nil and got[2] == "timeout" and got.ms >= 300,
			got and string.format("%s %s after %g ms", tostring(got[1]), tostring(got[2]), got.ms) or "no return")
		-- online: true at the wake that says so, before its time
		waiter(10000)
		sched.wake("network-online")
		assert(got == nil, "returned at a wake while not online")
		network.online = true
		local ok, err = pcall(sched.wake, "network-online")
		network.online = false
		assert(ok, err)
		assert(got and got.n == 1 and got[1] == true and got.ms < 10000)
		-- without a time, only online ends it; settled offline, it says
		-- once that it waits on
		local settled, log = network.settled, require "log"
		network.settled = false
		waiter(nil)
		sched.wake("network-online")
		sched.sleep(20)
		assert(got == nil, "returned at a wake while not online")
		local function warnings()
			local n = 0
			for _, l in ipairs(log.ring(20)) do
				if l:find("wait_online without a time is waiting on", 1, true) then n = n + 1 end
			end
			return n
		end
		local before = warnings()
		network.settled = true
		sched.wake("network-online")
		sched.wake("network-online")
		sched.sleep(20)
		network.settled = settled
		assert(got == nil, "returned at a wake while not online")
		assert(warnings() == before + 1, "warned " .. warnings() - before .. " times")
		network.online = true
		ok, err = pcall(sched.wake, "network-online")
		network.online = false
		assert(ok, err)
		assert(got and got[1] == true)
		-- online already: at once, without a wait (or a task)
		network.online = true
		ok, err = pcall(network.wait_online, 0)
		network.online = false
		assert(ok and err == true, tostring(err))
	end,

	["monitor: link and address events, read from the kernel in a private netns"] = function()
		-- a child luainit in its own network namespace makes a veth pair,
		-- configures one end and deletes it, and prints what its monitor saw
		local out = util.in_netns([[
local net = require "luainit.net"
local mon = assert(net.monitor())
assert(tostring(mon):find("^net.monitor %(fd %d+%)$"))
local function show(events)
	for _, e in ipairs(events) do
		print(e.kind, e.action, e.name or e.ifname or "-", e.mac or "-", e.mtu or "-", e.type or "-",
			e.address or "-", e.prefixlen or "-", e.scope or "-", e.family or "-", e.flags and e.flags.up and "up" or "-")
	end
end
os.execute("ip link add v0 type veth peer name v1 && ip link set v0 address 02:00:00:00:00:01 mtu 1400 up && " ..
	"ip addr add 10.9.0.1/24 dev v0 && ip addr add fd00::1/64 dev v0 nodad")
-- the kernel announces an IPv6 address from a work queue: deleting the
-- link before that ran (a busy host) made only its "del" (a flaky test)
local event = require "luainit.event"
local deadline, six = event.now() + 10000, false
repeat
	local got = mon:recv()
	show(got)
	for _, e in ipairs(got) do six = six or (e.kind == "addr" and e.action == "new" and e.family == "inet6") end
	if not six then os.execute("sleep 0.05") end
until six or event.now() > deadline
os.execute("ip link del v0")
show(mon:recv())
mon:close()
print("closed", pcall(mon.recv, mon))
]])
		local function has(line) assert(out:find(line, 1, true), "missing: " .. line .. "\n" .. out) end
		has("link\tnew\tv0\t02:00:00:00:00:01\t1400\tveth\t-\t-\t-\t-\tup")
		has("addr\tnew\tv0\t-\t-\t-\t10.9.0.1\t24\tglobal\tinet\t-")
		has("addr\tnew\tv0\t-\t-\t-\tfd00::1\t64\tglobal\tinet6\t-")
		has("link\tdel\tv0\t")
		has("closed\tfalse\tnet monitor used after close")
	end,
}
