--- network: interfaces as /etc/luainit/network.lua declares them.
-- Loopback comes up first, always. Every other link is matched against the
-- config entries (first match wins, by name, glob or MAC) and configured
-- statically or by the DHCPv4 client below; links that appear later (hotplug,
-- a veth moved in) are configured when their netlink event arrives. A bad
-- entry (what a valid one is, is netcheck.lua's) is reported with its
-- index, key and the interface it matched, and every other interface is
-- still configured. Nothing here blocks PID 1: netlink requests are quick
-- and synchronous, DHCP runs as one sched task per interface, woken by its
-- socket and by timers.
local net = require "luainit.net"
local event = require "luainit.event"
local fs = require "luainit.fs"
local sys = require "luainit.sys"
local log = require "log"
local glob = require "glob"
local conffile = require "conffile"
local netcheck = require "netcheck"
local sched = require "sched"

local M = {
	online = false,        -- true once an interface is usable (see check_online)
	-- true when services ordered `after` "network-online" need wait no
	-- longer: online, nothing to configure, or online_timeout_ms passed
	settled = false,
	online_timeout_ms = 120000,
	ifaces = {},           -- ifindex -> interface state (see status())
	errors = {},           -- config errors of the last start()
	config_path = "/etc/luainit/network.lua",
}

local now = event.now

---------------------------------------------------------------- config

--- Check a config table, read from file when given. Returns the
-- normalised config (entries that are invalid are kept, marked invalid,
-- so the interfaces they match are left alone rather than caught by a
-- later glob) and a list of error strings, "/etc/luainit/network.lua:
-- interfaces[2] (eth1): key 'adress': unknown key". The checks are
-- netcheck.lua's.
-- validate : (cfg, file?) -> cfg, {string}
function M.validate(cfg, file) return netcheck.validate(cfg, file) end

--- Load and check a config file (Lua returning a table; conffile.load).
-- Every message names the file once: an error the file raised at a line
-- of its own ("path:3: ...", or "...ork/network.lua:3: ..." as Lua cuts a
-- long path) is given as it is, any other gets the path in front, and so
-- does each config error (validate's file). The table may raise as it is
-- read (a metatable's __index or __pairs): that is the file's error too,
-- and start must go on to settle network-online (it waited forever).
-- load : (path) -> cfg, {string} | (nil, string)
function M.load(path)
	-- (an error's traceback, conffile's third value, is left out: load's
	-- message stays the one line it was)
	local cfg, errs = conffile.load(path, M.validate, path)
	return cfg, errs
end

--- Does config entry e match link l ({name, mac})?
-- matches : (entry, link) -> boolean
function M.matches(e, l)
	local m = e.match
	if type(m) == "string" then m = { name = m } end
	if type(m) ~= "table" then return false end
	-- (an entry validate kept as invalid, to shadow later globs, may hold
	-- anything here: it matches nothing rather than raising per link)
	if m.mac and (type(m.mac) ~= "string" or not l.mac or l.mac:lower() ~= m.mac:lower()) then return false end
	if m.name and not glob.match(m.name, l.name or "") then return false end
	return m.name ~= nil or m.mac ~= nil
end

local function find_entry(l)
	for _, e in ipairs(M.config and M.config.interfaces or {}) do
		if M.matches(e, l) then return e end
	end
end

---------------------------------------------------------------- shared state

-- musl and glibc read the first 3 nameserver lines of resolv.conf (their
-- MAXNS) and no more; a DHCP server may offer 8 (DHCP_MAX_DNS)
local MAXNS = 3
-- and musl reads resolv.conf in lines of at most 255 bytes, the newline
-- included, and skips a longer one whole (resolvconf.c: its line[256]):
-- "search ", the names and "\n" within 255 leave 247 bytes to the names
local MAXSEARCH = 255 - #"search " - #"\n"

-- resolv.conf's text, the number of name servers in it, the list of
-- those left out and the search domains left out. The static name
-- servers, every interface's, come before the DHCP ones, so a server's
-- list never pushes the config's out; so do the domains.
local function resolv_text()
	local servers, seen, search, search_left, search_len = {}, {}, {}, {}, -1
	local idx = {}
	for i in pairs(M.ifaces) do idx[#idx + 1] = i end
	table.sort(idx)
	for _, key in ipairs({ "dns", "dhcp_dns" }) do
		for _, i in ipairs(idx) do
			for _, s in ipairs(M.ifaces[i][key] or {}) do
				if not seen[s] then seen[s] = true; servers[#servers + 1] = s end
			end
		end
	end
	for _, key in ipairs({ "domain", "dhcp_domain" }) do
		for _, i in ipairs(idx) do
			for name in (M.ifaces[i][key] or ""):gmatch("%S+") do
				if not seen[name] then
					seen[name] = true
					if search_len + 1 + #name <= MAXSEARCH then
						search[#search + 1] = name
						search_len = search_len + 1 + #name
					else
						search_left[#search_left + 1] = name
					end
				end
			end
		end
	end
	local out = { "# written by luainit (network.lua); changes are overwritten\n" }
	if #search > 0 then out[#out + 1] = "search " .. table.concat(search, " ") .. "\n" end
	for i = 1, math.min(#servers, MAXNS) do out[#out + 1] = "nameserver " .. servers[i] .. "\n" end
	return table.concat(out), math.min(#servers, MAXNS), table.move(servers, MAXNS + 1, #servers, 1, {}), search_left
end

local last_resolv
-- Rewrite resolv.conf (write a temporary file, then rename) when it changes.
local function write_resolv()
	local path = M.config and M.config.resolv_conf
	if not path then return end
	local text, n, left, search_left = resolv_text()
	-- leave a resolv.conf we did not write alone until there is something to say
	if text == last_resolv or (n == 0 and not last_resolv) then return end
	local ok, err = fs.writefile(path, text, { atomic = true, mode = 420 })
	if ok then
		last_resolv = text
		log.info("network: wrote %s (%d nameserver(s))", path, n)
		if #left > 0 then
			log.warn("network: name server(s) %s left out of %s: its readers (musl, glibc) use the first %d",
				table.concat(left, ", "), path, MAXNS)
		end
		if #search_left > 0 then
			log.warn("network: search domain(s) %s left out of %s: musl skips a line longer than 255 bytes",
				table.concat(search_left, ", "), path)
		end
	else
		log.warn("network: %s", err)
	end
end

M._write_resolv = write_resolv -- for tests

-- Services ordered `after` "network-online" need wait no longer (see
-- M.settled): the supervisor looks again when "network-online" wakes.
local function settle()
	M.settled = true
	sched.wake("network-online")
end

-- online: any configured interface other than loopback with an address
-- and, when it should have one, its default route.
local function check_online()
	local on = false
	for _, ifc in pairs(M.ifaces) do
		if ifc.addressed and (not ifc.wants_default or ifc.default_ok) then on = true end
	end
	if on and not M.online then
		M.online = true
		log.info("network: online")
		settle()
	elseif not on and M.online then
		M.online = false
		log.info("network: offline (no interface has an address)")
	end
end

--- Wait until the network is online (see M.online), or timeout_ms has
-- passed (none: for as long as it takes). "network-online" also wakes
-- when the network settles without being online (nothing to configure, a
-- config that did not load, online_timeout_ms passed): that wake is no
-- answer, the wait goes on. A wait without a time that finds the network
-- settled and not online says so in the log, once per wait: nothing but
-- an interface coming up later ends it (a boot.lua step would hang there).
-- wait_online : (timeout_ms?) -> true | (nil, "timeout")
function M.wait_online(timeout_ms)
	local deadline, warned = timeout_ms and now() + timeout_ms, false
	while not M.online do
		local left = deadline and deadline - now()
		if left and left <= 0 then return nil, "timeout" end
		if not deadline and M.settled and not warned then
			warned = true
			log.warn("network: wait_online without a time is waiting on, though the network has settled "
				.. "and is not online; give it a time in ms to go on without the network")
		end
		sched.wait("network-online", left)
	end
	return true
end

---------------------------------------------------------------- DHCPv4 client

local function ignore_exists(ok, err, _, ename)
	if ok or ename == "EEXIST" then return true end
	return nil, err
end

local function rand32() return (string.unpack(">I4", sys.getrandom(4, "insecure"))) end

-- base_ms +- 1 s (RFC 2131 4.1), from the kernel's random pool.
local function jitter(base_ms)
	local r = string.unpack(">I2", sys.getrandom(2, "insecure"))
	return math.max(500, base_ms + (r / 65535) * 2000 - 1000)
end

-- The prefix length of a lease's subnet mask; nil when it has none that
-- an address can take: no mask, a mask whose ones do not all come first
-- (255.0.255.0), or 0.0.0.0 (net.addr_add refuses a /0).
local function prefix_of(mask)
	if not netcheck.is_ipv4(mask) then return nil end
	local m = netcheck.ipv4_int(mask)
	local hosts = ~m & 0xffffffff
	if m == 0 or hosts & (hosts + 1) ~= 0 then return nil end
	local bits = 32
	while hosts > 0 do bits, hosts = bits - 1, hosts >> 1 end
	return bits
end
M._prefix_of = prefix_of -- for tests

-- A server's lease shorter than this many seconds is taken as this long
-- (dhcpcd's DHCP_MIN_LEASE; udhcpc's is 122 s).
local MIN_LEASE = 20

-- The lease, T1 and T2 of an ACK m, in seconds, as the client keeps them
-- with opts o; and the server's lease when MIN_LEASE raised it. RFC 2131
-- sets no floor, but a lease of 0 or 1 s, or a T1 of 0, had the client
-- renew (or start over) as fast as the server answered: thousands of
-- requests, and of log lines, a second. So a T1 or T2 of 0 from the
-- server is no time (the default is used), and none is under 1 s;
-- max_lease, the options' own, still shortens the lease below MIN_LEASE.
-- lease_times : (m, o) -> lease, t1, t2, short?
local function lease_times(m, o)
	local lease, short = m.lease or 3600, nil
	if lease < MIN_LEASE then lease, short = MIN_LEASE, lease end
	if o.max_lease and o.max_lease > 0 and lease > o.max_lease then lease = o.max_lease end
	local function time(opt, server, default)
		local t = opt or (server ~= 0 and server) or default
		return math.max(1, math.min(t, lease))
	end
	local t1 = time(o.t1, m.t1, lease // 2)
	local t2 = time(o.t2, m.t2, lease * 7 // 8)
	if t1 > t2 then t1 = t2 end
	return lease, t1, t2, short
end
M._lease_times = lease_times -- for tests

local PARAMS = { 1, 3, 6, 15, 26, 28, 51, 54, 58, 59 }

local function drop(c, why)
	c.stats.dropped = c.stats.dropped + 1
	c.stats.reasons[why] = (c.stats.reasons[why] or 0) + 1
	log.debug("network: %s: DHCP packet dropped: %s", c.name, why)
end

local function on_readable(c)
	for _ = 1, 32 do
		local data = c.sock:recv()
		if not data then return end
		c.stats.received = c.stats.received + 1
		if not c.xid then drop(c, "no transaction")
		else
			local m, why = net.dhcp_parse(data, c.xid)
			if m and m.chaddr ~= c.mac then m, why = nil, "foreign chaddr" end
			-- an address no interface can hold (0.0.0.0, the broadcast, a
			-- multicast one): the kernel took 0.0.0.0/24 and added nothing
			local bad = m and (m.type == "offer" or m.type == "ack") and netcheck.not_unicast(m.yiaddr)
			if bad then
				if c.warned_yiaddr ~= m.yiaddr then
					c.warned_yiaddr = m.yiaddr
					log.warn("network: %s: DHCP %s of %s from %s ignored: a unicast address expected, not %s",
						c.name, m.type, m.yiaddr, tostring(m.server_id or m.siaddr), bad)
				end
				m, why = nil, "not a unicast address offered"
			end
			if m then
				c.inbox[#c.inbox + 1] = m
				sched.wake(c.key)
			else
				drop(c, why)
			end
		end
	end
end

-- The DHCP client's clock, ms of CLOCK_BOOTTIME: it counts a suspend, as
-- a lease's time runs on at the server while the machine sleeps (the
-- monotonic clock stops: a lease that ran out during a suspend was used,
-- and renewed only later by as long as the machine slept). The loop's
-- timers are monotonic, so a wait goes in pieces of at most LEASE_TICK:
-- after a resume the client sees within one what came due.
local function lease_now() return sys.clock("boottime") * 1000 end
local LEASE_TICK = 60000

local function send(c, msg, dest)
	msg.xid, msg.chaddr = c.xid, c.mac
	msg.secs = math.min(65535, math.floor((lease_now() - c.began) / 1000))
	msg.client_id = "\1" .. c.mac:gsub(":", ""):gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)
	msg.params = PARAMS
	msg.max_size = 1500
	msg.hostname = c.opts.hostname
	local ok, err = c.sock:send(net.dhcp_build(msg), dest)
	if ok then c.stats.sent = c.stats.sent + 1
	else log.debug("network: %s: %s", c.name, err) end
end

-- The next message want() accepts before deadline (lease_now() ms); nil,
-- "timeout" | "stopped" | "kicked" (carrier came back: restart at once).
local function await(c, deadline, want)
	while true do
		while #c.inbox > 0 do
			local m = table.remove(c.inbox, 1)
			if want(m) then return m end
			drop(c, "unexpected " .. m.type)
		end
		if c.stopped then return nil, "stopped" end
		if c.kicked then c.kicked = false; return nil, "kicked" end
		local left = deadline - lease_now()
		if left <= 0 then return nil, "timeout" end
		sched.wait(c.key, math.min(left, LEASE_TICK))
	end
end

local function set_state(c, s)
	if c.state ~= s then log.debug("network: %s: DHCP %s -> %s", c.name, c.state, s) end
	c.state = s
end

-- The link's MTU as a lease says (option 26), or, mtu nil (a lease
-- without one, or none), as it was before the first lease that set one,
-- as systemd-networkd puts it back: the MTU of a network left behind
-- stayed on the link.
local function lease_mtu(c, mtu)
	if mtu == c.mtu_set then return end
	if mtu and not c.mtu_set then
		c.mtu_orig = nil
		for _, l in ipairs(net.links() or {}) do
			if l.index == c.ifc.index then c.mtu_orig = l.mtu end
		end
	end
	local want = mtu or c.mtu_orig
	c.mtu_set = mtu
	if not want then return end
	local ok, err = net.link_set(c.name, { mtu = want })
	if not ok then log.warn("network: %s", err) end
end

-- Remove what the lease put on the interface.
local function unbind(c, why)
	local l = c.lease
	if not l then return end
	c.lease = nil
	lease_mtu(c, nil)
	local ifc = c.ifc
	if l.router then net.route_del({ dst = "default", gateway = l.router, dev = c.name }) end
	local ok, err = net.addr_del(c.name, l.cidr)
	if not ok then log.warn("network: %s", err) end
	log.info("network: %s: DHCP %s, removed %s", c.name, why, l.cidr)
	ifc.addressed, ifc.default_ok, ifc.dhcp_dns, ifc.dhcp_domain = false, false, nil, nil
	ifc.wants_default = #ifc.entry.gateways > 0
	write_resolv()
	check_online()
end

-- Apply an ACK: address, default route, MTU, DNS, and the lease's timers.
local function bind(c, m)
	local o, ifc = c.opts, c.ifc
	local lease, t1, t2, short = lease_times(m, o)
	if short and not (c.lease and c.lease.short == short) then
		log.warn("network: %s: DHCP lease of %d s from %s is shorter than %d s; taken as %d s",
			c.name, short, tostring(m.server_id or m.siaddr), MIN_LEASE, MIN_LEASE)
	end
	local prefix = prefix_of(m.subnet_mask)
	if m.subnet_mask and not prefix then
		log.warn("network: %s: DHCP subnet mask %s from %s is not a mask an address can take; using /24",
			c.name, m.subnet_mask, tostring(m.server_id or m.siaddr))
	end
	local cidr = m.yiaddr .. "/" .. (prefix or 24)
	-- the first router that is one: 0.0.0.0 made the default route one on
	-- the link, without a router; the broadcast or a multicast address
	-- failed the route (each said once while the server offers it)
	local router, bad = nil, {}
	for _, r in ipairs(o.use_routes ~= false and m.routers or {}) do
		local what = netcheck.not_unicast(r)
		if not what then router = r break end
		bad[#bad + 1] = r
		if not (c.bad_routers or {})[r] then
			log.warn("network: %s: DHCP router %s from %s ignored: a unicast router address expected, not %s",
				c.name, r, tostring(m.server_id or m.siaddr), what)
		end
	end
	c.bad_routers = {}
	for _, r in ipairs(bad) do c.bad_routers[r] = true end
	local renewed = c.lease ~= nil
	if c.lease and c.lease.cidr ~= cidr then
		unbind(c, "lease changed") ; renewed = false
	elseif c.lease and c.lease.router ~= router then
		-- the same address through another router (or none): only the
		-- route changes (the address went too, and every connection
		-- over it)
		if c.lease.router then net.route_del({ dst = "default", gateway = c.lease.router, dev = c.name }) end
		ifc.default_ok = false
		log.info("network: %s: DHCP router %s -> %s", c.name, c.lease.router or "none", router or "none")
	end
	local ok, err = net.addr_add(c.name, cidr, { broadcast = true, replace = true })
	if not ok then log.failed("network " .. c.name, err) end
	ifc.addressed = ok and true or false
	ifc.wants_default = router ~= nil or #ifc.entry.gateways > 0
	if router then
		-- appended: another interface's DHCP default route has the same
		-- metric (1024), and an IPv4 replace took that one over (its
		-- interface kept no default route); a renewal's is EEXIST
		local rok, rerr = ignore_exists(net.route_add({ dst = "default", gateway = router, dev = c.name,
			metric = o.metric or ifc.entry.metric or 1024, protocol = "dhcp", append = true }))
		if not rok then log.failed("network " .. c.name, rerr) end
		ifc.default_ok = rok and true or false
	end
	lease_mtu(c, m.mtu and o.use_mtu ~= false and not ifc.entry.mtu and m.mtu >= 68 and m.mtu or nil)
	if o.use_dns ~= false then
		local domain = m.domain
		if domain and not netcheck.is_search(domain) then
			-- a server's bytes, written as the search line: a newline in
			-- them began a line of its own ("nameserver ..." of its choice)
			if c.bad_domain ~= domain then
				log.warn("network: %s: DHCP domain %s from %s is not a list of domain names; "
					.. "left out of resolv.conf", c.name, netcheck.quote(domain), tostring(m.server_id or m.siaddr))
			end
			domain = nil
		end
		c.bad_domain = m.domain ~= domain and m.domain or nil
		ifc.dhcp_dns, ifc.dhcp_domain = m.dns, domain
	end
	local t = lease_now()
	c.lease = { ip = m.yiaddr, cidr = cidr, router = router, server = m.server_id or m.siaddr,
		lease = lease, short = short, t1 = t1, t2 = t2, mtu = m.mtu, dns = m.dns, got = t,
		t1_at = t + t1 * 1000, t2_at = t + t2 * 1000, expire_at = t + lease * 1000 }
	c.stats[renewed and "renewals" or "bindings"] = c.stats[renewed and "renewals" or "bindings"] + 1
	log.info("network: %s: DHCP %s %s from %s (lease %d s, T1 %d s, T2 %d s)", c.name,
		renewed and "renewed" or "bound", cidr, c.lease.server, lease, t1, t2)
	write_resolv()
	check_online()
end

local function is_reply(m) return m.type == "ack" or m.type == "nak" end

-- A NAK's message (option 56) for a log line: quoted, a newline as \n.
-- Written as it came, a server's newline began a console line of its
-- own ("[  OK  ] ..." of its choice).
local function nak_reason(m) return m.message and netcheck.quote(m.message) or "no reason" end

-- One exchange of the bound states: REQUEST (unicast to the server while
-- RENEWING, broadcast while REBINDING) until `until_ms`, retransmitting at
-- half the time left (RFC 2131 4.4.5), at least every 60 s.
local function extend(c, until_ms, dest)
	c.xid = rand32()
	while true do
		local left = until_ms - lease_now()
		if left <= 0 or c.stopped then return nil end
		send(c, { type = "request", ciaddr = c.lease.ip }, dest)
		local wait = math.max(left / 2, math.min(60000, left))
		local m, why = await(c, lease_now() + wait, is_reply)
		if m then return m end
		if why == "stopped" or why == "kicked" then return nil, why end
	end
end

-- The carrier came back while the client holds a lease: the link may be
-- another network now (a cable moved), where the unicast REQUEST of
-- RENEWING reaches no one and the address stayed until T2, hours on. So
-- the lease is confirmed as INIT-REBOOT does (RFC 2131 3.2, 4.4.2;
-- dhcpcd and systemd-networkd do the same): a broadcast REQUEST with the
-- address in option 50, no ciaddr and no server id, which another
-- network's server NAKs. Returns the reply, or nil when none came (the
-- lease is then kept, for the rest of its time, as 3.2 allows).
local function reboot_request(c)
	c.xid = rand32()
	for try = 1, 3 do
		send(c, { type = "request", broadcast = true, requested_ip = c.lease.ip })
		local m, why = await(c, lease_now() + jitter(2000 * try), is_reply)
		if m or why == "stopped" then return m end
	end
end

-- A NAK of the lease held: it is gone, and so is the address the next
-- DISCOVER asks for (option 50: it asked for the NAKed one)
local function nak_lease(c, m)
	c.stats.naks = c.stats.naks + 1
	unbind(c, "NAK (" .. nak_reason(m) .. ")")
	c.last_ip = nil
	set_state(c, "init")
end

local function run(c)
	local attempt = 0
	while not c.stopped do
		if c.state == "init" then
			c.xid, c.began, attempt = rand32(), lease_now(), 0
			local offer
			repeat
				attempt = attempt + 1
				send(c, { type = "discover", broadcast = true, requested_ip = c.last_ip })
				local base = math.min(4000 * 2 ^ math.min(attempt - 1, 10), c.opts.retry_max or 64000)
				local why
				offer, why = await(c, lease_now() + jitter(base), function(m) return m.type == "offer" end)
				if why == "kicked" then attempt = 0 end
			until offer or c.stopped
			if offer then c.offer = offer; set_state(c, "requesting") end
		elseif c.state == "requesting" then
			local o, reply = c.offer, nil
			for try = 1, 4 do
				send(c, { type = "request", broadcast = true, requested_ip = o.yiaddr, server_id = o.server_id })
				reply = await(c, lease_now() + jitter(4000 * try), function(m)
					return is_reply(m) and (not o.server_id or m.server_id == o.server_id)
				end)
				if reply or c.stopped then break end
			end
			if reply and reply.type == "ack" then
				bind(c, reply)
				c.last_ip = reply.yiaddr
				set_state(c, "bound")
			else
				if reply then
					c.stats.naks = c.stats.naks + 1
					log.info("network: %s: DHCP NAK from %s: %s", c.name, tostring(reply.server_id), nak_reason(reply))
					c.last_ip = nil
				end
				set_state(c, "init")
				await(c, lease_now() + jitter(2000), function() return false end)
			end
		elseif c.state == "bound" then
			c.xid = nil
			local _, why = await(c, c.lease.t1_at, function() return false end)
			if not c.stopped then set_state(c, why == "kicked" and "rebooting" or "renewing") end
		elseif c.state == "rebooting" then
			log.info("network: %s: carrier back; confirming %s (DHCP INIT-REBOOT)", c.name, c.lease.ip)
			local m = reboot_request(c)
			if c.stopped then break end
			if m and m.type == "ack" then
				bind(c, m)
				set_state(c, "bound")
			elseif m then
				nak_lease(c, m)
			else
				-- no answer: the lease stands, at the stage its times say
				local t = lease_now()
				set_state(c, t < c.lease.t1_at and "bound" or t < c.lease.t2_at and "renewing" or "rebinding")
			end
		elseif c.state == "renewing" or c.state == "rebinding" then
			local renew = c.state == "renewing"
			if not renew then log.info("network: %s: DHCP rebinding (no answer from %s)", c.name, c.lease.server) end
			local m, why = extend(c, renew and c.lease.t2_at or c.lease.expire_at, renew and c.lease.server or nil)
			if c.stopped then break end
			if why == "kicked" then
				set_state(c, "rebooting")
			elseif m and m.type == "ack" then
				bind(c, m)
				set_state(c, "bound")
			elseif m then
				nak_lease(c, m)
			elseif renew then
				set_state(c, "rebinding")
			else
				unbind(c, "lease expired")
				c.stats.expiries = c.stats.expiries + 1
				set_state(c, "init")
			end
		end
	end
end

local function dhcp_start(ifc)
	local c = { ifc = ifc, name = ifc.name, mac = (ifc.mac or ""):lower(), opts = ifc.entry.dhcp,
		state = "init", inbox = {}, key = "dhcp:" .. ifc.index, began = lease_now(),
		stats = { sent = 0, received = 0, dropped = 0, reasons = {}, bindings = 0, renewals = 0,
			naks = 0, expiries = 0 } }
	local sock, err = net.dhcp_socket(ifc.name)
	if not sock then
		log.failed("network " .. ifc.name, err)
		return nil
	end
	c.sock = sock
	c.watch = assert(event.watch(sock, "r", function() on_readable(c) end))
	ifc.dhcp = c
	-- A mistake in the client (a lease no check foresaw) must not leave
	-- the interface without one, its socket watched for nothing: the
	-- error is logged and the client starts over.
	c.task = sched.spawn(function()
		while not c.stopped do
			local ok, err = xpcall(run, log.traceback, c)
			if ok or c.stopped then break end
			log.err("network: %s: DHCP client: %s; starting over in 10 s", c.name, err)
			c.xid, c.inbox = nil, {}
			set_state(c, "init")
			await(c, lease_now() + 10000, function() return false end)
		end
	end, "dhcp " .. ifc.name)
	return c
end

local function dhcp_stop(c, release)
	if release and c.lease and c.sock then
		c.xid = rand32()
		send(c, { type = "release", ciaddr = c.lease.ip, server_id = c.lease.server }, c.lease.server)
		unbind(c, "released")
	end
	c.stopped = true
	if c.watch then c.watch:close() end
	if c.sock then c.sock:close() end
	sched.wake(c.key)
end

---------------------------------------------------------------- links

local function fail(ifc, err)
	ifc.errors[#ifc.errors + 1] = err
	log.failed("network " .. ifc.name, err)
end

-- Configure link l ({index, name, mac, flags}) by its entry, once.
-- A link the boot configured, on its timeline (luactl analyze).
local function on_timeline(name, t0, ok)
	local stage = package.loaded.stage
	if stage then stage.record("link", name, t0, now(), ok) end
end

local function configure(l)
	if M.ifaces[l.index] or (l.flags and l.flags.loopback) then return end
	local e = find_entry(l)
	if not e then return end
	local t0 = now()
	local function timed(ok) on_timeline(l.name, t0, ok) end
	local ifc = { name = l.name, index = l.index, mac = l.mac, entry = e, errors = {},
		dns = e.dns, domain = e.domain, carrier = l.flags and l.flags.lower_up or false }
	M.ifaces[l.index] = ifc
	if e.invalid then
		ifc.state = "invalid config"
		for _, p in ipairs(e.invalid) do
			fail(ifc, string.format("%s: %s; %s left unconfigured", e.where, p, l.name))
		end
		timed(false)
		return
	end
	local ok, err = net.link_set(l.name, { up = e.up ~= false, mtu = e.mtu })
	if not ok then fail(ifc, err) end
	for _, a in ipairs(e.addresses) do
		ok, err = ignore_exists(net.addr_add(l.name, a, { broadcast = not a:find(":", 1, true) }))
		if ok then ifc.addressed = true else fail(ifc, err) end
	end
	-- appended: another interface's route to the same dst with the same
	-- metric (two gateways, neither with a metric) made this one EEXIST,
	-- taken as there, and the interface was "configured" without it;
	-- EEXIST is now this very route
	for _, r in ipairs(e.routes or {}) do
		ok, err = ignore_exists(net.route_add({ dst = r.dst, gateway = r.gateway, dev = l.name,
			metric = r.metric or e.metric, table = r.table, src = r.src, append = true }))
		if not ok then fail(ifc, err) end
	end
	ifc.wants_default = #e.gateways > 0
	for _, g in ipairs(e.gateways) do
		ok, err = ignore_exists(net.route_add({ dst = "default", gateway = g, dev = l.name, metric = e.metric,
			append = true }))
		if ok then ifc.default_ok = true else fail(ifc, err) end
	end
	local what = {}
	if #e.addresses > 0 then what[#what + 1] = table.concat(e.addresses, " ") end
	if #e.gateways > 0 then what[#what + 1] = "via " .. table.concat(e.gateways, " ") end
	if e.dhcp then what[#what + 1] = "dhcp" end
	ifc.state = #ifc.errors > 0 and "partly configured" or "configured"
	log.info("network: %s: %s (%s)", l.name, ifc.state, #what > 0 and table.concat(what, ", ") or "up")
	write_resolv()
	check_online()
	if e.dhcp then dhcp_start(ifc) end
	timed(#ifc.errors == 0)
end

local function forget(index)
	local ifc = M.ifaces[index]
	if not ifc then return end
	M.ifaces[index] = nil
	if ifc.dhcp then dhcp_stop(ifc.dhcp, false) end
	log.info("network: %s: gone", ifc.name)
	write_resolv()
	check_online()
end

local function scan()
	for _, l in ipairs(net.links() or {}) do configure(l) end
end

local function on_event(e)
	if e.kind == "overrun" then
		log.warn("network: netlink events lost; rescanning links")
		scan()
	elseif e.kind == "link" and e.action == "del" then
		forget(e.index)
	elseif e.kind == "link" then
		local ifc = M.ifaces[e.index]
		if ifc and ifc.name ~= e.name then
			forget(e.index)      -- renamed: the config may now say otherwise
			ifc = nil
		end
		if not ifc then
			configure(e)
		elseif ifc.dhcp then
			-- carrier back: don't wait out the backoff to ask again
			local up = e.flags and e.flags.lower_up or false
			if up and ifc.carrier == false then ifc.dhcp.kicked = true; sched.wake(ifc.dhcp.key) end
			ifc.carrier = up
		end
	end
end

--- Bring up loopback, read the config and configure every present link
-- that matches; keep watching netlink for links that appear later.
-- Returns one line for the boot step, or false and why: the file did not
-- load, or it has errors, each logged as "network config: file: ..."
-- (the interfaces with valid entries are configured regardless).
-- start : (path?) -> string | (false, string)
function M.start(path)
	path = path or M.config_path
	M.started = true
	local t0 = now()
	local ok, err = net.link_set("lo", { up = true })
	local lo = ok and "lo up" or ("lo: " .. tostring(err))
	on_timeline("lo", t0, ok == true)
	if not fs.exists(path) then
		settle()
		return string.format("network: %s; no %s", lo, path)
	end
	local cfg, errs = M.load(path)
	if not cfg then
		settle()
		return false, errs
	end
	if not M.settle_timer then
		-- `after = { "network-online" }` orders, it does not require: as
		-- systemd's network-online.target gives up after its wait, so do we
		M.settle_timer = sched.after(M.online_timeout_ms, function()
			if M.settled then return end
			log.warn("network: not online after %g s; starting the services ordered after network-online",
				M.online_timeout_ms / 1000)
			settle()
		end, "network-online timeout")
	end
	M.config, M.errors = cfg, errs
	for _, e in ipairs(errs) do log.failed("network config", e) end
	if not M.monitor then
		local mon, merr = net.monitor()
		if mon then
			M.monitor = mon
			M.watch = event.watch(mon, "r", function()
				for _, ev in ipairs(mon:recv()) do on_event(ev) end
			end)
		else
			log.failed("network: link events", merr)
		end
		-- last, after the processes and the network filesystems
		require("shutdown").network_down(M.stop)
	end
	scan()
	local names = {}
	for _, ifc in pairs(M.ifaces) do
		names[#names + 1] = ifc.name .. (ifc.entry.dhcp and " (dhcp)" or "")
	end
	table.sort(names)
	local summary = string.format("%s; %s", lo,
		#names > 0 and "configuring " .. table.concat(names, ", ") or "no interface matched yet")
	-- a failure's line is "[FAILED] network: " and the reason (the step's
	-- name in front): the reason says "network: " no second time, and
	-- counts the errors logged above it, each with the file, rather than
	-- say the first again
	if #errs > 0 then return false, string.format("%s; %d config error(s) in %s", summary, #errs, path) end
	return "network: " .. summary
end

--- Release DHCP leases (RELEASE to the server) and stop watching links.
-- stop : () -> string
function M.stop()
	local n = 0
	for _, ifc in pairs(M.ifaces) do
		if ifc.dhcp then
			if ifc.dhcp.lease then n = n + 1 end
			dhcp_stop(ifc.dhcp, true)
			ifc.dhcp = nil
		end
	end
	if M.watch then M.watch:close(); M.watch = nil end
	if M.monitor then M.monitor:close(); M.monitor = nil end
	return string.format("network: released %d DHCP lease(s)", n)
end

--- What the network code did, per interface: state, errors, DHCP lease,
-- timers (seconds left) and packet counters.
-- status : () -> {name = {...}}
function M.status()
	local out, t = {}, lease_now()
	for _, ifc in pairs(M.ifaces) do
		local s = { index = ifc.index, state = ifc.state, config = ifc.entry.label,
			errors = ifc.errors, addressed = ifc.addressed or false }
		local c = ifc.dhcp
		if c then
			s.dhcp = { state = c.state, stats = c.stats }
			if c.lease then
				local l = c.lease
				s.dhcp.lease = { address = l.cidr, server = l.server, router = l.router, dns = l.dns,
					lease = l.lease, renew_in = math.max(0, (l.t1_at - t) // 1000),
					rebind_in = math.max(0, (l.t2_at - t) // 1000),
					expires_in = math.max(0, (l.expire_at - t) // 1000) }
			end
		end
		out[ifc.name] = s
	end
	return out
end

return M
