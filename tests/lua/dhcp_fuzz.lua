-- A short deterministic fuzz run of the DHCP parser (netconf/dhcp.c through
-- net.dhcp_parse): 20000 mutated packets must each give a table or a
-- reason, never a crash. The long run is `make fuzz` (tests/fuzz/).
local net = require "luainit.net"

local SEEDS = {
	net.dhcp_build({ op = "reply", type = "offer", xid = 42, broadcast = true, yiaddr = "10.0.2.15",
		chaddr = "52:54:00:12:34:56", server_id = "10.0.2.2", subnet_mask = "255.255.255.0",
		lease = 86400, t1 = 600, t2 = 900, mtu = 1400, routers = { "10.0.2.2" },
		dns = { "10.0.2.3", "1.1.1.1" }, domain = "example.test", hostname = "h", message = "m" }),
	net.dhcp_build({ op = "reply", type = "ack", xid = 42, chaddr = "52:54:00:12:34:56" }),
	net.dhcp_build({ type = "request", xid = 42, params = { 1, 3, 6 }, client_id = "\1abcdef" }),
}

local function mutate(p)
	local r = math.random
	local kind = r(6)
	if kind == 1 then             -- flip bytes, mostly in the options area
		local t = { p:byte(1, -1) }
		for _ = 1, r(8) do
			local i = r(#t) > 240 and r(240, #t) or r(#t)
			t[i] = r(0, 255)
		end
		return string.char(table.unpack(t))
	elseif kind == 2 then         -- truncate
		return p:sub(1, r(0, #p))
	elseif kind == 3 then         -- random option soup after the cookie
		local t = {}
		for i = 1, r(0, 400) do t[i] = string.char(r(0, 255)) end
		return p:sub(1, 240) .. table.concat(t)
	elseif kind == 4 then         -- a valid-looking option with a lying length
		local code, len = r(0, 255), r(0, 255)
		return p:sub(1, 240) .. string.char(53, 1, 2, code, len) .. string.rep("\7", r(0, 300))
	elseif kind == 5 then         -- overload into sname/file with garbage there
		local t = { p:byte(1, 240) }
		for i = 45, 236 do t[i] = r(0, 255) end
		return string.char(table.unpack(t)) .. string.char(53, 1, 5, 52, 1, r(0, 3), 255)
	else                          -- oversized or random whole packets
		local t = {}
		for i = 1, r(0, 1600) do t[i] = string.char(r(0, 255)) end
		return table.concat(t)
	end
end

return {
	["20000 mutated packets: no crash, every drop has a reason"] = function()
		math.randomseed(20240601)
		local ok, dropped, reasons = 0, 0, {}
		for i = 1, 20000 do
			local p = mutate(SEEDS[i % #SEEDS + 1])
			local m, why = net.dhcp_parse(p, i % 2 == 0 and 42 or nil)
			if m then
				assert(type(m.type) == "string" and type(m.xid) == "number")
				ok = ok + 1
			else
				assert(type(why) == "string" and #why > 0)
				dropped = dropped + 1
				reasons[why] = true
			end
		end
		assert(ok > 100 and dropped > 1000, string.format("ok %d dropped %d", ok, dropped))
		assert(reasons["truncated option"] and reasons["bad magic cookie"] and reasons["wrong xid"])
	end,
}
