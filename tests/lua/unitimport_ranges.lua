-- tests/lua/unitimport_ranges.lua: every value a unit gives a key that
-- unitimport converts to a number (or a signal, or a path) ends as a
-- definition services.check accepts: in range, it is converted; out of
-- range or no such value, it is listed with its line and left out, as
-- systemd ignores the line too. UMask=7777, Nice=30, CPUWeight=20000,
-- TasksMax=0, MemoryMax=0, LimitNOFILE=-1 or 4096:1024, KillSignal=15 and
-- WorkingDirectory=relative were written as they were, and the loader
-- refused the definition.
local ui = require "unitimport"
local U = dofile("tests/lua/_unitimport.lua")

local T = {}

-- the definition, and why key=value is listed as unsupported (nil where
-- it is not)
local function convert(key, value)
	local def, notes = U.service(key .. "=" .. value .. "\n", nil, key .. "=" .. value)
	local listed
	for _, n in ipairs(notes) do
		if n.key == key and n.kind == "unsupported" then
			assert(n.line == 3, key .. "=" .. value .. ": listed without its line")
			listed = n.reason
		end
	end
	return def, listed
end

-- key -> { field(def) -> the converted value, good = { value = converted }, bad = { value... } }.
-- The integers are read as systemd reads them (0x10 is 16, 010 is 8,
-- 0o10 8, 0b10 2; a size or a time in decimal); what it refuses, or
-- reads differently by C library (-0b1), is bad
local KEYS = {
	UMask = { function(d) return d.umask end,
		good = { ["0022"] = 18, ["022"] = 18, ["0"] = 0, ["0777"] = 511, ["7777"] = 511, ["1077"] = 63,
			["000000000000000000000022"] = 18 },
		bad = { "8", "17777", "-1", "0x12", "", "abc", "00000000000000000000017777", "0o022", "+022", "0b11" } },
	Nice = { function(d) return d.nice end,
		good = { ["-20"] = -20, ["19"] = 19, ["0"] = 0, ["+5"] = 5, [""] = false, ["010"] = 8, ["-010"] = -8,
			["0x10"] = 16, ["-0x14"] = -20, ["0o7"] = 7, ["0b101"] = 5, ["0o-5"] = -5, ["07"] = 7, ["-0"] = 0 },
		bad = { "20", "-21", "30", "1e1", "abc", "99999999999999999999", "1.5", "0x14", "09", "-0o10", "0x", "0b2",
			"-0b1", "+0b1", "0b0b1", "0o", "1 0" } },
	CPUWeight = { function(d) return d.cgroup and d.cgroup.cpu_weight end,
		good = { ["1"] = 1, ["10000"] = 10000, ["100"] = 100, [""] = false, ["0100"] = 64, ["0x10"] = 16,
			["+100"] = 100 },
		bad = { "0", "10001", "20000", "-1", "idle", "1.5", "1e2", "0x2711", "08" } },
	TasksMax = { function(d) return d.cgroup and d.cgroup.pids_max end,
		good = { ["1"] = 1, ["4194304"] = 4194304, infinity = "max", [""] = false, ["010"] = 8, ["0b10"] = 2 },
		bad = { "0", "4194305", "-3", "10%", "x", "1e3", "00", "0x400001" } },
	-- a size as parse_size reads it; a form memory.max does not take as
	-- written goes in bytes
	MemoryMax = { function(d) return d.cgroup and d.cgroup.memory_max end,
		good = { ["1"] = "1", ["512M"] = "512M", ["15E"] = "15E", infinity = "max", [""] = false,
			["010"] = "10", ["0512M"] = "512M", ["1.5G"] = "1610612736", ["1G 512M"] = "1610612736",
			["512B"] = "512", ["1.1K"] = "1126" },
		bad = { "0", "0K", "16E", "99999999999999999999999", "50%", "-1", "1k", "0x10", "00", "512M 1G", "1KB",
			"7.5E 1E" } },
	LimitNOFILE = { function(d) local r = d.rlimits and d.rlimits.nofile; return type(r) == "table" and r[1] .. ":" .. r[2] or r end,
		good = { ["0"] = 0, ["1024"] = 1024, ["1024:4096"] = "1024:4096", infinity = "infinity",
			["5:infinity"] = "5:infinity", ["9223372036854775807"] = math.maxinteger, ["0x10"] = 16, ["010"] = 8,
			["0o10"] = 8, ["+5"] = 5, ["-0"] = 0, ["1024:010000"] = "1024:4096", ["0x400:0x1000"] = "1024:4096" },
		bad = { "-1", "4096:1024", "infinity:5", "9223372036854775808", "1e3", "1K", "", "1:2:3",
			"04096", "1024:04096", "0x", "5:", ":5", "0x8000000000000000" } },
	-- a size: decimal, with K, M, G, T, P, E in powers of 1024 (parse_size);
	-- a time: decimal, with a unit or in seconds (LimitCPU=, rounded up to
	-- whole seconds) or microseconds (LimitRTTIME=), parse_time. They were
	-- refused with a unit: LimitAS=1G was listed, not converted
	LimitFSIZE = { function(d) local r = d.rlimits and d.rlimits.fsize; return type(r) == "table" and r[1] .. ":" .. r[2] or r end,
		good = { ["0"] = 0, ["010"] = 10, ["1024:02048"] = "1024:2048", infinity = "infinity", ["1K"] = 1024,
			["1G:2G"] = "1073741824:2147483648", ["1.5K"] = 1536, ["8M:infinity"] = "8388608:infinity",
			["1G 512M"] = 1610612736, ["512B"] = 512, ["+1K"] = 1024, ["7E"] = 7 << 60 },
		bad = { "0x10", "0o10", "0b10", "-1", "", "1k", "1KB", "1K :2K", "512M 1G", "8E", "16E", "2G:1G", "1K:",
			"infinity:1G", "1 2" } },
	LimitAS = { function(d) local r = d.rlimits and d.rlimits.as; return type(r) == "table" and r[1] .. ":" .. r[2] or r end,
		good = { ["1G"] = 1073741824, ["4G:infinity"] = "4294967296:infinity", ["0.5M"] = 524288 },
		bad = { "1g", "1GB", "1Gi", "-1G", "1e9" } },
	LimitCPU = { function(d) return d.rlimits and d.rlimits.cpu end,
		good = { ["10"] = 10, ["010"] = 10, infinity = "infinity", ["1min"] = 60, ["1min 30s"] = 90, ["1.5"] = 2,
			["100ms"] = 1, ["1h"] = 3600, ["0"] = 0, ["2d"] = 172800 },
		bad = { "0x10", "-1", "1x", "1.5.5", "3.", "1e3", "", "1 min x" } },
	LimitRTTIME = { function(d) local r = d.rlimits and d.rlimits.rttime; return type(r) == "table" and r[1] .. ":" .. r[2] or r end,
		good = { ["5"] = 5, ["500ms"] = 500000, ["1s:2s"] = "1000000:2000000", ["1.5ms"] = 1500, infinity = "infinity" },
		bad = { "1x", "-5", "2s:1s", "0x10" } },
	LimitNICE = { function(d) return d.rlimits and d.rlimits.nice end,
		good = { ["0"] = 0, ["40"] = 40, ["+19"] = 1, ["-20"] = 40, ["+0"] = 20, ["-5"] = 25, ["+05"] = 15,
			["010"] = 8, ["-0x10"] = 36, ["0x28"] = 40 },
		bad = { "41", "+20", "-21", "nice", "0x29", "+-5", "+0x14", "-025" } },
	-- a name as written (systemd's names are capitals), or a number from 1
	-- to 64; one luainit has no name for (a real-time one, STKFLT) is
	-- listed too
	KillSignal = { function(d) return d.stop_signal end,
		good = { SIGTERM = "TERM", TERM = "TERM", ["15"] = "TERM", ["9"] = "KILL", ["015"] = "PIPE",
			["0xf"] = "TERM", ["0b1001"] = "KILL", ["+2"] = "INT" },
		bad = { "SIGRTMIN+3", "RTMAX-2", "STKFLT", "64", "", "FOO", "0", "65", "-15", "09", "sigint", "term",
			"SIGterm", "SIGSIGTERM", "RTMIN-3", "RTMIN+31" } },
	-- an unsigned int to systemd; crash_limit's N, no limit for 0
	StartLimitBurst = { function(d) return d.crash_limit and d.crash_limit[1] end,
		good = { ["1"] = 1, ["5"] = 5, ["4294967295"] = 4294967295, ["0"] = false, ["+5"] = 5, ["010"] = 8,
			["0x10"] = 16, ["0b101"] = 5, ["-0"] = false },
		bad = { "1e1", "1.5", "-1", "4294967296", "", "x", "0x100000000", "-0x1" } },
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
	-- 1e1 was tonumber's 10 in StartLimitBurst=
	_, why = convert("StartLimitBurst", "1e1")
	assert(why == "not an integer from 0 to 4294967295", why)
	-- a number systemd reads in another base: the range, and what it read
	_, why = convert("Nice", "0x20")
	assert(why == "not an integer from -20 to 19 (read as 32: systemd reads 0x as hexadecimal)", why)
	_, why = convert("LimitNOFILE", "1024:04096")
	assert(why == "not an integer from 0 to 9223372036854775807 or infinity, or SOFT:HARD of those (no units) "
		.. "(04096: systemd reads a leading 0 as octal, where 9 is no digit)", why)
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
