-- tests/lua/ids.lua: the uid and gid rule services.check and devices.rule
-- share (they checked the range each in its own copy, and only a service's
-- groups took 1e3).
local ids = require "ids"

local T = {}

T["id: an integer or an integral float from 0 to 4294967294, as an integer"] = function()
	for _, v in ipairs({ 0, 1000, 4294967294, 0.0, -0.0, 1e3, 1000.0, 4294967294.0, 2^31 }) do
		local i = ids.id(v)
		assert(math.type(i) == "integer" and i == v, tostring(v) .. " -> " .. tostring(i))
	end
	for _, v in ipairs({ -1, -1.0, 4294967295, 4294967295.0, 2^32, 1000.5, 0.5, math.huge, -math.huge, 0 / 0,
		"1000", "root", true, {} }) do
		assert(ids.id(v) == nil, tostring(v) .. " taken")
	end
	assert(ids.expected == "an integer from 0 to 4294967294")
end

-- both callers follow it, and keep the integer
T["services.check and devices.rule take the same ids"] = function()
	local services, devices = require "services", require "devices"
	local saved = devices.rules
	devices.rules = {}
	local ok, err = pcall(function()
		for _, v in ipairs({ 0, 1e3, 4294967294.0 }) do
			local svc = assert(services.check("x", { command = { "/bin/true" }, user = v, group = v, groups = { v } }, "x.lua"))
			devices.rule({ name = "luainit-test-none", owner = v, group = v })
			local r = devices.rules[#devices.rules]
			for _, got in ipairs({ svc.user, svc.group, svc.groups[1], r.owner, r.group }) do
				assert(math.type(got) == "integer" and got == v, tostring(v) .. " kept as " .. tostring(got))
			end
		end
		for _, v in ipairs({ -1, 1000.5, 4294967295.0 }) do
			local svc, errs = services.check("x", { command = { "/bin/true" }, user = v }, "x.lua")
			assert(svc == nil and errs[1]:find("field 'user': expected a user name or uid (" .. ids.expected .. "), got", 1, true),
				tostring(v) .. ": " .. tostring(errs and errs[1]))
			local rok, rerr = pcall(devices.rule, { owner = v })
			assert(not rok and rerr:find("field 'owner': expected a uid, " .. ids.expected .. ", got", 1, true), tostring(rerr))
		end
	end)
	devices.rules = saved
	assert(ok, err)
end

return T
