-- tests/lua/unitimport.lua: systemd units become valid luainit service
-- definitions; every key that is not carried over is listed.
local ui = require "unitimport"
local U = dofile("tests/lua/_unitimport.lua")
local write = dofile("tests/lua/_util.lua").write

local T = {}

local convert, def_of = U.convert, U.def_of

-- ui.main(args) with its stdout and stderr caught: rc, out, err
local function run_main(args)
	local said = { [io.stdout] = {}, [io.stderr] = {} }
	local function fake(real)
		return { write = function(self, ...)
			for _, x in ipairs({ ... }) do said[real][#said[real] + 1] = x end
			return self
		end }
	end
	local stdout, stderr = io.stdout, io.stderr
	io.stdout, io.stderr = fake(stdout), fake(stderr)
	local ok, rc = pcall(ui.main, args)
	io.stdout, io.stderr = stdout, stderr
	assert(ok, rc)
	return rc, table.concat(said[stdout]), table.concat(said[stderr])
end

local function note_for(notes, key, kind)
	for _, n in ipairs(notes) do
		if n.key == key and (not kind or n.kind == kind) then return n end
	end
end

T["a plain unit converts and validates"] = function()
	local src, notes, errs = convert([[
[Unit]
Description=Example daemon
After=network.target syslog.service
Requires=db.service
Wants=cache.service

[Service]
Type=notify
ExecStart=/usr/sbin/exampled --foreground
User=www-data
Group=www-data
WorkingDirectory=/var/lib/example
Restart=always
RestartSec=2s
TimeoutStopSec=1min 30s
KillSignal=SIGINT
LimitNOFILE=4096:8192

[Install]
WantedBy=multi-user.target
]], { file = "/lib/systemd/system/example.service" })
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.description == "Example daemon" and d.type == "notify")
	assert(d.command[1] == "/usr/sbin/exampled" and d.command[2] == "--foreground" and #d.command == 2)
	assert(d.user == "www-data" and d.group == "www-data" and d.cwd == "/var/lib/example")
	assert(d.restart == "always" and d.restart_delay == 2 and d.restart_max_delay == 2)
	assert(d.stop_timeout == 90 and d.stop_signal == "INT")
	assert(d.rlimits.nofile[1] == 4096 and d.rlimits.nofile[2] == 8192)
	assert(d.requires[1] == "db" and d.wants[1] == "cache" and d.after[1] == "syslog")
	assert(note_for(notes, "After", "ignored").value == "network.target")
	assert(note_for(notes, "WantedBy", "ignored"))
	assert(ui.validate(src, "example"))
end

T["$VAR and ${VAR} expand from Environment= and EnvironmentFile="] = function()
	local files = { ["/etc/default/x"] = 'OPTS="-a -b"\n# comment\nPORT=8080\n' }
	local src, notes, errs = convert([[
[Service]
Environment="GREETING=hello world" MODE=fast
Environment=EMPTY=
EnvironmentFile=/etc/default/x
EnvironmentFile=-/etc/default/missing
ExecStart=/bin/x $OPTS --port=${PORT} --mode=$MODE "$GREETING" $UNSET
]], { readfile = function(p) return files[p] end })
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	local want = { "/bin/x", "-a", "-b", "--port=8080", "--mode=fast", "hello", "world" }
	for i, w in ipairs(want) do assert(d.command[i] == w, i .. ": " .. tostring(d.command[i])) end
	assert(#d.command == #want)
	assert(d.env.GREETING == "hello world" and d.env.MODE == "fast" and d.env.PORT == "8080" and d.env.EMPTY == "")
	assert(note_for(notes, "EnvironmentFile", "note"))
	local miss = note_for(notes, "ExecStart", "note")
	assert(miss and miss.value == "$UNSET")
end

-- the note named ExecStart and no line wherever the variable was
T["an unset $VAR is noted under the key and line that use it"] = function()
	local src, notes, errs = convert([[
[Service]
ExecStartPre=/bin/check $A ${A}
ExecStartPre=:/bin/literal $B
ExecStart=/bin/d $A $C
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	local got = {}
	for _, n in ipairs(notes) do
		if n.reason:find("is not set") then got[#got + 1] = string.format("%s %s %d", n.key, n.value, n.line) end
	end
	assert(table.concat(got, ", ") == "ExecStartPre $A 2, ExecStart $A 4, ExecStart $C 4", table.concat(got, ", "))
	assert(src:find("\n-- note: line 2: ExecStartPre=$A: $A is not set by Environment= or EnvironmentFile=; "
		.. "expanded to nothing\n", 1, true), src)
end

T["a required EnvironmentFile that is missing is listed as unsupported"] = function()
	local _, notes = convert("[Service]\nEnvironmentFile=/nope\nExecStart=/bin/true\n")
	assert(note_for(notes, "EnvironmentFile", "unsupported"))
end

T["prefixes are stripped and noted; ExecStartPre is folded into sh"] = function()
	local src, notes, errs = convert([[
[Service]
ExecStartPre=-/bin/mkdir /run/x
ExecStartPre=/usr/bin/check --config
ExecStart=@/usr/bin/daemon daemon-argv0 -f
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.command[1] == "/bin/sh" and d.command[2] == "-c")
	assert(d.command[3] == "{ /bin/mkdir /run/x || true; } && /usr/bin/check --config && exec /usr/bin/daemon -f",
		d.command[3])
	assert(note_for(notes, "ExecStartPre", "note"))
	assert(note_for(notes, "ExecStart", "note").reason:find("argv%[0%]"))
	local _, notes2 = convert("[Service]\nExecStart=+/bin/true\n")
	assert(note_for(notes2, "ExecStart", "unsupported"))
end

T["types map to luainit's, forking needs PIDFile"] = function()
	local function ty(t, extra)
		local src, _, errs = convert("[Service]\nType=" .. t .. "\nExecStart=/bin/d\n" .. (extra or ""))
		return src and def_of(src).type, errs
	end
	assert(ty("simple") == "simple" and ty("exec") == "simple" and ty("notify") == "notify")
	assert(ty("oneshot") == "oneshot")
	local t, errs = ty("forking", "PIDFile=/run/d.pid\n")
	assert(t == "forking" and #errs == 0)
	local src
	src, _, errs = convert("[Service]\nType=forking\nExecStart=/bin/d\n")
	assert(#errs > 0 and errs[1]:find("PIDFile"))
	assert(not ui.validate(src, "d"))
end

T["Restart= mapping, and systemd's default Restart=no"] = function()
	local function r(v)
		local src = convert("[Service]\nExecStart=/bin/d\n" .. (v and ("Restart=" .. v .. "\n") or ""))
		return def_of(src).restart
	end
	assert(r(nil) == "never" and r("no") == "never" and r("always") == "always")
	assert(r("on-failure") == "on-failure" and r("on-abnormal") == "on-failure" and r("on-abort") == "on-failure")
end

-- a unit without RestartSec= got luainit's default delay, 0.1 s doubling
-- up to 30 s, where systemd waits its default RestartSec=, 100 ms, before
-- every restart (no steps without RestartSteps=): a service that restarts
-- gets that flat delay, said in the header; RestartSec=infinity still
-- leaves luainit's default, as its note says, and a value that is not a
-- time span is ignored, as systemd ignores it
T["no RestartSec=: systemd's flat 100 ms for a service that restarts"] = function()
	local function conv(lines)
		local d, _, src = U.service(lines)
		return d, src
	end
	local header = "-- restart_delay = restart_max_delay = 0.1: systemd's default (RestartSec=100ms, "
		.. "the same before every restart); without them luainit doubles the delay up to 30 s\n"
	for _, r in ipairs({ "always", "on-failure", "on-abnormal" }) do
		local d, src = conv("Restart=" .. r .. "\n")
		assert(d.restart_delay == 0.1 and d.restart_max_delay == 0.1, r)
		assert(src:find(header, 1, true), src)
		assert(src:find("\trestart_delay = 0.1,\n\trestart_max_delay = 0.1,\n", 1, true), src)
	end
	-- a service that does not restart needs no delay
	for _, lines in ipairs({ "", "Restart=no\n", "Restart=on-success\n" }) do
		local d, src = conv(lines)
		assert(d.restart == "never" and d.restart_delay == nil and d.restart_max_delay == nil, lines)
		assert(not src:find("restart_delay", 1, true), src)
	end
	local d, src = conv("Restart=always\nRestartSec=5\n")
	assert(d.restart_delay == 5 and d.restart_max_delay == 5 and not src:find("systemd's default (RestartSec", 1, true))
	d, src = conv("Restart=always\nRestartSec=infinity\n")
	assert(d.restart_delay == nil and d.restart_max_delay == nil and not src:find("systemd's default (RestartSec", 1, true))
	d, src = conv("RestartSec=infinity\nRestartSec=2\nRestart=always\n")
	assert(d.restart_delay == 2 and d.restart_max_delay == 2)
	d, src = conv("Restart=always\nRestartSec=soon\n")
	assert(d.restart_delay == 0.1 and d.restart_max_delay == 0.1 and src:find(header, 1, true))
end

-- a later WatchdogSec=0 kept the value before it; in systemd 0 turns the
-- watchdog off, infinity too (no timer is armed), and an empty value is
-- not a time span: the line is ignored
T["WatchdogSec=0 or infinity after a value turns the watchdog off"] = function()
	local function wd(lines)
		local src, notes, errs = convert("[Service]\nType=notify\nExecStart=/bin/d\n" .. lines)
		assert(#errs == 0, table.concat(errs, "\n"))
		assert(ui.validate(src, "d"))
		return def_of(src).watchdog, notes
	end
	local w, notes = wd("WatchdogSec=10\n")
	assert(w == 10 and #notes == 0)
	w, notes = wd("WatchdogSec=10\nWatchdogSec=0\n")
	assert(w == nil and #notes == 0)
	w, notes = wd("WatchdogSec=10\nWatchdogSec=infinity\n")
	assert(w == nil and #notes == 1 and notes[1].line == 5 and notes[1].kind == "note", #notes)
	assert(notes[1].reason:find("^infinity: no watchdog"), notes[1].reason)
	w, notes = wd("WatchdogSec=10\nWatchdogSec=\n")
	assert(w == 10 and note_for(notes, "WatchdogSec", "unsupported").reason == "not a time span")
	assert(wd("WatchdogSec=0\nWatchdogSec=20s\n") == 20)
	assert(wd("WatchdogSec=infinity\nWatchdogSec=1min\n") == 60)
end

-- TimeoutStopSec=infinity after TimeoutStopSec=10 kept 10 while its note
-- said the default was kept; in systemd infinity replaces the lines before
-- it, so the converter gives what it gives for the infinity alone: the
-- default, noted. The same for the other timeouts and RestartSec=; a value
-- that is not a time span is ignored, and the line before stands
T["an infinite timeout or restart delay after a value gives the default, as noted"] = function()
	local function conv(lines)
		local d, notes = U.service(lines)
		local got = {}
		for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.kind .. ": " .. n.reason end
		return d, table.concat(got, "\n")
	end
	local d, notes = conv("TimeoutStopSec=10\nTimeoutStopSec=infinity\n")
	assert(d.stop_timeout == nil and notes == "4 unsupported: no infinite stop timeout; the default (5 s) is kept", notes)
	d, notes = conv("TimeoutStopSec=10\nTimeoutStopSec=0\n")
	assert(d.stop_timeout == nil and notes == "4 unsupported: no infinite stop timeout; the default (5 s) is kept", notes)
	d, notes = conv("TimeoutStartSec=10\nTimeoutStartSec=infinity\n")
	assert(d.start_timeout == nil and notes == "4 unsupported: no infinite start timeout; the default (30 s) is kept", notes)
	d, notes = conv("TimeoutStartSec=10\nTimeoutStopSec=20\nTimeoutSec=0\n")
	assert(d.start_timeout == nil and d.stop_timeout == nil, d.stop_timeout)
	assert(notes == "5 unsupported: no infinite timeouts; the defaults (30 s start, 5 s stop) are kept", notes)
	d, notes = conv("RestartSec=10\nRestartSec=infinity\n")
	assert(d.restart_delay == nil and d.restart_max_delay == nil)
	assert(notes == "4 unsupported: no infinite restart delay; systemd then waits for ever and never restarts it; "
		.. "luainit's default (0.1 s, doubling up to 30 s) is kept", notes)
	-- RestartSec=0 is no delay, not infinity
	d, notes = conv("RestartSec=10\nRestartSec=0\n")
	assert(d.restart_delay == 0 and d.restart_max_delay == 0 and notes == "", notes)
	-- a later finite value counts again; a bad one is ignored
	d, notes = conv("TimeoutSec=infinity\nTimeoutStopSec=7\nTimeoutStartSec=8\nRestartSec=infinity\nRestartSec=3\n")
	assert(d.stop_timeout == 7 and d.start_timeout == 8 and d.restart_delay == 3 and d.restart_max_delay == 3)
	d, notes = conv("TimeoutStopSec=10\nTimeoutStopSec=soon\nRestartSec=2\nRestartSec=\n")
	assert(d.stop_timeout == 10 and d.restart_delay == 2, d.stop_timeout)
	assert(notes == "4 unsupported: not a time span\n6 unsupported: not a time span", notes)
end

T["RuntimeDirectory and StateDirectory become tmpfiles.d lines"] = function()
	local src, _, errs, extra = convert([[
[Service]
ExecStart=/usr/sbin/sshd -D
User=sshd
RuntimeDirectory=sshd
RuntimeDirectoryMode=0750
StateDirectory=ssh foo
]])
	assert(#errs == 0)
	assert(extra.tmpfiles:find("d /run/sshd 0750 sshd %- %-\n", 1))
	assert(extra.tmpfiles:find("d /var/lib/ssh 0755 sshd", 1, true) and extra.tmpfiles:find("/var/lib/foo", 1, true))
	assert(src:find("tmpfiles.d", 1, true))
end

T["every key not carried over is listed"] = function()
	local _, notes = convert([[
[Unit]
Description=x
ConditionPathExists=/etc/x
Before=other.service
Frobnicate=yes

[Service]
ExecStart=/bin/x
ProtectSystem=full
PrivateTmp=yes
ExecReload=/bin/kill -HUP $MAINPID
]])
	for _, k in ipairs({ "ConditionPathExists", "Before", "Frobnicate", "ProtectSystem", "PrivateTmp", "ExecReload" }) do
		assert(note_for(notes, k, "unsupported"), k)
	end
end

T["template units need an instance; specifiers expand"] = function()
	local text = "[Unit]\nDescription=Getty on %I\n[Service]\nExecStart=/sbin/agetty - $TERM\nTTYPath=/dev/%I\nStandardInput=tty\n"
	local src, _, errs = convert(text, { file = "serial-getty@.service" })
	assert(src == nil and errs[1]:find("template"))
	src, _, errs = convert(text, { file = "serial-getty@.service", instance = "ttyS0", env = { TERM = "vt220" } })
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.description == "Getty on ttyS0" and d.tty == "/dev/ttyS0" and d.command[3] == "vt220")
	assert(ui.validate(src, "serial-getty@ttyS0"))
end

T["quoting, continuation lines and comments"] = function()
	local src, _, errs = convert("[Service]\n# c\nExecStart=/bin/echo 'a b' \"c\\\"d\" \\\n  e\\x41\n")
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.command[2] == "a b" and d.command[3] == 'c"d' and d.command[4] == "eA", table.concat(d.command, "|"))
end

-- a Description= past what a definition takes (256 bytes) was copied
-- whole, and the definition the import wrote was refused at load
T["a long Description= is cut at a character's start, with a note"] = function()
	local long = ("é"):rep(200)   -- 400 bytes, two per character
	local src, notes, errs = convert("[Unit]\nDescription=" .. long .. "\n[Service]\nExecStart=/bin/true\n")
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.description == ("é"):rep(128), #d.description)
	local n = note_for(notes, "Description", "note")
	assert(n and n.reason == "cut to 256 bytes, the most a definition's description takes", n and n.reason)
	src = convert("[Unit]\nDescription=a" .. long .. "\n[Service]\nExecStart=/bin/true\n")
	assert(def_of(src).description == "a" .. ("é"):rep(127), #def_of(src).description)
end

T["a unit without ExecStart, or masked, is an error, not a crash"] = function()
	local src, _, errs = convert("[Unit]\nDescription=x\n")
	assert(src == nil and errs[1]:find("ExecStart"))
	local _, _, errs2, extra = convert("")
	assert(extra.masked and errs2[1]:find("masked"))
end

-- NoNewPrivileges= takes what systemd's parse_boolean takes (y and f were
-- listed as unsupported), the same words as the kernel command line flags
T["booleans are systemd's words"] = function()
	for v, want in pairs({ yes = true, y = true, T = true, ["1"] = true, on = true,
		no = false, n = false, F = false, ["0"] = false, off = false }) do
		local src, notes, errs = convert("[Service]\nExecStart=/bin/d\nNoNewPrivileges=" .. v .. "\n")
		assert(#errs == 0 and not note_for(notes, "NoNewPrivileges"), v)
		assert(def_of(src).no_new_privs == (want or nil), v)
	end
	local _, notes = convert("[Service]\nExecStart=/bin/d\nNoNewPrivileges=maybe\n")
	assert(note_for(notes, "NoNewPrivileges", "unsupported").reason == "not a boolean")
	_, notes = convert("[Service]\nExecStart=/bin/d\nRuntimeDirectoryPreserve=true\n")
	assert(not note_for(notes, "RuntimeDirectoryPreserve"), "true is yes")
	_, notes = convert("[Service]\nExecStart=/bin/d\nRuntimeDirectoryPreserve=restart\n")
	assert(note_for(notes, "RuntimeDirectoryPreserve", "note"))
end

-- Limit*= names are process.spawn's (process.RLIMITS), in capitals
T["resource limits"] = function()
	local src, notes, errs = convert("[Service]\nExecStart=/bin/d\nLimitCORE=infinity\nLimitRTTIME=5:10\n"
		.. "LimitNofile=5\nLimitFOO=1\nLimit=1\n")
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.rlimits.core == "infinity" and d.rlimits.rttime[1] == 5 and d.rlimits.rttime[2] == 10)
	assert(d.rlimits.nofile == nil and d.rlimits.foo == nil)
	for _, k in ipairs({ "LimitNofile", "LimitFOO", "Limit" }) do
		assert(note_for(notes, k, "unsupported").reason == "unknown resource limit", k)
	end
end

-- The byte-sized limits are parse_size's to systemd (K, M, G, T, P, E in
-- powers of 1024), LimitCPU= and LimitRTTIME= parse_time's (a unit, or
-- seconds and microseconds): LimitAS=1G was listed as no integer and left
-- out, where systemd sets 1073741824 bytes. Converted now, as systemd
-- reads them; what is no size or time, or more than luainit's limits
-- hold, is listed with the unit's file and line
T["Limit*= sizes and times with a unit are converted as systemd reads them"] = function()
	local keys = { "AS", "FSIZE", "DATA", "STACK", "CORE", "RSS", "MEMLOCK", "MSGQUEUE" }
	local text = { "[Service]", "ExecStart=/bin/d" }
	for _, k in ipairs(keys) do text[#text + 1] = "Limit" .. k .. "=1G" end
	local src, notes, errs = convert(table.concat(text, "\n") .. "\nLimitCPU=1min 30s\nLimitRTTIME=500ms:1s\n"
		.. "LimitNOFILE=1K\nLimitNICE=+5\n")
	assert(#errs == 0 and ui.validate(src, "d"), table.concat(errs, "; ") .. src)
	local d = def_of(src)
	for _, k in ipairs(keys) do assert(d.rlimits[k:lower()] == 1073741824, k .. ": " .. tostring(d.rlimits[k:lower()])) end
	assert(d.rlimits.cpu == 90 and d.rlimits.rttime[1] == 500000 and d.rlimits.rttime[2] == 1000000)
	-- a count takes no unit, to systemd either; +N is a nice level (20 - N)
	assert(d.rlimits.nofile == nil and d.rlimits.nice == 15)
	local n = note_for(notes, "LimitNOFILE", "unsupported")
	assert(n and n.line == 13 and n.reason:find("^not an integer from 0 to 9223372036854775807"), n and n.reason)
	assert(#notes == 1, #notes .. " notes")
	-- what systemd rounds or drops is noted
	_, notes = convert("[Service]\nExecStart=/bin/d\nLimitCPU=1.5\nLimitCORE=0.1K\n")
	assert(note_for(notes, "LimitCPU", "note").reason == "read as 2: systemd rounds LimitCPU= up to whole seconds")
	assert(note_for(notes, "LimitCORE", "note").reason == "read as 102: systemd drops a fraction of a byte")
	-- regression: rounding up near 2^63 microseconds wrapped to a negative limit
	local src2
	src2, notes = convert("[Service]\nExecStart=/bin/d\nLimitCPU=9223372036854775807us\n")
	assert(def_of(src2).rlimits.cpu == 9223372036855, tostring(def_of(src2).rlimits.cpu))
	assert(note_for(notes, "LimitCPU", "note").reason == "read as 9223372036855: systemd rounds LimitCPU= up to whole seconds")
	-- the tool lists what it cannot convert with the file and the line,
	-- and leaves it out
	local f = os.tmpname()
	write(f, "[Service]\nExecStart=/bin/d\nLimitAS=1g\nLimitDATA=8E\nLimitCPU=1 fortnight\nLimitSTACK=8M\n")
	local rc, out, err = run_main({ f })
	os.remove(f)
	assert(rc == 0, err)
	assert(err:find("unsupported: " .. f .. ": line 3: LimitAS=1g: not a size from 0 to 9223372036854775807 bytes "
		.. "(or with K, M, G, T, P or E, in powers of 1024: 512M) or infinity, or SOFT:HARD of those\n", 1, true), err)
	assert(err:find("unsupported: " .. f .. ": line 4: LimitDATA=8E: not a size from 0 to 9223372036854775807 bytes "
		.. "(or with K, M, G, T, P or E, in powers of 1024: 512M) or infinity, or SOFT:HARD of those (systemd takes "
		.. "it; luainit's limits stop at 2^63 - 1 bytes)\n", 1, true), err)
	assert(err:find("unsupported: " .. f .. ": line 5: LimitCPU=1 fortnight: not a time span in seconds (or with a "
		.. "unit: 90, 1min 30s, 1h) or infinity, or SOFT:HARD of those\n", 1, true), err)
	assert(out:find("rlimits = { stack = 8388608 }", 1, true), out)
end

-- the cgroup values are ones services.check takes: infinity was copied
-- as it was, and the kernel refused it at start
T["MemoryMax=, TasksMax= and CPUWeight= give values services.check takes"] = function()
	local src, notes, errs = convert("[Service]\nExecStart=/bin/d\nMemoryMax=infinity\nTasksMax=infinity\nCPUWeight=200\n")
	assert(#errs == 0 and #notes == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.cgroup.memory_max == "max" and d.cgroup.pids_max == "max" and d.cgroup.cpu_weight == 200)
	assert(ui.validate(src, "d"))
	src, notes = convert("[Service]\nExecStart=/bin/d\nMemoryLimit=512M\nTasksMax=64\n")
	d = def_of(src)
	assert(d.cgroup.memory_max == "512M" and d.cgroup.pids_max == 64)
	assert(ui.validate(src, "d"))
	-- MemoryLimit= converted with no word that it is deprecated; and it
	-- replaced an earlier MemoryMax=, which systemd uses whatever the order
	local n = note_for(notes, "MemoryLimit")
	assert(n.kind == "note" and n.line == 3 and n.reason == "the deprecated spelling (cgroup v1's) of MemoryMax=: "
		.. "converted as MemoryMax=; write MemoryMax= in the unit", n.reason)
	assert(src:find("-- note: line 3: MemoryLimit=512M: the deprecated spelling", 1, true), src)
	for _, unit in ipairs({ "MemoryMax=1G\nMemoryLimit=2G\n", "MemoryLimit=2G\nMemoryMax=1G\n" }) do
		src, notes = convert("[Service]\nExecStart=/bin/d\n" .. unit)
		assert(def_of(src).cgroup.memory_max == "1G", unit)
		n = note_for(notes, "MemoryLimit")
		assert(n.kind == "ignored" and n.value == "2G"
			and n.reason == "the deprecated spelling of MemoryMax=; MemoryMax= is set, and systemd uses it", n.reason)
	end
	-- another cgroup v2 memory key set makes systemd ignore MemoryLimit=;
	-- one at the value that sets nothing, or reset, does not
	src, notes = convert("[Service]\nExecStart=/bin/d\nMemoryHigh=500M\nMemoryLimit=1G\n")
	assert(not (def_of(src).cgroup or {}).memory_max, src)
	n = note_for(notes, "MemoryLimit")
	assert(n.kind == "ignored" and n.reason:find("where MemoryHigh= (a cgroup v2 memory setting) is set", 1, true), n.reason)
	-- several set: the note names the first line's
	_, notes = convert("[Service]\nExecStart=/bin/d\nMemoryMin=1M\nMemoryHigh=50%\nMemoryLimit=1G\n")
	n = note_for(notes, "MemoryLimit")
	assert(n.reason:find("where MemoryMin= (a cgroup", 1, true), n.reason)
	for _, unit in ipairs({ "MemoryHigh=infinity\nMemoryLimit=1G\n", "MemoryLow=0\nMemoryLimit=1G\n",
		"MemorySwapMax=1G\nMemorySwapMax=\nMemoryLimit=1G\n", "MemoryLow=0K\nMemoryLimit=1G\n",
		"MemoryHigh=max\nMemoryLimit=1G\n", "MemoryHigh=1G\nMemoryHigh=bogus\nMemoryHigh=\nMemoryLimit=1G\n" }) do
		src = convert("[Service]\nExecStart=/bin/d\n" .. unit)
		assert(def_of(src).cgroup.memory_max == "1G", unit)
	end
	-- MemoryMax=infinity or an empty one sets no limit: MemoryLimit= holds;
	-- an empty MemoryLimit= resets it, a bad one leaves the line before
	for unit, want in pairs({ ["MemoryMax=infinity\nMemoryLimit=2G\n"] = "2G",
		["MemoryLimit=2G\nMemoryMax=1G\nMemoryMax=\n"] = "2G", ["MemoryLimit=2G\nMemoryLimit=\n"] = false,
		["MemoryLimit=2G\nMemoryLimit=50%\n"] = "2G", ["MemoryLimit=infinity\n"] = "max" }) do
		src, notes = convert("[Service]\nExecStart=/bin/d\n" .. unit)
		d = def_of(src)
		assert((d.cgroup and d.cgroup.memory_max or false) == want, unit)
		assert(ui.validate(src, "d"))
	end
	_, notes = convert("[Service]\nExecStart=/bin/d\nMemoryLimit=50%\n")
	assert(note_for(notes, "MemoryLimit", "unsupported").line == 3)
	local _
	_, notes = convert("[Service]\nExecStart=/bin/d\nMemoryMax=50%\nTasksMax=10%\n")
	assert(note_for(notes, "MemoryMax", "unsupported") and note_for(notes, "TasksMax", "unsupported"))
	-- a value out of the kernel's range was written as it was, and the
	-- definition was services.check's error; it is listed now, as systemd
	-- ignores it too (tests/lua/unitimport_ranges.lua)
	src, notes = convert("[Service]\nExecStart=/bin/d\nCPUWeight=20000\n")
	assert(ui.validate(src, "d") and def_of(src).cgroup == nil)
	assert(note_for(notes, "CPUWeight", "unsupported").reason == "only an integer from 1 to 10000 (no idle)")
end

-- an empty assignment (Key=) resets the list the lines before it built, as
-- in systemd; the lines after it add to an empty one. Not for the
-- dependencies: see the next test
T["an empty assignment resets what the lines before it set"] = function()
	local files = { ["/etc/default/x"] = "FROMFILE=1\n" }
	local src, notes, errs = convert([[
[Service]
ExecStartPre=/bin/pre
ExecStartPre=
ExecStart=/bin/gone
ExecStart=
ExecStart=/bin/d $A $B
Environment=A=1
Environment=
Environment=B=2
EnvironmentFile=/etc/default/x
EnvironmentFile=
User=u
User=
SupplementaryGroups=g
SupplementaryGroups=
]], { readfile = function(p) return files[p] end })
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(#d.command == 2 and d.command[1] == "/bin/d" and d.command[2] == "2", table.concat(d.command, "|"))
	assert(d.env.B == "2" and d.env.A == nil and d.env.FROMFILE == nil)
	assert(d.user == nil and d.groups == nil)
	assert(note_for(notes, "ExecStart", "note").value == "$A")
	assert(not note_for(notes, "EnvironmentFile"))
end

-- an empty After=, Requires= or Wants= reset that list, and this test
-- expected it; an empty Requisite= or BindsTo= even reset requires,
-- Requires='s entries with it. systemd resets no dependency list
-- ("dependencies cannot be reset to an empty list", systemd.unit(5)): its
-- parser finds no word and ignores the line, without a warning. The line
-- is listed as ignored, and the lines before it stand
T["an empty dependency assignment resets nothing"] = function()
	local src, notes, errs = convert([[
[Unit]
After=a.service
After=
After=b.service
Requires=r.service
Requisite=
BindsTo=
Requires=
Requisite=q.service
Wants=w.service
Wants=
[Service]
ExecStart=/bin/d
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(ui.validate(src, "d"))
	local d = def_of(src)
	assert(table.concat(d.after, " ") == "a b", table.concat(d.after, " "))
	assert(table.concat(d.requires, " ") == "r q", table.concat(d.requires, " "))
	assert(table.concat(d.wants, " ") == "w", table.concat(d.wants, " "))
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value .. ": " .. n.kind end
	assert(table.concat(got, "\n") == table.concat({
		"3 After=: ignored", "6 Requisite=: ignored", "7 BindsTo=: ignored", "8 Requires=: ignored",
		"9 Requisite=q.service: note", "11 Wants=: ignored",
	}, "\n"), table.concat(got, "\n"))
	assert(notes[1].reason == "an empty assignment resets no dependencies in systemd; the lines before it stand",
		notes[1].reason)
end

-- an empty Before=, Conflicts=, PartOf= or OnFailure= was listed as
-- unsupported ("no conflicts"), as if it said something; like every
-- dependency, it resets nothing in systemd, and is listed as ignored as an
-- empty After= is. An empty ExecStop=, SuccessExitStatus= or condition
-- left the lines before it listed as unsupported, though systemd resets
-- them; now every key that holds a list resets it the same way, the
-- notes of the lines it resets too, and one not converted is listed as
-- ignored
T["an empty assignment resets every list the same way, and no dependency"] = function()
	local src, notes, errs = convert([[
[Unit]
Before=a.service
Before=
Conflicts=c.service
Conflicts=
PartOf=p.service
PartOf=
OnFailure=f.service
OnFailure=
Upholds=
ConditionPathExists=/x
AssertHost=h
ConditionHost=
[Service]
ExecStart=+/bin/d
ExecStart=
ExecStart=/bin/e
ExecStop=/bin/stop
ExecStop=
SuccessExitStatus=3
SuccessExitStatus=
SuccessExitStatus=4
Environment=A=1 bad
Environment=
CapabilityBoundingSet=~CAP_SYS_ADMIN
CapabilityBoundingSet=
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(ui.validate(src, "d"))
	local d = def_of(src)
	assert(d.command[1] == "/bin/e" and d.env == nil and #d.capabilities == 0)
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value .. ": " .. n.kind end
	assert(table.concat(got, "\n") == table.concat({
		"2 Before=a.service: unsupported", "3 Before=: ignored",
		"4 Conflicts=c.service: unsupported", "5 Conflicts=: ignored",
		"6 PartOf=p.service: unsupported", "7 PartOf=: ignored",
		"8 OnFailure=f.service: unsupported", "9 OnFailure=: ignored",
		"10 Upholds=: ignored",
		"12 AssertHost=h: unsupported", "13 ConditionHost=: ignored",
		"19 ExecStop=: ignored", "21 SuccessExitStatus=: ignored", "22 SuccessExitStatus=4: unsupported",
	}, "\n"), table.concat(got, "\n"))
	for _, n in ipairs(notes) do
		if n.key == "Before" and n.value == "" then
			assert(n.reason == "an empty assignment resets no dependencies in systemd; the lines before it stand")
		elseif n.key == "ExecStop" then
			assert(n.reason == "an empty assignment resets the list the lines before it built; nothing to convert")
		end
	end
	assert(not src:find("ExecStop", 1, true) and not src:find("ConditionPathExists", 1, true), src)
end

-- SupplementaryGroups= and CapabilityBoundingSet= lines replaced the
-- lines before; systemd adds each line's groups, and ORs the capability
-- sets. BindTo=, systemd's older spelling of BindsTo=, was not converted
T["SupplementaryGroups= and CapabilityBoundingSet= lines add up"] = function()
	local src, _, errs = convert([[
[Unit]
BindTo=b.service
[Service]
ExecStart=/bin/d
SupplementaryGroups=a b
SupplementaryGroups=c
CapabilityBoundingSet=CAP_NET_RAW
CapabilityBoundingSet=CAP_CHOWN CAP_NET_RAW
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(ui.validate(src, "d"))
	local d = def_of(src)
	assert(table.concat(d.groups, " ") == "a b c", table.concat(d.groups, " "))
	assert(table.concat(d.capabilities, " ") == "CAP_NET_RAW CAP_CHOWN", table.concat(d.capabilities, " "))
	assert(table.concat(d.requires, " ") == "b")
	d = def_of(convert("[Service]\nExecStart=/bin/d\nSupplementaryGroups=a\nSupplementaryGroups=\n"
		.. "SupplementaryGroups=d\nCapabilityBoundingSet=CAP_CHOWN\nCapabilityBoundingSet=\n"
		.. "CapabilityBoundingSet=CAP_KILL\n"))
	assert(table.concat(d.groups, " ") == "d" and table.concat(d.capabilities, " ") == "CAP_KILL")
end

-- an empty RuntimeDirectory= (or StateDirectory=, ...) left the lines
-- before it standing; systemd resets that key's list, and only that one
T["an empty *Directory= resets its own list"] = function()
	local src, notes, errs, extra = convert([[
[Service]
ExecStart=/bin/d
RuntimeDirectory=r1 r2
StateDirectory=s1
RuntimeDirectory=
CacheDirectory=c1
LogsDirectory=l1
ConfigurationDirectory=e1
RuntimeDirectory=r3
StateDirectory=
StateDirectory=s2
CacheDirectory=
LogsDirectory=
ConfigurationDirectory=
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(extra.tmpfiles == "d /run/r3 0755 root - -\nd /var/lib/s2 0755 root - -\n", extra.tmpfiles)
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.key end
	assert(table.concat(got, ", ") == "9 RuntimeDirectory, 11 StateDirectory", table.concat(got, ", "))
	assert(ui.validate(src, "d"))
	-- all reset: no tmpfiles.d lines at all
	_, _, _, extra = convert("[Service]\nExecStart=/bin/d\nRuntimeDirectory=x\nRuntimeDirectory=\n")
	assert(extra.tmpfiles == nil)
end

-- a key is looked up in its own section: [Unit]'s in [Unit], [Service]'s
-- in [Service]; every other line is listed with why
T["keys count in their own section only"] = function()
	local src, notes, errs = convert([[
[Unit]
ExecStart=/in/unit
LimitNOFILE=3
StartLimitBurst=4
StartLimitIntervalSec=20s
[Service]
ExecStart=/bin/d
Description=in service
ConditionHost=x
StartLimitBurst=5
StartLimitInterval=30
LimitNOFILE=7
[Install]
WantedBy=multi-user.target
[X-Custom]
Key=v
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.command[1] == "/bin/d" and #d.command == 1 and d.description == nil)
	assert(d.rlimits.nofile == 7 and d.crash_limit[1] == 5 and d.crash_limit[2] == 30)
	local function reason(key, section)
		for _, n in ipairs(notes) do if n.key == key and n.section == section then return n.kind .. ": " .. n.reason end end
	end
	assert(reason("ExecStart", "Unit") == "unsupported: no luainit equivalent")
	assert(reason("LimitNOFILE", "Unit") == "unsupported: no luainit equivalent")
	assert(reason("Description", "Service") == "unsupported: no luainit equivalent")
	assert(reason("ConditionHost", "Service") == "unsupported: conditions are not checked; the service always starts")
	assert(reason("WantedBy", "Install"):find("^ignored: %[Install%]"))
	assert(reason("Key", "X-Custom") == "unsupported: section [X-Custom] is not converted")
	-- from [Unit], and the interval's default
	d = def_of(convert("[Unit]\nStartLimitBurst=3\n[Service]\nExecStart=/bin/d\n"))
	assert(d.crash_limit[1] == 3 and d.crash_limit[2] == 10)
	d = def_of(convert("[Unit]\nStartLimitBurst=0\nStartLimitIntervalSec=5\n[Service]\nExecStart=/bin/d\n"))
	assert(d.crash_limit == nil)
end

-- StartLimitBurst=, StartLimitIntervalSec= and the *DirectoryMode= keys
-- took any value with no word: a bad count or span was dropped (and the
-- line before with it), a bad mode went into the tmpfiles.d line, which
-- failed the boot's tmpfiles step; now they are listed as the other
-- numbers are (RestartSec=, Nice=, LimitNOFILE=), and the line before stands
T["a number that is not valid is listed, and the line before stands"] = function()
	local src, notes, errs, extra = convert([[
[Unit]
StartLimitBurst=3
StartLimitBurst=x
StartLimitIntervalSec=20
StartLimitIntervalSec=5 parsecs
[Service]
ExecStart=/bin/d
StartLimitBurst=-1
StartLimitBurst=
StartLimitBurst=1.5
StartLimitInterval=soon
RuntimeDirectory=r
RuntimeDirectoryMode=0750
RuntimeDirectoryMode=rwx
StateDirectory=s
StateDirectoryMode=
CacheDirectory=c
CacheDirectoryMode=17777
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.crash_limit[1] == 3 and d.crash_limit[2] == 20)
	assert(extra.tmpfiles == "d /run/r 0750 root - -\nd /var/lib/s 0755 root - -\nd /var/cache/c 0755 root - -\n",
		extra.tmpfiles)
	local want = {
		{ "StartLimitBurst", 3, "not an integer from 0 to 4294967295" }, { "StartLimitIntervalSec", 5, "not a time span" },
		{ "StartLimitBurst", 8, "not an integer from 0 to 4294967295" }, { "StartLimitBurst", 9, "not an integer from 0 to 4294967295" },
		{ "StartLimitBurst", 10, "not an integer from 0 to 4294967295" }, { "StartLimitInterval", 11, "not a time span" },
		{ "RuntimeDirectoryMode", 14, "not an octal mode up to 07777" },
		{ "StateDirectoryMode", 16, "not an octal mode up to 07777" },
		{ "CacheDirectoryMode", 18, "not an octal mode up to 07777" },
	}
	local got = {}
	for _, n in ipairs(notes) do if n.kind == "unsupported" then got[#got + 1] = n end end
	assert(#got == #want, #got)
	for i, w in ipairs(want) do
		assert(got[i].key == w[1] and got[i].line == w[2] and got[i].reason == w[3], i .. ": " .. got[i].key)
	end
	assert(ui.validate(src, "d"))
end

-- systemd reads conditions in [Unit] only; the converter gives one the
-- same note wherever it is, [Install] aside
T["a Condition*= or Assert*= is listed alike in any section but [Install]"] = function()
	local _, notes = convert("[Unit]\nConditionPathExists=/a\n[Service]\nExecStart=/bin/d\nAssertHost=h\n"
		.. "[X-Custom]\nConditionUser=u\n[Install]\nConditionX=1\n")
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = n.section .. " " .. n.key .. ": " .. n.kind .. ": " .. n.reason end
	assert(table.concat(got, "\n") == table.concat({
		"Unit ConditionPathExists: unsupported: conditions are not checked; the service always starts",
		"Service AssertHost: unsupported: conditions are not checked; the service always starts",
		"X-Custom ConditionUser: unsupported: conditions are not checked; the service always starts",
		"Install ConditionX: ignored: [Install]: luainit starts every enabled definition in /etc/luainit/services",
	}, "\n"), table.concat(got, "\n"))
end

T["errors name the line and what was expected"] = function()
	local _, _, errs = convert("NoSection=1\n[Service]\ngarbage line\nExecStart=/bin/d\n[Service\n")
	assert(errs[1] == "line 1: 'NoSection' outside a [section]", errs[1])
	assert(errs[2] == "line 3: expected Key=Value, got 'garbage line'", errs[2])
	assert(errs[3] == "line 5: expected Key=Value, got '[Service'", errs[3])
	_, _, errs = convert('[Service]\nExecStart=/bin/d\nExecStartPre="/bin/x\n')
	assert(errs[1] == 'line 3: ExecStartPre: unterminated " quote' and #errs == 1, errs[1])
	_, _, errs = convert("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n")
	assert(errs[1] == "several ExecStart= lines are only allowed with Type=oneshot", errs[1])
	_, _, errs = convert("[Service]\nExecStart=$EMPTY\n")
	assert(errs[1] == "ExecStart= expands to nothing", errs[1])
end

-- a bad quote in a list was read as an empty list: the line was dropped
-- (SupplementaryGroups=) or reset what the lines before it set, with no
-- word; it is ExecStart='s error, and the line sets nothing. Not for
-- Environment=, *Directory= and the dependencies: see the next tests
T["a bad quote in any list is an error naming the line"] = function()
	local text = "[Unit]\nAfter=a.service\n[Service]\nExecStart=/bin/d\n"
	local skeys = { "SupplementaryGroups", "CapabilityBoundingSet" }
	for _, k in ipairs(skeys) do text = text .. k .. "=x\n" .. k .. "='y z\n" end
	local src, notes, errs = convert(text)
	local want = {}
	for i, k in ipairs(skeys) do want[#want + 1] = string.format("line %d: %s: unterminated ' quote", 4 + 2 * i, k) end
	assert(#errs == #want, table.concat(errs, "\n"))
	for i, w in ipairs(want) do assert(errs[i] == w, errs[i]) end
	-- what the lines before set is kept
	local d = def_of(src)
	assert(#d.groups == 1 and d.groups[1] == "x" and #d.capabilities == 1 and d.capabilities[1] == "x")
	for _, n in ipairs(notes) do assert(not n.reason:find("y z", 1, true), n.reason) end
	-- the tool names the file
	local f = os.tmpname()
	write(f, "[Service]\nExecStart=/bin/d\nSupplementaryGroups='x\n")
	local rc, _, err = run_main({ f })
	os.remove(f)
	assert(rc == 1 and err:find(f .. ": line 3: SupplementaryGroups: unterminated ' quote\n", 1, true), err)
end

-- a bad quote in Environment= or RuntimeDirectory= (and its kin) made
-- the whole line an error. systemd's parsers for them take the words
-- before the bad one, then ignore the rest of the line with a warning;
-- so does the converter, listing the rest with its line
T["Environment= and *Directory= keep the words before a bad quote"] = function()
	local src, notes, errs, extra = convert([[
[Service]
ExecStart=/bin/d $A
Environment=A=1 B=2 "C=3 D=4
Environment='E=5
RuntimeDirectory=r1 r2 'r3
StateDirectory="s1
CacheDirectory=c1
LogsDirectory=l1 "l2
ConfigurationDirectory=e1 'e2 e3
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(ui.validate(src, "d"))
	local d = def_of(src)
	assert(d.env.A == "1" and d.env.B == "2" and d.env.C == nil and d.env.D == nil and d.env.E == nil)
	assert(d.command[2] == "1")
	assert(extra.tmpfiles == "d /run/r1 0755 root - -\nd /run/r2 0755 root - -\nd /var/cache/c1 0755 root - -\n"
		.. "d /var/log/l1 0755 root - -\nd /etc/e1 0755 root - -\n", extra.tmpfiles)
	local got = {}
	for _, n in ipairs(notes) do
		if n.kind == "unsupported" then got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value .. ": " .. n.reason end
	end
	local why = " quote; systemd ignores the line from this word on, and keeps the words before it"
	assert(table.concat(got, "\n") == table.concat({
		'3 Environment="C=3 D=4: unterminated "' .. why, "4 Environment='E=5: unterminated '" .. why,
		"5 RuntimeDirectory='r3: unterminated '" .. why, '6 StateDirectory="s1: unterminated "' .. why,
		'8 LogsDirectory="l2: unterminated "' .. why, "9 ConfigurationDirectory='e2 e3: unterminated '" .. why,
	}, "\n"), table.concat(got, "\n"))
	-- a bad quote resets nothing: the lines before stand
	d = def_of(convert("[Service]\nExecStart=/bin/d\nEnvironment=A=1\nEnvironment=\"B=2\n"))
	assert(d.env.A == "1" and d.env.B == nil)
end

-- Environment=A=\x00 put a NUL in the value (and \xZZ a '?'); systemd's
-- unescaping refuses both, and its Environment= parser keeps the words
-- before; an ExecStart= with one is an error, as a bad quote is
T["a \\x00 or a \\x without two hex digits is refused, not passed on"] = function()
	local src, notes, errs = convert([[
[Service]
ExecStart=/bin/d
Environment=A=1 B=x\x00y C=3
Environment="D=\x00"
Environment=E=\xZZ F=\x4
Environment=G=\x41\x7e
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(not src:find("\0", 1, true), src)
	local d = def_of(src)
	assert(d.env.A == "1" and d.env.B == nil and d.env.C == nil and d.env.D == nil and d.env.E == nil
		and d.env.F == nil and d.env.G == "A~")
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value .. ": " .. n.reason end
	local why = "; systemd ignores the line from this word on, and keeps the words before it"
	local nul = "'\\x00': a NUL, which no value can hold"
	assert(table.concat(got, "\n") == table.concat({
		"3 Environment=B=x\\x00y C=3: " .. nul .. why, '4 Environment="D=\\x00": ' .. nul .. why,
		"5 Environment=E=\\xZZ F=\\x4: '\\xZZ': two hex digits expected after \\x" .. why,
	}, "\n"), table.concat(got, "\n"))
	-- systemd passes a NUL escape of ExecStart= as the text \x00 (it tries
	-- again keeping the escapes it refuses): refused all the same
	local _, _, e2 = convert("[Service]\nExecStart=/bin/d a\\x00\n")
	assert(e2[1] == "line 2: ExecStart: '\\x00': a NUL, which no argument can hold (systemd passes the text "
		.. "as written, with a warning)", table.concat(e2, "; "))
end

-- KillMode= (empty) or KillMode=kill was listed as unsupported with the
-- reason of process and none; systemd ignores such a line (its enum parser
-- has no default to reset to), and an earlier KillMode=process stands
T["an empty or unknown KillMode= is ignored, as systemd does"] = function()
	local src, notes, errs = convert("[Service]\nExecStart=/bin/d\nKillMode=process\nKillMode=\nKillMode=kill\n")
	assert(#errs == 0 and ui.validate(src, "d"), table.concat(errs, "\n"))
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.kind .. " KillMode=" .. n.value end
	assert(table.concat(got, ", ") == "3 unsupported KillMode=process, 4 ignored KillMode=, 5 ignored KillMode=kill",
		table.concat(got, ", "))
	assert(notes[2].reason == "not a kill mode (control-group, mixed, process or none): systemd ignores the line too")
	assert(src:find("-- unsupported: line 3: KillMode=process:", 1, true) and not src:find("KillMode=\n", 1, true), src)
end

-- a bad quote in After=, Requires=, Wants=, Requisite= or BindsTo= made
-- the whole line an error. systemd's config_parse_unit_deps splits the
-- value at whitespace only (a quote is part of the word) and refuses each
-- word that is not a unit name with a warning, keeping the line's other
-- words; so does the converter, listing each such word with its line
T["a dependency word that is not a unit name is listed, the others stand"] = function()
	local src, notes, errs = convert([[
[Unit]
After=a.service "b.service c.service
Requires=r.service 'q.service
Wants="w.service x.service"
Requisite=s.service bad/name.service
BindsTo=t.service nosuffix u.nosuchtype
[Service]
ExecStart=/bin/d
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(ui.validate(src, "d"))
	local d = def_of(src)
	assert(table.concat(d.after, " ") == "a c", table.concat(d.after, " "))
	assert(table.concat(d.requires, " ") == "r s t", table.concat(d.requires, " "))
	assert(d.wants == nil)
	local got = {}
	for _, n in ipairs(notes) do
		if n.kind == "unsupported" then
			assert(n.reason == "not a unit name; systemd ignores this word too, and keeps the line's others", n.reason)
			got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value
		end
	end
	assert(table.concat(got, "\n") == table.concat({
		'2 After="b.service', "3 Requires='q.service", '4 Wants="w.service', '4 Wants=x.service"',
		"5 Requisite=bad/name.service", "6 BindsTo=nosuffix", "6 BindsTo=u.nosuchtype",
	}, "\n"), table.concat(got, "\n"))
	-- the tool lists each with the file and the line, and the conversion stands
	local f = os.tmpname()
	write(f, "[Unit]\nAfter='x.service y.service\n[Service]\nExecStart=/bin/d\n")
	local rc, out, err = run_main({ f })
	os.remove(f)
	assert(rc == 0 and out:find('\tafter = { "y" },', 1, true), out)
	assert(err:find("unsupported: " .. f .. ": line 2: After='x.service: not a unit name; ", 1, true), err)
end

-- Requires=, Requisite= and BindsTo= naming one unit put it in requires
-- as often; each list holds a name once, where it was first named
T["a dependency named twice is listed once, in its first place"] = function()
	local src, _, errs = convert([[
[Unit]
Requires=a.service b.service
Requisite=b.service c.service
BindsTo=a.service d.service c.service
Wants=w.service w.service
Wants=x.service w.service network-online.target
After=z.service y.service
After=y.service z.service network-online.target network-online.target remote-fs.target
[Service]
ExecStart=/bin/d
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(table.concat(d.requires, " ") == "a b c d", table.concat(d.requires, " "))
	assert(table.concat(d.wants, " ") == "w x network-online", table.concat(d.wants, " "))
	assert(table.concat(d.after, " ") == "z y network-online remote-fs", table.concat(d.after, " "))
	-- after leaves out what requires already orders, once
	d = def_of(convert("[Unit]\nAfter=a.service b.service a.service\nRequires=a.service a.service\n"
		.. "[Service]\nExecStart=/bin/d\n"))
	assert(table.concat(d.requires, " ") == "a" and table.concat(d.after, " ") == "b")
end

-- the comment above the code that leaves requires out of after said that
-- wants orders as well; it does not (docs/services.md: started alongside,
-- not first), so a unit both wanted and after stays in after, as systemd
-- orders Wants=+After=
T["after keeps a wanted unit: wants does not order"] = function()
	local src = convert("[Unit]\nWants=w.service r.service\nRequires=r.service\nAfter=w.service r.service\n"
		.. "[Service]\nExecStart=/bin/d\n")
	assert(ui.validate(src, "d"))
	local d = def_of(src)
	assert(table.concat(d.wants, " ") == "w r" and table.concat(d.requires, " ") == "r")
	assert(table.concat(d.after, " ") == "w", table.concat(d.after, " "))
end

-- Requisite= and BindsTo= were noted as converted to requires for a line
-- that was not: one naming no service (each name dropped with its own
-- note), also for want of a unit name (a bad quote, once an error)
T["Requisite= and BindsTo= are noted only for a line that went to requires"] = function()
	local _, notes, errs = convert([[
[Unit]
Requisite=a.service
Requisite="b.service
BindsTo='c.service
BindsTo=dev-x.device
BindsTo=sys-y.device d.service
Requisite=
[Service]
ExecStart=/bin/d
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	local got = {}
	for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value .. ": " .. n.kind end
	assert(table.concat(got, "\n") == table.concat({
		"2 Requisite=a.service: note",
		'3 Requisite="b.service: unsupported',
		"4 BindsTo='c.service: unsupported",
		"5 BindsTo=dev-x.device: note",
		"6 BindsTo=sys-y.device d.service: note",
		"6 BindsTo=sys-y.device: note",
		"7 Requisite=: ignored",
	}, "\n"), table.concat(got, "\n"))
end

-- since the test above, a BindsTo= naming only a device got only an
-- ignored note, and ignored notes stay out of the header: the converted
-- serial-getty@ttyS0 no longer said that luainit does not stop it when
-- the device goes away, as systemd does. The dropped unit of a BindsTo=
-- line is a note now, with that caveat; the line is still not said to
-- go to requires, and After= a device stays ignored
T["a BindsTo= on a device keeps its caveat in the header"] = function()
	local src, notes, errs = convert([[
[Unit]
BindsTo=dev-%i.device
After=dev-%i.device
Requisite=dev-%i.device
[Service]
ExecStart=-/sbin/agetty - $TERM
TTYPath=/dev/%I
]], { file = "serial-getty@.service", instance = "ttyS0", env = { TERM = "vt220" } })
	assert(#errs == 0, table.concat(errs, "\n"))
	assert(ui.validate(src, "serial-getty@ttyS0"))
	local d = def_of(src)
	assert(d.requires == nil and d.after == nil)
	local got = {}
	for _, n in ipairs(notes) do
		if n.section == "Unit" then got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value .. ": " .. n.kind end
	end
	assert(table.concat(got, "\n") == table.concat({
		"2 BindsTo=dev-ttyS0.device: note",
		"3 After=dev-ttyS0.device: ignored",
		"4 Requisite=dev-ttyS0.device: ignored",
	}, "\n"), table.concat(got, "\n"))
	assert(src:find("\n-- note: line 2: BindsTo=dev-ttyS0.device: devices appear before services start "
		.. "(boot.coldplug()); BindsTo: systemd stops this service when that unit stops or goes away, "
		.. "luainit does not\n", 1, true), src)
	assert(not src:find("converted to requires", 1, true) and not src:find("After=", 1, true), src)
	-- a line naming a service and a device: the service goes to requires,
	-- noted as such, and the device keeps the caveat
	src = convert("[Unit]\nBindsTo=a.service dev-x.device\n[Service]\nExecStart=/bin/d\n")
	assert(table.concat(def_of(src).requires, " ") == "a")
	assert(src:find("-- note: line 2: BindsTo=a.service dev-x.device: converted to requires", 1, true), src)
	assert(src:find("-- note: line 2: BindsTo=dev-x.device: devices appear", 1, true), src)
end

T["oneshot: the ExecStart= lines run in order, a '-' one may fail"] = function()
	local src, notes, errs = convert([[
[Service]
Type=oneshot
ExecStart=/bin/one ; /bin/two 'a b'
ExecStart=-/bin/three
]])
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(d.command[3] == "/bin/one && /bin/two 'a b' && { /bin/three || true; }", d.command[3])
	assert(note_for(notes, "ExecStart", "note").line == 4)
	assert(src:find("ExecStartPre= (and extra ExecStart=) lines run in /bin/sh", 1, true))
end

T["a template's DefaultInstance=, and the specifiers"] = function()
	local text = "[Unit]\nDescription=%n %N %p %i %j %f %t %%%z\n[Service]\nExecStart=/bin/x %I\n"
		.. "[Install]\nDefaultInstance=tty1\n"
	local src, notes, errs, extra = convert(text, { file = "/lib/a-b@.service" })
	assert(#errs == 0, table.concat(errs, "\n"))
	local d = def_of(src)
	assert(extra.name == "a-b@tty1" and d.command[2] == "tty1")
	assert(d.description == "a-b@tty1.service a-b@tty1 a-b tty1 b /tty1 /run %%z", d.description)
	local n = note_for(notes, "Description", "note")
	assert(n.line == 2 and n.reason == "specifier %z is not known to the converter; left as is")
	-- --instance wins over DefaultInstance=
	_, _, _, extra = convert(text, { file = "/lib/a-b@.service", instance = "ttyS0", name = "getty" })
	assert(extra.name == "getty" and extra.def.command[2] == "ttyS0")
end

-- every field on one line, in FIELD_ORDER, then the rest; nested tables
-- inline, keys sorted; an empty table is {} (it was "{ }")
T["render writes each field as one line of Lua"] = function()
	local src = ui.render({
		zz = "last", command = { "/bin/d", "a \"b\"\n" }, env = { B = "2", A = "1", ["X-Y"] = "" },
		rlimits = { nofile = { 1, "infinity" }, core = math.huge }, umask = { __lua = 'tonumber("022", 8)' },
		restart_delay = 0.5, no_new_privs = true, capabilities = {}, cgroup = { x = {} },
	}, { "head" })
	assert(src == table.concat({
		"-- head",
		"return {",
		'\tcommand = { "/bin/d", "a \\"b\\"\\n" },',
		'\tenv = { A = "1", B = "2", ["X-Y"] = "" },',
		'\tumask = tonumber("022", 8),',
		"\trestart_delay = 0.5,",
		'\trlimits = { core = math.huge, nofile = { 1, "infinity" } },',
		"\tno_new_privs = true,",
		"\tcapabilities = {},",
		"\tcgroup = { x = {} },",
		'\tzz = "last",',
		"}", "" }, "\n"), src)
	-- an empty CapabilityBoundingSet= (keep none) is such a table
	src = convert("[Service]\nExecStart=/bin/d\nCapabilityBoundingSet=\n")
	assert(src:find("\n\tcapabilities = {},\n", 1, true), src)
	assert(ui.validate(src, "d"))
end

-- a float was written with 17 significant digits, so RestartSec=100ms
-- became restart_delay = 0.10000000000000001; it is written in the fewest
-- digits that read back as the same number
T["render writes a float in the fewest digits that read back the same"] = function()
	for _, x in ipairs({ 0.1, 0.5, 1.5, 2.0, 0.3, 1 / 3, 1e-7, 123456.789, 2 ^ 53 + 0.0, 0.1 + 0.2 }) do
		local src = ui.render({ restart_delay = x })
		local lit = src:match("\trestart_delay = (.-),\n")
		assert(load("return " .. lit)() == x, lit)
		if x == 0.1 or x == 0.3 or x == 1.5 then assert(lit == tostring(x), lit) end
	end
	assert(ui.render({ restart_delay = 1 / 3 }):find("= 0.3333333333333333,", 1, true))
	assert(ui.render({ restart_delay = 0.1 + 0.2 }):find("= 0.30000000000000004,", 1, true))
	local d = def_of(convert("[Service]\nExecStart=/bin/d\nRestartSec=100ms\n"))
	assert(d.restart_delay == 0.1)
	assert(convert("[Service]\nExecStart=/bin/d\nRestartSec=100ms\n"):find("\n\trestart_delay = 0.1,\n", 1, true))
end

-- RestartSteps= and RestartMaxDelaySec= (systemd 254) were listed as
-- "no luainit equivalent" with nothing on what is lost; together they
-- grow the delay in steps, which luainit has not: both are listed as
-- unsupported with their lines, and the delay stays RestartSec='s. Alone,
-- with RestartSteps=0 or RestartMaxDelaySec=infinity, systemd does not
-- step either: listed as ignored
T["RestartSteps= and RestartMaxDelaySec= are listed, not converted"] = function()
	local function conv(lines)
		local d, notes, src = U.service("Restart=always\nRestartSec=1\n" .. lines)
		local got = {}
		for _, n in ipairs(notes) do got[#got + 1] = n.line .. " " .. n.key .. "=" .. n.value .. ": " .. n.kind end
		return d, table.concat(got, ", "), notes, src
	end
	local d, got, notes, src = conv("RestartSteps=5\nRestartMaxDelaySec=30\n")
	assert(d.restart_delay == 1 and d.restart_max_delay == 1)
	assert(got == "5 RestartSteps=5: unsupported, 6 RestartMaxDelaySec=30: unsupported", got)
	assert(notes[1].reason:find("^no stepped restart delay: systemd grows the delay from RestartSec= to "
		.. "RestartMaxDelaySec= in 5 steps; luainit waits restart_delay every time"), notes[1].reason)
	assert(src:find("\n-- unsupported: line 5: RestartSteps=5: no stepped restart delay", 1, true), src)
	local ignored = "no effect in systemd either: the delay is stepped only with RestartSteps= above 0 "
		.. "and a finite RestartMaxDelaySec="
	for _, lines in ipairs({ "RestartSteps=3\n", "RestartMaxDelaySec=1min\n", "RestartSteps=0\nRestartMaxDelaySec=9\n",
		"RestartMaxDelaySec=infinity\nRestartSteps=2\n", "RestartSteps=4\nRestartMaxDelaySec=9\nRestartSteps=0\n" }) do
		d, got, notes = conv(lines)
		assert(d.restart_delay == 1 and d.restart_max_delay == 1, lines)
		assert(not got:find("unsupported", 1, true) and got:find("ignored", 1, true), lines .. ": " .. got)
		for _, n in ipairs(notes) do assert(n.reason == ignored, n.reason) end
	end
	d, got = conv("RestartSteps=x\nRestartSteps=-1\nRestartMaxDelaySec=soon\n")
	assert(got == "5 RestartSteps=x: unsupported, 6 RestartSteps=-1: unsupported, "
		.. "7 RestartMaxDelaySec=soon: unsupported", got)
	-- the tool names the file and the line
	local f = os.tmpname()
	write(f, "[Service]\nExecStart=/bin/d\nRestart=always\nRestartSteps=5\nRestartMaxDelaySec=30\n")
	local rc, _, err = run_main({ f })
	os.remove(f)
	assert(rc == 0 and err:find("unsupported: " .. f .. ": line 4: RestartSteps=5: no stepped restart delay", 1, true), err)
end

T["time spans"] = function()
	assert(ui.seconds("90") == 90 and ui.seconds("1min 30s") == 90 and ui.seconds("100ms") == 0.1)
	assert(ui.seconds("2h") == 7200 and ui.seconds("infinity") == math.huge and ui.seconds("x") == nil)
	-- as systemd's parse_time reads them: months (30.44 days), years
	-- (365.25), microseconds as µs; several numbers, each with its unit or
	-- none; a fraction counted to the microsecond
	for s, want in pairs({ ["1M"] = 2629800, ["1y"] = 31557600, ["2\u{b5}s"] = 2e-6, ["2\u{3bc}s"] = 2e-6,
		["5s30"] = 35, ["12.34 .56"] = 12.9, [".5s"] = 0.5, ["1 2"] = 3, ["+5"] = 5, ["1.5h"] = 5400,
		["1w 2d"] = 777600, [" infinity "] = math.huge, ["0.0000009"] = 0, ["1.0000015"] = 1.000001 }) do
		assert(ui.seconds(s) == want, s .. ": " .. tostring(ui.seconds(s)))
	end
	for _, s in ipairs({ "3.", "3.s", "12.34.56", "5x", "-0", "1e3", "", "infinity 5", "5 infinity", "1 fortnight",
		"9223372036854775808us", "0x10" }) do
		assert(ui.seconds(s) == nil, s .. ": " .. tostring(ui.seconds(s)))
	end
	local unitfile = require "unitfile"
	assert(unitfile.usec("5", 1) == 5 and unitfile.usec("5", 1000000) == 5000000 and unitfile.usec("1.5ms", 1) == 1500)
end

-- whether another cgroup v2 memory key sets something was read with a
-- pattern of its own, which took no fraction and no sum: MemoryHigh=1.5G
-- set nothing, and MemoryLimit=1G became memory_max where systemd ignores it
T["a memory size with a fraction or in parts sets a cgroup v2 memory key: MemoryLimit= is ignored"] = function()
	for _, v in ipairs({ "1.5G", "1G 512M" }) do
		local unit = "[Service]\nExecStart=/bin/d\nMemoryHigh=" .. v .. "\nMemoryLimit=1G\n"
		local src, notes = convert(unit)
		assert(not (def_of(src).cgroup or {}).memory_max, src)
		local n = note_for(notes, "MemoryLimit")
		assert(n.kind == "ignored" and n.line == 4 and n.reason == "the deprecated spelling of MemoryMax=; systemd "
			.. "ignores it where MemoryHigh= (a cgroup v2 memory setting) is set", v .. ": " .. n.reason)
	end
	-- MemoryLow= at a size of 0 bytes, however written, still sets nothing
	local src = convert("[Service]\nExecStart=/bin/d\nMemoryLow=0.0001K\nMemoryLimit=1G\n")
	assert(def_of(src).cgroup.memory_max == "1G", src)
end

-- systemd ignores a memory line out of its range ("Memory limit '...'
-- out of range, ignoring."): 2^64 - 1 bytes, however written, for every
-- key; 0 for MemoryHigh= and the other keys that do not take it; and a
-- percentage over 100 (no size). Such a line set nothing here, where it
-- counted as set and made MemoryLimit= ignored.
T["a cgroup v2 memory line systemd ignores as out of range leaves MemoryLimit= in force"] = function()
	for _, v in ipairs({ "MemoryHigh=18446744073709551615", "MemoryHigh=16383P 1023T 1023G 1023M 1023K 1023B",
		"MemorySwapMax=18446744073709551615", "MemoryMin=18446744073709551615", "MemoryHigh=0",
		"MemoryHigh=0K", "StartupMemoryMax=0", "MemoryHigh=0%", "MemoryHigh=150%", "MemoryHigh=50.%",
		"MemoryHigh=12.345%", "MemoryHigh=1001\u{2030}", "MemoryMin=0\u{2031}" }) do
		local src, notes = convert("[Service]\nExecStart=/bin/d\n" .. v .. "\nMemoryLimit=1G\n")
		assert((def_of(src).cgroup or {}).memory_max == "1G", v .. ": " .. src)
		assert(note_for(notes, "MemoryLimit").kind == "note", v)
	end
	-- 0 is in range for the swap keys, where it sets a limit of none
	-- (and a size memory_size reads with a note: in bytes, or decimal)
	for _, v in ipairs({ "MemorySwapMax=0", "MemoryZSwapMax=0K", "MemoryHigh=18446744073709551614", "MemoryHigh=100%",
		"MemoryHigh=1.5G", "MemoryMin=1G 512M", "MemoryLow=010K",
		"MemoryHigh=12.34%", "MemoryHigh=500\u{2030}", "MemoryHigh=5000\u{2031}",
		-- the Startup keys but StartupMemoryLow= count as set by any line systemd takes
		"StartupMemoryHigh=infinity", "StartupMemoryMax=", "StartupMemorySwapMax=0", "StartupMemoryZSwapMax=infinity" }) do
		local src, notes = convert("[Service]\nExecStart=/bin/d\n" .. v .. "\nMemoryLimit=1G\n")
		assert(not (def_of(src).cgroup or {}).memory_max, v .. ": " .. src)
		assert(note_for(notes, "MemoryLimit").kind == "ignored", v)
	end
end

return T
