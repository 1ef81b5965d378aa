-- tests/lua/unitimport_numbers.lua: an integer in a unit is read as
-- systemd reads it, and the definition says so when that is not plain
-- decimal. systemd's integer keys go through safe_atoi, safe_atou and
-- safe_atou64 (src/basic/parse-util.c): 0b and 0o, then strtol with base
-- 0, so 0x10 is 16 and 010 is 8; sizes and times (LimitFSIZE=, LimitCPU=,
-- MemoryMax=) go through parse_size and parse_sec, in decimal; UMask= is
-- octal (parse_mode). The converter refused every such number; now it
-- converts it as systemd does, with a note.
local ui = require "unitimport"
local U = dofile("tests/lua/_unitimport.lua")

local T = {}

-- convert(lines): the definition, the notes and the source; said(notes,
-- line): the notes of line, "kind: reason", joined
local convert, said = U.service, U.said

T["a number in another base is converted as systemd reads it, with a note"] = function()
	local OCT, HEX = "systemd reads a leading 0 as octal", "systemd reads 0x as hexadecimal"
	for line, want in pairs({
		["Nice=010"] = { function(d) return d.nice end, 8, "note: read as 8: " .. OCT },
		["Nice=-0x10"] = { function(d) return d.nice end, -16, "note: read as -16: " .. HEX },
		["StartLimitBurst=0b101"] = { function(d) return d.crash_limit[1] end, 5,
			"note: read as 5: systemd reads 0b as binary" },
		["TasksMax=0o17"] = { function(d) return d.cgroup.pids_max end, 15, "note: read as 15: systemd reads 0o as octal" },
		["CPUWeight=0x64"] = { function(d) return d.cgroup.cpu_weight end, 100, "note: read as 100: " .. HEX },
		["KillSignal=015"] = { function(d) return d.stop_signal end, "PIPE", "note: read as 13: " .. OCT },
		["LimitNOFILE=0x400:010000"] = { function(d) return table.concat(d.rlimits.nofile, ":") end, "1024:4096",
			"note: 0x400: read as 1024: " .. HEX .. "; 010000: read as 4096: " .. OCT },
		["LimitNICE=-010"] = { function(d) return d.rlimits.nice end, 28, "note: read as -8: " .. OCT },
		["LimitNICE=012"] = { function(d) return d.rlimits.nice end, 10, "note: read as 10: " .. OCT },
		-- a size or a time is decimal to systemd (parse_size, parse_sec)
		["LimitFSIZE=010"] = { function(d) return d.rlimits.fsize end, 10,
			"note: read as 10: systemd reads LimitFSIZE= in decimal" },
		["LimitCPU=060"] = { function(d) return d.rlimits.cpu end, 60, "note: read as 60: systemd reads LimitCPU= in decimal" },
		-- written as 010K, the kernel's memory.max (memparse) reads octal
		["MemoryMax=010K"] = { function(d) return d.cgroup.memory_max end, "10K",
			"note: read as 10K: systemd reads a size in decimal" },
		-- a size memory.max does not read as written goes in bytes
		["MemoryMax=1.5G"] = { function(d) return d.cgroup.memory_max end, "1610612736",
			"note: read as 1610612736 bytes" },
		["MemoryMax=1.1K"] = { function(d) return d.cgroup.memory_max end, "1126",
			"note: read as 1126 bytes: systemd drops a fraction of a byte" },
		-- plain decimal, or the same number either way: nothing to say
		["Nice=07"] = { function(d) return d.nice end, 7, "" },
		["Nice=+5"] = { function(d) return d.nice end, 5, "" },
		["LimitNOFILE=00"] = { function(d) return d.rlimits.nofile end, 0, "" },
		-- UMask= is octal whatever it starts with (parse_mode)
		["UMask=22"] = { function(d) return d.umask end, 18, "" },
	}) do
		local d, notes, src = convert(line .. "\n")
		local got = want[1](d)
		assert(got == want[2], line .. ": " .. tostring(got))
		assert(said(notes, 3) == want[3], line .. ": " .. said(notes, 3))
		-- the header says it too
		if want[3] ~= "" then
			assert(src:find("-- note: line 3: " .. line .. ": " .. want[3]:sub(7), 1, true), src)
		end
	end
end

-- RestartSteps= is noted when listed (the steps are lost): the number is
-- systemd's
T["RestartSteps= is read as systemd reads it"] = function()
	local _, notes = convert("RestartSteps=010\nRestartMaxDelaySec=10s\n")
	assert(said(notes, 3):find("^note: read as 8: systemd reads a leading 0 as octal | unsupported: .* in 8 steps;"),
		said(notes, 3))
end

