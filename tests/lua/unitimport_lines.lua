-- tests/lua/unitimport_lines.lua: a later line of a key that holds one
-- value takes the place of the lines before it, in systemd and in the
-- converter: their notes go with them. KillMode=process then
-- KillMode=mixed still listed process as unsupported, and Type=dbus then
-- Type=simple dbus's BusName readiness. A line systemd ignores (a value
-- it refuses) replaces nothing: the line before stands, notes and all.
local ui = require "unitimport"
local U = dofile("tests/lua/_unitimport.lua")

local T = {}

-- the definition and "line kind Key=value" for every note, in order
local function convert(lines)
	local d, notes, src = U.service(lines)
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = (n.line or "-") .. " " .. n.kind .. " " .. n.key .. "=" .. n.value end
	return d, table.concat(got, ", "), src
end

T["a later line of a one-value key takes the notes of the lines before"] = function()
	for lines, want in pairs({
		["KillMode=process\nKillMode=mixed\n"] = { "4 ignored KillMode=mixed" },
		["KillMode=mixed\nKillMode=none\n"] = { "4 unsupported KillMode=none" },
		["Type=dbus\nType=simple\n"] = { "", function(d) return d.type == "simple" end },
		["Type=exec\nType=notify-reload\n"] = { "4 note Type=notify-reload", function(d) return d.type == "notify" end },
		["Restart=on-success\nRestart=always\n"] = { "", function(d) return d.restart == "always" end },
		["RestartSec=infinity\nRestartSec=5\n"] = { "", function(d) return d.restart_delay == 5 end },
		["Nice=010\nNice=5\n"] = { "", function(d) return d.nice == 5 end },
		["Nice=010\nNice=\n"] = { "", function(d) return d.nice == nil end },
		-- systemd ignored Nice=30; Nice=5 stands either way
		["Nice=30\nNice=5\n"] = { "", function(d) return d.nice == 5 end },
		["LimitNOFILE=0x10\nLimitNOFILE=5\n"] = { "", function(d) return d.rlimits.nofile == 5 end },
		["KillSignal=SIGRTMIN+3\nKillSignal=INT\n"] = { "", function(d) return d.stop_signal == "INT" end },
		-- the later line is one luainit cannot carry over: the earlier value
		-- goes too, as in systemd
		["KillSignal=INT\nKillSignal=SIGRTMIN+3\n"] = { "4 unsupported KillSignal=SIGRTMIN+3",
			function(d) return d.stop_signal == nil end },
		["WorkingDirectory=-/x\nWorkingDirectory=/y\n"] = { "", function(d) return d.cwd == "/y" end },
		["WorkingDirectory=/x\nWorkingDirectory=~\n"] = { "4 unsupported WorkingDirectory=~",
			function(d) return d.cwd == nil end },
		["StandardInput=socket\nStandardInput=tty\n"] = { "", function(d) return d.tty == "/dev/console" end },
		["StandardInput=tty\nStandardInput=null\n"] = { "", function(d) return d.tty == nil end },
		-- TTYPath= counts only with StandardInput=tty, in either order (it
		-- gave tty alone, so a unit that connects no terminal got one)
		["TTYPath=/dev/tty3\nStandardInput=tty\n"] = { "", function(d) return d.tty == "/dev/tty3" end },
		["StandardInput=tty-force\nTTYPath=/dev/tty3\n"] = { "", function(d) return d.tty == "/dev/tty3" end },
		["TTYPath=/dev/tty3\n"] = { "3 ignored TTYPath=/dev/tty3", function(d) return d.tty == nil end },
		["TTYPath=/dev/tty3\nStandardOutput=tty\n"] = { "4 ignored StandardOutput=tty, 3 ignored TTYPath=/dev/tty3",
			function(d) return d.tty == nil end },
		["StandardInput=tty\nTTYPath=/dev/tty3\nTTYPath=\n"] = { "", function(d) return d.tty == "/dev/console" end },
		["RuntimeDirectoryPreserve=no\nRuntimeDirectoryPreserve=yes\n"] = { "" },
	}) do
		local d, got, src = convert(lines)
		assert(got == want[1], lines .. got)
		assert(not want[2] or want[2](d), lines .. src)
	end
end

-- systemd ignores a value it refuses, with a warning: the line before
-- stands, and so does what the converter said of it
T["a line systemd ignores replaces nothing"] = function()
	for lines, want in pairs({
		["KillMode=process\nKillMode=bogus\n"] = "3 unsupported KillMode=process, 4 ignored KillMode=bogus",
		["Type=dbus\nType=bogus\n"] = "3 unsupported Type=dbus, 4 unsupported Type=bogus",
		["Nice=010\nNice=30\n"] = "3 note Nice=010, 4 unsupported Nice=30",
		["KillSignal=SIGRTMIN+3\nKillSignal=sigterm\n"] = "3 unsupported KillSignal=SIGRTMIN+3, "
			.. "4 unsupported KillSignal=sigterm",
		["StandardInput=socket\nStandardInput=bogus\n"] = "3 unsupported StandardInput=socket, "
			.. "4 unsupported StandardInput=bogus",
		["WorkingDirectory=~\nWorkingDirectory=rel\n"] = "3 unsupported WorkingDirectory=~, "
			.. "4 unsupported WorkingDirectory=rel",
		["RestartSec=infinity\nRestartSec=soon\n"] = "3 unsupported RestartSec=infinity, 4 unsupported RestartSec=soon",
	}) do
		local _, got = convert(lines)
		assert(got == want, lines .. got)
	end
end

-- a key that builds a list keeps every line's notes; so does a key of
-- another section (the [Unit] and [Service] StartLimitBurst= are listed
-- each)
T["the lines of a list, or of another section, keep their notes"] = function()
	local _, got = convert("ExecStartPre=-/bin/a\nExecStartPre=-/bin/b\n")
	assert(got == "3 note ExecStartPre=-/bin/a, 4 note ExecStartPre=-/bin/b", got)
	got = select(2, ui.convert("[Unit]\nAfter=a.target\nAfter=b.target\nStartLimitBurst=x\n"
		.. "[Service]\nExecStart=/bin/d\nStartLimitBurst=5\n", { file = "t.service" }))
	local lines = {}
	for _, n in ipairs(got) do lines[#lines + 1] = n.line .. " " .. n.key .. "=" .. n.value end
	assert(table.concat(lines, ", ") == "2 After=a.target, 3 After=b.target, 4 StartLimitBurst=x",
		table.concat(lines, ", "))
end

return T
