--- netcheck: what a valid /etc/luainit/network.lua is. The keys an
-- interface entry takes, the addresses and routes it writes (as
-- inet_pton(3) and luainit.net read them) and the messages that say what
-- was expected; validate turns a config into the checked, normalised one
-- network.lua applies. Nothing here touches the system: a bad entry is
-- found here, with its index and key, not half-way through configuring
-- its interface.
local glob = require "glob"
local integer = require "integer"

local M = {}

local TOP_KEYS = { interfaces = "table", resolv_conf = "string|false" }
local IF_KEYS = { match = true, dhcp = true, address = true, gateway = true, dns = true,
	domain = true, mtu = true, routes = true, metric = true, up = true }
local DHCP_KEYS = { hostname = "string", metric = "integer", t1 = "integer", t2 = "integer",
	max_lease = "integer", retry_max = "integer", use_dns = "boolean", use_routes = "boolean",
	use_mtu = "boolean" }
local ROUTE_KEYS = { dst = true, gateway = true, metric = true, table = true, src = true }
-- a route's priority, 32 bits in the kernel: the interface's metric and the
-- DHCP metric are those of the routes they make
local METRIC = "integer 0-4294967295 expected (a route metric; lower is preferred)"

--- An address as inet_pton(3) reads it, which luainit.net parses it with:
-- anything else passed here and raised inside configure, after part of
-- the interface was set up. IPv4 is four decimal octets, without leading
-- zeros (010.0.0.1, octal to inet_aton, is no address to inet_pton).
-- is_ipv4 : (s) -> boolean
local function is_ipv4(s)
	if type(s) ~= "string" then return false end
	local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
	if not a then return false end
	for _, x in ipairs({ a, b, c, d }) do
		if #x > 3 or (#x > 1 and x:sub(1, 1) == "0") or tonumber(x) > 255 then return false end
	end
	return true
end

--- An IPv4 address (one is_ipv4 took) as a 32-bit integer.
-- ipv4_int : (s) -> integer
local function ipv4_int(s)
	local n = 0
	for x in s:gmatch("%d+") do n = n << 8 | tonumber(x) end
	return n
end

-- The number of colon-separated groups of 1-4 hex digits in s, or nil.
local function ipv6_groups(s)
	if s == "" then return 0 end
	local n = 0
	for g in (s .. ":"):gmatch("([^:]*):") do
		if not g:match("^%x%x?%x?%x?$") then return nil end
		n = n + 1
	end
	return n
end

-- IPv6: eight groups, or fewer around one "::" (which stands for at least
-- one), the last two of which may be written as an IPv4 address.
local function is_ipv6(s)
	if type(s) ~= "string" or #s > 45 then return false end
	local head, v4 = s:match("^(.*:)(%d+%.%d+%.%d+%.%d+)$")
	if v4 then
		if not is_ipv4(v4) then return false end
		s = head .. "0:0"
	end
	local a, b = s:match("^(.-)::(.*)$")
	if not a then return ipv6_groups(s) == 8 end
	local na, nb = ipv6_groups(a), ipv6_groups(b)
	return na ~= nil and nb ~= nil and na + nb <= 7
end

local function family(s) return is_ipv4(s) and "IPv4" or is_ipv6(s) and "IPv6" or nil end

local function is_ip(s) return is_ipv4(s) or is_ipv6(s) end

-- What is wrong with v where an address alone goes (a gateway, a route's
-- src, a DNS server), or nil. An address with a prefix length, one that
-- could be none too ("/33", "/0x18"), gets its own message: "10.0.0.1/24"
-- is no gateway, and the binding refuses it (it took the address and
-- dropped the "/24").
local function ip_problem(v)
	if is_ip(v) then return nil end
	if type(v) == "string" and is_ip(v:match("^([^/]*)/")) then
		return "IP address without a prefix length expected"
	end
	return "IP address expected"
end

