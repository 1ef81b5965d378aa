-- tests/lua/unitimport_ranges.lua: every value a unit gives a key that
-- unitimport converts to a number (or a signal, or a path) ends as a
-- definition services.check accepts: in range, it is converted; out of
-- range or no such value, it is listed with its line and left out, as
-- systemd ignores the line too. UMask=7777, Nice=30, CPUWeight=20000,
-- TasksMax=0, MemoryMax=0, LimitNOFILE=-1 or 4096:1024, KillSignal=15 and
-- WorkingDirectory=relative were written as they were, and the loader
-- refused the definition.
local ui = require "unitimport"

local T = {}

local function convert(key, value)
	local src, notes, errs = ui.convert("[Service]\nExecStart=/bin/d\n" .. key .. "=" .. value .. "\n",
		{ file = "test.service", readfile = function() return nil end })
	assert(#errs == 0, key .. "=" .. value .. ": " .. table.concat(errs, "; "))
	local ok, verrs = ui.validate(src, "d")
	assert(ok, key .. "=" .. value .. ": not a valid definition: " .. table.concat(verrs or {}, "; ") .. "\n" .. src)
	local def = load(src, "=def", "t", { tonumber = tonumber, math = math })()
	local listed
	for _, n in ipairs(notes) do
		if n.key == key and n.kind == "unsupported" then
			assert(n.line == 3, key .. "=" .. value .. ": listed without its line")
			listed = n.reason
		end
	end
	return def, listed
end

-- key -> { field(def) -> the converted value, good = { value = converted }, bad = { value... } }
local KEYS = {
	UMask = { function(d) return d.umask end,
		good = { ["0022"] = 18, ["022"] = 18, ["0"] = 0, ["0777"] = 511, ["7777"] = 511, ["1077"] = 63,
			["000000000000000000000022"] = 18 },
		bad = { "8", "17777", "-1", "0x12", "", "abc", "00000000000000000000017777" } },
	Nice = { function(d) return d.nice end,
		good = { ["-20"] = -20, ["19"] = 19, ["0"] = 0, ["+5"] = 5, [""] = false },
		bad = { "20", "-21", "30", "1e1", "0x10", "abc", "99999999999999999999", "1.5", "010", "-010" } },
	CPUWeight = { function(d) return d.cgroup and d.cgroup.cpu_weight end,
		good = { ["1"] = 1, ["10000"] = 10000, ["100"] = 100, [""] = false },
		bad = { "0", "10001", "20000", "-1", "idle", "1.5", "1e2", "0100", "0x10" } },
	TasksMax = { function(d) return d.cgroup and d.cgroup.pids_max end,
		good = { ["1"] = 1, ["4194304"] = 4194304, infinity = "max", [""] = false },
		bad = { "0", "4194305", "-3", "10%", "x", "1e3", "010", "0b10" } },
	MemoryMax = { function(d) return d.cgroup and d.cgroup.memory_max end,
		good = { ["1"] = "1", ["512M"] = "512M", ["15E"] = "15E", infinity = "max", [""] = false },
		bad = { "0", "0K", "16E", "99999999999999999999999", "50%", "1.5G", "-1", "1k" } },
	LimitNOFILE = { function(d) local r = d.rlimits and d.rlimits.nofile; return type(r) == "table" and r[1] .. ":" .. r[2] or r end,
		good = { ["0"] = 0, ["1024"] = 1024, ["1024:4096"] = "1024:4096", infinity = "infinity",
			["5:infinity"] = "5:infinity", ["9223372036854775807"] = math.maxinteger },
		bad = { "-1", "4096:1024", "infinity:5", "9223372036854775808", "1e3", "0x10", "1K", "", "1:2:3",
			"010", "1024:04096", "0o10" } },
	LimitNICE = { function(d) return d.rlimits and d.rlimits.nice end,
		good = { ["0"] = 0, ["40"] = 40, ["+19"] = 1, ["-20"] = 40, ["+0"] = 20, ["-5"] = 25 },
		bad = { "41", "+20", "-21", "nice", "+05", "010" } },
	KillSignal = { function(d) return d.stop_signal end,
		good = { SIGTERM = "TERM", TERM = "TERM", ["15"] = "TERM", ["9"] = "KILL", sigint = "INT" },
		bad = { "SIGRTMIN+3", "", "FOO", "0", "64", "-15", "015", "0xf" } },
	-- an unsigned int to systemd; crash_limit's N, no limit for 0
	StartLimitBurst = { function(d) return d.crash_limit and d.crash_limit[1] end,
		good = { ["1"] = 1, ["5"] = 5, ["4294967295"] = 4294967295, ["0"] = false },
		bad = { "1e1", "0x10", "010", "0b101", "1.5", "-1", "+5", "4294967296", "", "x" } },
	WorkingDirectory = { function(d) return d.cwd end,
		good = { ["/x"] = "/x", ["-/x"] = "/x", [""] = false },
		bad = { "relative", "-relative", "~" } },
}

for key, t in pairs(KEYS) do
	T[key .. "= in range is converted, out of range listed and left out"] = function()
		for v, want in pairs(t.good) do
			local def, listed = convert(key, v)
			assert(not listed, key .. "=" .. v .. ": listed: " .. tostring(listed))
			local got = t[1](def)
			assert(got == (want or nil), key .. "=" .. v .. ": " .. tostring(got))
		end
		for _, v in ipairs(t.bad) do
			local def, listed = convert(key, v)
			assert(listed, key .. "=" .. v .. ": not listed")
			assert(t[1](def) == nil, key .. "=" .. v .. ": converted all the same")
		end
	end
end

-- the ranges are named in the message
T["the message names the range"] = function()
	local _, why = convert("Nice", "30")
	assert(why == "not an integer from -20 to 19", why)
	_, why = convert("UMask", "17777")
	assert(why == "not an octal mask from 0000 to 07777", why)
	_, why = convert("CPUWeight", "0")
	assert(why == "only an integer from 1 to 10000 (no idle)", why)
	_, why = convert("TasksMax", "0")
	assert(why == "only an integer from 1 to 4194304 or infinity (no percentage)", why)
	_, why = convert("LimitNOFILE", "4096:1024")
	assert(why == "a soft limit above the hard limit", why)
	_, why = convert("LimitNICE", "41")
	assert(why:find("from 0 to 40, +19 to -20", 1, true), why)
	-- 1e1 and 0x10 were tonumber's 10 and 16 in StartLimitBurst=
	_, why = convert("StartLimitBurst", "1e1")
	assert(why == "not an integer from 0 to 4294967295", why)
	-- systemd reads 010 as 8 (strtoul, base 0): refused, saying why,
	-- rather than read as 10
	local BASE = ", in plain decimal (systemd reads 0x, 0o, 0b and a leading 0 as another base: "
		.. "write the number it means)"
	_, why = convert("StartLimitBurst", "0x10")
	assert(why == "not an integer from 0 to 4294967295" .. BASE, why)
	_, why = convert("Nice", "010")
	assert(why == "not an integer from -20 to 19" .. BASE, why)
	_, why = convert("LimitNOFILE", "1024:04096")
	assert(why:find(BASE, 1, true), why)
	-- UMask= above 0777: umask(2) keeps the permission bits, as under systemd
	local src, notes = ui.convert("[Service]\nExecStart=/bin/d\nUMask=7777\n", { file = "t.service" })
	assert(src:find('\tumask = tonumber("0777", 8),', 1, true), src)
	assert(notes[1].kind == "note" and notes[1].reason == "umask(2) keeps only the permission bits: 0777, as under systemd")
end

-- every key given every value of the others: the definition is valid
-- whatever the unit says
T["any value of any of these keys gives a valid definition"] = function()
	local pool = { "", "0", "1", "-1", "+5", "19", "30", "100", "7777", "20000", "4194305", "1e3", "0x10", "1.5",
		"infinity", "-infinity", "50%", "1K", "16E", "1:2", "2:1", "infinity:1", "/abs", "rel", "~", "SIGTERM", "15",
		"99999999999999999999", "9223372036854775808", "1min 30s", "abc", "'q", '"', "idle", "-20", "-21" }
	local keys = { "RestartSec", "TimeoutSec", "TimeoutStartSec", "TimeoutStopSec", "WatchdogSec",
		"StartLimitBurst", "StartLimitIntervalSec", "RestartSteps", "RestartMaxDelaySec", "OOMScoreAdjust",
		"LimitCPU", "LimitCORE", "LimitNPROC", "LimitMEMLOCK", "LimitRTPRIO", "MemoryLimit", "TTYPath" }
	for k in pairs(KEYS) do keys[#keys + 1] = k end
	for _, k in ipairs(keys) do
		for _, v in ipairs(pool) do convert(k, v) end
	end
end

return T
