-- tests/lua/integer.lua: the one rule of every integer field of a
-- definition (a service's umask, nice and ready_fd refused 18.0, 5.0 and
-- 3.0 that its user, groups and cgroup took; a device rule's mode refused
-- 432.0 that its owner took).
local integer = require "integer"

local T = {}

T["of: an integer or an integral float in range, as an integer; nil for anything else"] = function()
	for _, c in ipairs({ { 0 }, { 18.0 }, { -0.0 }, { 1e3 }, { 4 * 2^20 }, { -20.0, -20, 19 }, { 19, -20, 19 },
		{ 255.0, 3, 255 }, { 2^53 }, { math.mininteger }, { -5, nil, 0 }, { 7, 7 } }) do
		local v, min, max = c[1], c[2], c[3]
		local i = integer.of(v, min, max)
		assert(math.type(i) == "integer" and i == v, tostring(v) .. " -> " .. tostring(i))
	end
	for _, c in ipairs({ { 1.5 }, { 0.5 }, { -0.5 }, { math.huge }, { -math.huge }, { 0 / 0 }, { 2^63 },
		{ "1000" }, { "0x10" }, { " 5 " }, { true }, { {} }, { nil }, { -21, -20, 19 }, { 20.0, -20, 19 },
		{ 2, 3, 255 }, { 256.0, 3, 255 }, { 6, 7 }, { 1, nil, 0 } }) do
		assert(integer.of(c[1], c[2], c[3]) == nil, tostring(c[1]) .. " taken")
	end
end

T["id: a uid or gid: an integer or an integral float from 0 to 4294967294, as an integer"] = function()
	for _, v in ipairs({ 0, 1000, 4294967294, 0.0, -0.0, 1e3, 1000.0, 4294967294.0, 2^31 }) do
		local i = integer.id(v)
		assert(math.type(i) == "integer" and i == v, tostring(v) .. " -> " .. tostring(i))
	end
	for _, v in ipairs({ -1, -1.0, 4294967295, 4294967295.0, 2^32, 1000.5, 0.5, math.huge, -math.huge, 0 / 0,
		"1000", "root", true, {} }) do
		assert(integer.id(v) == nil, tostring(v) .. " taken")
	end
	assert(integer.id_expected == "an integer from 0 to 4294967294")
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
			assert(svc == nil and errs[1]:find("field 'user': expected a user name or uid (" .. integer.id_expected .. "), got", 1, true),
				tostring(v) .. ": " .. tostring(errs and errs[1]))
			local rok, rerr = pcall(devices.rule, { owner = v })
			assert(not rok and rerr:find("field 'owner': expected a uid, " .. integer.id_expected .. ", got", 1, true), tostring(rerr))
		end
	end)
	devices.rules = saved
	assert(ok, err)
end

return T