-- what systemd refuses is listed with the line, saying why when the range
-- would not: a digit its base does not have, or a reading that depends
-- on the C library (glibc 2.38's strtol reads 0b, older ones do not)
T["a number systemd refuses, or reads by C library, is listed saying why"] = function()
	for line, why in pairs({
		["Nice=09"] = "not an integer from -20 to 19 (systemd reads a leading 0 as octal, where 9 is no digit)",
		["Nice=0b12"] = "not an integer from -20 to 19 (systemd reads 0b as binary, where 2 is no digit)",
		["Nice=0x14"] = "not an integer from -20 to 19 (read as 20: systemd reads 0x as hexadecimal)",
		["Nice=-0b1"] = "not an integer from -20 to 19 (systemd's reading of this 0b depends on its C library: "
			.. "binary with glibc 2.38 and later, no number before)",
		["StartLimitBurst=0b0b1"] = "not an integer from 0 to 4294967295 (systemd's reading of this 0b depends "
			.. "on its C library: binary with glibc 2.38 and later, no number before)",
		["KillSignal=0x41"] = "not a signal: a name such as TERM or SIGTERM, in capitals, or a number from 1 to 64 "
			.. "(read as 65: systemd reads 0x as hexadecimal)",
		["KillSignal=term"] = "not a signal: a name such as TERM or SIGTERM, in capitals, or a number from 1 to 64",
		["KillSignal=SIGRTMIN+3"] = "luainit has no name for this signal; the default (TERM) is kept",
		["LimitFSIZE=0x10"] = "not a size from 0 to 9223372036854775807 bytes (or with K, M, G, T, P or E, in "
			.. "powers of 1024: 512M) or infinity, or SOFT:HARD of those",
	}) do
		local d, notes = convert(line .. "\n")
		assert(said(notes, 3) == "unsupported: " .. why, line .. ": " .. said(notes, 3))
		assert(d.nice == nil and d.crash_limit == nil and d.stop_signal == nil and d.rlimits == nil, line)
	end
end

-- MemoryMax= (and MemoryLimit=) from 2^63 bytes up: systemd takes up to
-- 2^64 - 2 (config_parse_memory_limit: 2^64 - 1 is its infinity) in any
-- form parse_size reads, and so does the converter. Plain digits passed,
-- but written with B, a fraction or several parts the same bytes were
-- refused as "not below 2^64"; 2^64 - 1 in digits passed
T["a memory size from 2^63 bytes up is taken in every form, up to 2^64 - 2"] = function()
	local BYTES = "note: read as %s bytes"
	for _, c in ipairs({
		{ "9223372036854775808", "9223372036854775808", "" },
		{ "9223372036854775808B", "9223372036854775808", BYTES },
		{ "8E", "8E", "" },
		{ "8E 1B", "9223372036854775809", BYTES },
		{ "8.5E", "9799832789158199296", BYTES },
		{ "15E 1023P", "18445618173802708992", BYTES },
		{ "18446744073709551614", "18446744073709551614", "" },
		{ "18446744073709551614B", "18446744073709551614", BYTES },
	}) do
		for _, key in ipairs({ "MemoryMax", "MemoryLimit" }) do
			local line = key .. "=" .. c[1]
			local d, notes = convert(line .. "\n", nil, line)
			assert(d.cgroup and d.cgroup.memory_max == c[2], line .. ": " .. said(notes, 3))
			local want = c[3]:format(c[2])
			-- (MemoryLimit='s note on its spelling aside)
			local got = said(notes, 3, function(n)
				if not n.reason:find("^the deprecated spelling") then return n.kind .. ": " .. n.reason end
			end)
			assert(got == want, line .. ": " .. got)
		end
	end
	local WHY = "unsupported: only bytes from 1 to 2^64 - 2, with K, M, G, T, P or E, or infinity (no percentage)"
	for _, v in ipairs({ "18446744073709551615", "18446744073709551615B", "15E 1023P 1023T 1023G 1023M 1023K 1023",
		"18446744073709551616", "16E", "15.5E 512P", "0B" }) do
		for _, key in ipairs({ "MemoryMax", "MemoryLimit" }) do
			local line = key .. "=" .. v
			local d, notes = convert(line .. "\n", nil, line)
			assert(d.cgroup == nil, line .. ": converted all the same")
			assert(said(notes, 3) == WHY, line .. ": " .. said(notes, 3))
		end
	end
end

-- a directory's mode is octal to systemd (parse_mode, as UMask=), and to
-- the tmpfiles step the line goes to: written as it is; 0o755 and +755
-- are no modes to systemd
T["RuntimeDirectoryMode= is octal, as written"] = function()
	local src, notes, errs, x = ui.convert("[Service]\nExecStart=/bin/d\nRuntimeDirectory=r\nRuntimeDirectoryMode=750\n"
		.. "StateDirectory=s\nStateDirectoryMode=0o750\nCacheDirectory=c\nCacheDirectoryMode=+755\n",
		{ file = "t.service" })
	assert(src and #errs == 0, table.concat(errs, "; "))
	assert(x.tmpfiles == "d /run/r 750 root - -\nd /var/lib/s 0755 root - -\nd /var/cache/c 0755 root - -\n",
		x.tmpfiles)
	assert(said(notes, 6) == "unsupported: not an octal mode up to 07777" and said(notes, 8) == said(notes, 6))
end

return T