-- What an address v (one is_ip took) is when it is no unicast one, or
-- nil: the unspecified address (0.0.0.0, ::), IPv4's limited broadcast
-- or a multicast address (224.0.0.0/4, ff00::/8). None of them is a
-- router: the kernel refused such a gateway at configure time, after part
-- of the interface was set up, but 0.0.0.0, which it took as no gateway
-- (a default route on the link). As an interface's address it refused ::
-- and an IPv6 multicast one the same way, added nothing for 0.0.0.0 and
-- took the others, which no packet is sent to.
local function not_unicast(v)
	if is_ipv4(v) then
		local n = ipv4_int(v)
		if n == 0 then return "the unspecified address" end
		if n == 0xffffffff then return "the broadcast address" end
		if n >> 28 == 0xe then return "a multicast address" end
		return nil
	end
	if not v:find("[1-9a-fA-F]") then return "the unspecified address" end   -- (only zeros: ::, 0::0)
	if v:lower():match("^ff%x%x:") then return "a multicast address" end
	return nil
end

-- What is wrong with v as a gateway, or nil.
local function gateway_problem(v)
	local p = ip_problem(v)
	if p then return p end
	local what = not_unicast(v)
	return what and "a unicast router address expected, not " .. what or nil
end

-- s as an address with its prefix length: the address's family and the
-- prefix length, or nil, what is wrong and its kind: "shape" when s is
-- no address/prefix at all, "len" when the address is fine and its
-- prefix length is not. A prefix length is decimal digits up to the
-- address's bits, and is named with its range as luainit.net names it
-- ("prefix length 33 out of range 0..32").
-- parse_cidr : (s) -> "IPv4"|"IPv6", integer | (nil, string, "shape"|"len")
local function parse_cidr(s)
	local ip, len = nil, nil
	if type(s) == "string" then ip, len = s:match("^([^/]*)/(.*)$") end
	local fam = ip and family(ip)
	if not fam then return nil, "address/prefix expected", "shape" end
	local bits = fam == "IPv4" and 32 or 128
	if not len:match("^%d+$") then
		return nil, string.format("decimal prefix length 0..%d expected, got '%s'", bits, len), "len"
	end
	local n = tonumber(len)
	if n > bits then return nil, string.format("prefix length %s out of range 0..%d", len, bits), "len" end
	return fam, n
end

-- The network of an IPv4 ip/len, when ip has bits set past the prefix:
-- the kernel refuses 10.1.2.3/16 as a route's dst ("Invalid prefix for
-- given prefix length"), after part of the interface was set up. (An IPv6
-- dst the kernel takes and keeps as its network: fd00::1/64 is fd00::/64.)
-- Else nil.
local function host_bits(ip, len)
	local n = ipv4_int(ip)
	local net = n & (0xffffffff << (32 - len)) & 0xffffffff
	if net == n then return nil end
	return string.format("%d.%d.%d.%d", net >> 24, net >> 16 & 0xff, net >> 8 & 0xff, net & 0xff)
end

--- Is s what resolv.conf's search line takes: domain names (letters,
-- digits, '-', '_' and dots), blanks between them? A newline would begin
-- a line of its own: "example.org\nnameserver 192.0.2.66", from a config
-- or a DHCP server's option 15, was a name server.
-- is_search : (s) -> boolean
local function is_search(s)
	return type(s) == "string" and #s <= 255 and s:match("^ *[%w%-_.][%w%-_. ]*$") ~= nil
end

--- s quoted for a one-line message: %q, with a newline as \n (%q keeps
-- it, after a backslash).
-- quote : (s) -> string
local function quote(s)
	-- (and the bytes 0x80-0x9f as \ddd: %q leaves them, and 0x9b is a
	-- console's CSI where it is not in UTF-8 mode)
	return (string.format("%q", s):gsub("\\\n", "\\n"):gsub("[\128-\159]", function(c)
		return "\\" .. c:byte()
	end))
end

local function is_mac(s)
	return type(s) == "string" and s:lower():match("^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$") ~= nil
end

local function list(v) if type(v) == "table" then return v end return { v } end

-- A table with keys other than 1..n, or a hole among them: ipairs would
-- skip what is past it without a word (routes = { dst = ... } is one
-- route, not a list of them).
local function has_other_keys(t)
	local n, count = #t, 0
	for k in pairs(t) do
		if math.type(k) ~= "integer" or k < 1 or k > n then return true end
		count = count + 1
	end
	return count ~= n   -- a hole: ipairs would stop at it
end

local function label_of(match)
	if type(match) == "string" then return match end
	if type(match) == "table" then return match.name or (match.mac and "mac " .. match.mac) or "?" end
	return "?"
end

-- Check one interface entry; returns a list of "key 'k': problem" strings.
local function check_entry(e)
	local errs = {}
	local function bad(key, what) errs[#errs + 1] = string.format("key '%s': %s", key, what) end
	if type(e) ~= "table" then return { "entry: table expected" } end
	for k in pairs(e) do
		if not IF_KEYS[k] then bad(tostring(k), "unknown key") end
	end
	local m = e.match
	-- a glob is checked here, where its entry can be named, not when a
	-- link is matched against it
	local function check_glob(key, g)
		local ok, why = glob.check(g)
		if not ok then bad(key, why) end
	end
	if type(m) == "string" then
		if m == "" then bad("match", "empty name") else check_glob("match", m) end
	elseif type(m) == "table" then
		for k, v in pairs(m) do
			if k == "name" then
				if type(v) ~= "string" then bad("match.name", "string expected") else check_glob("match.name", v) end
			elseif k == "mac" then
				if not is_mac(v) then bad("match.mac", "\"aa:bb:cc:dd:ee:ff\" expected") end
			else bad("match." .. tostring(k), "unknown key (name or mac)") end
		end
		if not m.name and not m.mac then bad("match", "name or mac expected") end
	else
		bad("match", "name, glob or {mac = ...} expected")
	end
	if e.dhcp ~= nil and type(e.dhcp) ~= "boolean" then
		if type(e.dhcp) ~= "table" then bad("dhcp", "true or an options table expected")
		else
			for k, v in pairs(e.dhcp) do
				local want = DHCP_KEYS[k]
				if not want then bad("dhcp." .. tostring(k), "unknown key")
				elseif k == "metric" and not integer.of(v, 0, 0xffffffff) then
					bad("dhcp." .. k, METRIC)
				elseif (k == "t1" or k == "t2") and not integer.of(v, 1) then
					-- (0 renewed as fast as the server answered)
					bad("dhcp." .. k, "integer >= 1 expected (seconds)")
				elseif want == "integer" and not integer.of(v, 0) then
					bad("dhcp." .. k, "integer >= 0 expected")
				elseif want ~= "integer" and type(v) ~= want then bad("dhcp." .. k, want .. " expected")
				elseif k == "hostname" and (#v == 0 or #v > 63 or v:find("[%z%s]")) then
					-- (dhcp_build refused it at every request: a client
					-- starting over every 10 s, the file never named)
					bad("dhcp.hostname", "a name of 1 to 63 bytes without blanks or NUL expected, got " .. quote(v))
				end
			end
		end
	end
	if type(e.address) == "table" and has_other_keys(e.address) then
		bad("address", "a list expected (address/prefix strings in a table with keys 1..n)")
	elseif e.address ~= nil then
		for _, a in ipairs(list(e.address)) do
			local fam, v = parse_cidr(a)   -- v: the prefix length, or what is wrong
			local what = fam and not_unicast(a:match("^[^/]*"))
			if not fam then bad("address", string.format("'%s': %s", tostring(a), v))
			elseif what then bad("address", string.format("'%s': a unicast address expected, not %s", a, what))
			elseif v == 0 then
				-- net.addr_add refuses it: libnl sends no prefix length of 0
				bad("address", string.format("'%s': a prefix length of 1 or more expected", a))
			end
		end
	end
	if type(e.gateway) == "table" and has_other_keys(e.gateway) then
		bad("gateway", "a list expected (IP address strings in a table with keys 1..n)")
	elseif e.gateway ~= nil then
		for _, g in ipairs(list(e.gateway)) do
			local p = gateway_problem(g)
			if p then bad("gateway", string.format("'%s': %s", tostring(g), p)) end
		end
	end
	if type(e.dns) == "table" and has_other_keys(e.dns) then
		bad("dns", "a list expected (IP address strings in a table with keys 1..n)")
	elseif e.dns ~= nil then
		for _, d in ipairs(list(e.dns)) do
			local p = ip_problem(d)
			if p then bad("dns", string.format("'%s': %s", tostring(d), p)) end
		end
	end
	if e.domain ~= nil and not is_search(e.domain) then
		bad("domain", "domain names expected (letters, digits, '-', '_' and '.', blanks between names, at most 255 bytes)"
			.. (type(e.domain) == "string" and ", got " .. quote(e.domain) or ""))
	end
	-- an integer field takes an integral float (1500.0, 1e3) as service
	-- definitions do (lua/integer.lua); validate keeps the integer
	if e.mtu ~= nil and not integer.of(e.mtu, 68, 65535) then
		bad("mtu", "integer 68-65535 expected")
	end
	if e.metric ~= nil and not integer.of(e.metric, 0, 0xffffffff) then bad("metric", METRIC) end
	if e.up ~= nil and type(e.up) ~= "boolean" then bad("up", "boolean expected")
	elseif e.up == false and e.dhcp then
		-- (the client asked on a link that is down, for ever)
		bad("up", "true expected with dhcp: DHCP needs the link up")
	end
	if e.routes ~= nil then
		if type(e.routes) ~= "table" then bad("routes", "list of {dst, gateway?, metric?} expected")
		elseif has_other_keys(e.routes) then
			bad("routes", "list of {dst, gateway?, metric?} expected (one route is a list of one: routes = { { dst = ... } })")
		else
			for i, r in ipairs(e.routes) do
				local k = string.format("routes[%d]", i)
				if type(r) ~= "table" then bad(k, "table expected")
				else
					for rk in pairs(r) do
						if not ROUTE_KEYS[rk] then bad(k .. "." .. tostring(rk), "unknown key") end
					end
					-- one family for dst, gateway and src, as net.route_add
					-- reads them (the first given of dst, gateway, src sets
					-- it): an address of the other raised inside configure
					local fam, by = nil, nil
					if r.dst ~= "default" then
						local dfam, len, kind = parse_cidr(r.dst)   -- len: what is wrong, when no dfam
						local net = dfam == "IPv4" and host_bits(r.dst:match("^[^/]*"), len)
						if net then
							bad(k .. ".dst", string.format("'%s': a network expected, with no bits set past its "
								.. "prefix (%s/%d?)", r.dst, net, len))
						end
						if dfam then fam, by = dfam, "dst"
						elseif kind == "shape" then bad(k .. ".dst", "\"default\" or address/prefix expected")
						else bad(k .. ".dst", string.format("'%s': %s", r.dst, len)) end
					end
					for _, f in ipairs({ "gateway", "src" }) do
						local v = r[f]
						if v ~= nil then   -- (left out: nothing to check)
							local p = (f == "gateway" and gateway_problem or ip_problem)(v)
							if p then bad(k .. "." .. f, type(v) == "string" and string.format("%s, got '%s'", p, v) or p)
							elseif fam and family(v) ~= fam then
								bad(k .. "." .. f, string.format("%s address expected (the route's %s is %s)", fam, by, fam))
							elseif not fam then fam, by = family(v), f end
						end
					end
					-- a route's metric and table id are 32 bits; net.route_add
					-- raises for any other value, deep in configure and past
					-- this entry's name (it wrapped: -1 was metric 4294967295)
					if r.metric ~= nil and not integer.of(r.metric, 0, 0xffffffff) then bad(k .. ".metric", METRIC) end
					if r.table ~= nil and not integer.of(r.table, 0, 0xffffffff) then
						bad(k .. ".table", "integer 0-4294967295 expected (a route table id; 254 is main)")
					end
				end
			end
		end
	end
	return errs
end

-- A checked entry's copy with its integer fields as integers (1500.0 is
-- 1500), as a checked service holds them, so luainit.net and the DHCP
-- client's timers get the integer that was meant. The dhcp options and
-- the routes are copied, the caller's tables left as they were.
local function normalised(e, entry)
	for k, v in pairs(e) do entry[k] = v end
	entry.mtu, entry.metric = integer.of(e.mtu), integer.of(e.metric)
	entry.addresses = e.address and list(e.address) or {}
	entry.gateways = e.gateway and list(e.gateway) or {}
	entry.dns = e.dns and list(e.dns) or {}
	if e.dhcp == true then entry.dhcp = {}
	elseif type(e.dhcp) == "table" then
		entry.dhcp = {}
		for k, v in pairs(e.dhcp) do
			if DHCP_KEYS[k] == "integer" then v = integer.of(v) end
			entry.dhcp[k] = v
		end
	end
	if e.routes then
		entry.routes = {}
		for i, r in ipairs(e.routes) do
			entry.routes[i] = { dst = r.dst, gateway = r.gateway, src = r.src,
				metric = integer.of(r.metric), table = integer.of(r.table) }
		end
	end
	return entry
end

--- Check a config table, read from file when given. Returns the
-- normalised config (entries that are invalid are kept, marked invalid,
-- so the interfaces they match are left alone rather than caught by a
-- later glob) and a list of error strings that name the file, as a
-- service definition's do, the entry and its key:
-- "/etc/luainit/network.lua: interfaces[2] (eth1): key 'adress': unknown
-- key" (without a file, "interfaces[2] (eth1): ..." and "network config:
-- key ..."). A bad entry's where is that name ("file: interfaces[2]
-- (eth1)"), for the messages of the link it matches.
-- validate : (cfg, file?) -> cfg, {string}
function M.validate(cfg, file)
	local errs, out = {}, { interfaces = {}, resolv_conf = "/etc/resolv.conf" }
	local top, at = file or "network config", file and file .. ": " or ""
	if type(cfg) ~= "table" then
		return out, { file and string.format("%s: the file must return a table, got %s", file, type(cfg))
			or "network config: table expected, got " .. type(cfg) }
	end
	for k, v in pairs(cfg) do
		local want = TOP_KEYS[k]
		if not want then errs[#errs + 1] = string.format("%s: key '%s': unknown key", top, tostring(k))
		elseif not want:find(type(v), 1, true) and not (v == false and want:find("false", 1, true)) then
			errs[#errs + 1] = string.format("%s: key '%s': %s expected", top, k, want)
		end
	end
	local rc = cfg.resolv_conf
	if type(rc) == "string" and (rc:sub(1, 1) ~= "/" or rc:find("\0", 1, true)) then
		-- (written later at every lease: a relative path landed in PID 1's
		-- working directory, a NUL raised out of the network's start)
		errs[#errs + 1] = string.format("%s: key 'resolv_conf': an absolute path expected, got %s; "
			.. "no resolv.conf is written", top, quote(rc))
		out.resolv_conf = false
	elseif type(rc) == "string" or rc == false then
		out.resolv_conf = rc
	end
	if type(cfg.interfaces) == "table" and has_other_keys(cfg.interfaces) then
		-- (one entry written without its list, interfaces = { match = ... },
		-- configured nothing without a word; so did every entry past a hole)
		errs[#errs + 1] = string.format("%s: key 'interfaces': a list of entries expected (a table with keys 1..n; "
			.. "one interface is a list of one: interfaces = { { match = ... } })", top)
	end
	for i, e in ipairs(type(cfg.interfaces) == "table" and cfg.interfaces or {}) do
		local label = label_of(type(e) == "table" and e.match)
		local problems = check_entry(e)
		local entry = { index = i, label = label, match = type(e) == "table" and e.match or nil }
		if #problems > 0 then
			entry.invalid = {}
			entry.where = string.format("%sinterfaces[%d] (%s)", at, i, label)
			for _, p in ipairs(problems) do
				errs[#errs + 1] = entry.where .. ": " .. p
				entry.invalid[#entry.invalid + 1] = p
			end
		else
			normalised(e, entry)
		end
		out.interfaces[#out.interfaces + 1] = entry
	end
	return out, errs
end

-- network.lua's DHCP client reads a lease's subnet mask and domain with them
M.is_ipv4, M.ipv4_int, M.is_search, M.quote, M.not_unicast = is_ipv4, ipv4_int, is_search, quote, not_unicast

return M
