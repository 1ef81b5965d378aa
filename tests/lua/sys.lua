-- tests/lua/sys.lua: luainit.sys. Runs on a host: nothing here changes the
-- machine (the hostname is set to its current value only; reboot and kmsg
-- are refused or silent in script mode).
local sys = require "luainit.sys"
local fs = require "luainit.fs"
local raises = dofile("tests/lua/_util.lua").raises

local T = {}

local function fails(name, ok, msg, errno, ename)
	assert(ok == nil, "expected failure " .. name .. ", got " .. tostring(ok))
	assert(type(msg) == "string" and type(errno) == "number", tostring(msg))
	assert(ename == name, "expected " .. name .. ", got " .. tostring(ename) .. ": " .. msg)
	return msg
end

local function same(a, b)
	if #a ~= #b then return false end
	for i = 1, #a do if a[i] ~= b[i] then return false end end
	return true
end

T["cmdline parses a realistic line: quotes, repeated keys, --"] = function()
	local line = 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1b2c-33 ro quiet ' ..
		'console=tty0 console=ttyS0,115200n8 luainit.boot="/etc/my boot.lua" ' ..
		'"rd.note=a b  c" empty= nomodeset -- single --verbose x=1\n'
	local t = assert(sys.cmdline(line))
	assert(t.BOOT_IMAGE == "/boot/vmlinuz-6.1.0-18-amd64")
	assert(t.root == "UUID=1b2c-33", t.root) -- split at the first '='
	assert(t.ro == true and t.quiet == true and t.nomodeset == true)
	assert(t.console == "ttyS0,115200n8", "the last occurrence wins")
	assert(same(t.all.console, { "tty0", "ttyS0,115200n8" }))
	assert(same(t.all.ro, { true }))
	assert(t["luainit.boot"] == "/etc/my boot.lua", t["luainit.boot"])
	assert(t["rd.note"] == "a b  c", t["rd.note"])
	assert(t.empty == "")
	assert(t.single == nil and t.x == nil, "words after -- are init's")
	assert(same(t.init_args, { "single", "--verbose", "x=1" }))
	assert(#t.words == 10, #t.words)
	assert(t.words[1] == "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64")
	assert(t.words[7] == "luainit.boot=/etc/my boot.lua", t.words[7])
	assert(t.words[8] == "rd.note=a b  c", t.words[8])
end

T["cmdline edge cases: empty, tabs, no --, quoted value with ="] = function()
	local t = assert(sys.cmdline(""))
	assert(#t.words == 0 and #t.init_args == 0 and next(t.all) == nil)
	t = assert(sys.cmdline("\ta=1\t\tb=\"x=y\"\n"))
	assert(t.a == "1" and t.b == "x=y")
	assert(same(t.words, { "a=1", "b=x=y" }))
	assert(#t.init_args == 0)
	t = assert(sys.cmdline("a -- -- b"))
	assert(same(t.init_args, { "--", "b" }))
	-- the words after a NUL byte were dropped: "a=1\0b=2" was a=1 alone
	local ok, err = pcall(sys.cmdline, "a=1\0b=2")
	assert(not ok and err:find("(string without NUL bytes expected, got a NUL at byte 4)", 1, true), err)
	t = assert(sys.cmdline('k=""'))
	assert(t.k == "")
end

T["cmdline: an unterminated quote runs to the end of the line, with a warning"] = function()
	-- as the kernel's next_arg(): the words before it still count
	local t, warn = sys.cmdline('root=/dev/sda1 foo="bar baz')
	assert(t and t.root == "/dev/sda1" and t.foo == "bar baz", tostring(warn))
	assert(warn == "cmdline: unterminated quote at column 20: it runs to the end of the line", warn)
	assert(same(t.words, { "root=/dev/sda1", "foo=bar baz" }))
	t, warn = sys.cmdline('ro "quiet luainit.debug\n')
	assert(t.ro == true and t["quiet luainit.debug"] == true and t.quiet == nil, "one word, newline dropped")
	assert(warn:match("column 4:"), warn)
	t, warn = sys.cmdline('a="x" b="y -- single')
	assert(t.a == "x" and t.b == "y -- single" and #t.init_args == 0, "the quote hides the --")
	assert(warn:match("column 9:"), warn)
	t, warn = sys.cmdline('a=1 "  \n')
	assert(same(t.words, { "a=1" }) and warn:match("column 5:"), "an empty word is dropped")
	t, warn = sys.cmdline('a="x y" b')
	assert(t.a == "x y" and t.b == true and warn == nil, "balanced quotes: no warning")
end

T["cmdline without an argument reads /proc/cmdline"] = function()
	local t = assert(sys.cmdline())
	assert(type(t.words) == "table" and type(t.all) == "table" and type(t.init_args) == "table")
	local raw = assert(fs.readfile("/proc/cmdline"))
	if raw:find('"', 1, true) then return end
	local n = 0
	for _ in raw:gmatch("%S+") do n = n + 1 end
	assert(#t.words + #t.init_args + (raw:match("%f[%S]%-%-%f[%s]") and 1 or 0) == n)
end

T["hostname: read, set to itself; bad names raise"] = function()
	local name = sys.hostname()
	assert(type(name) == "string" and #name > 0)
	assert(name == sys.uname().nodename)
	assert(sys.sethostname(name))
	assert(sys.hostname() == name)
	raises("64", sys.sethostname, string.rep("x", 65))
	local ok, err = pcall(sys.sethostname, "a\0b")
	assert(not ok and err:find("(string without NUL bytes expected, got a NUL at byte 2)", 1, true), err)
end

T["uname and sysinfo"] = function()
	local u = sys.uname()
	assert(u.sysname == "Linux")
	assert(u.release == sys.sysctl_get("kernel.osrelease"))
	assert(#u.machine > 0 and #u.version > 0)
	local si = assert(sys.sysinfo())
	assert(si.uptime > 0 and si.procs > 0)
	assert(si.totalram > 1024 * 1024 and si.freeram <= si.totalram)
	assert(si.freeswap <= si.totalswap and si.sharedram >= 0 and si.bufferram >= 0)
	assert(#si.loads == 3 and math.type(si.loads[1]) == "float")
end

T["clocks: monotonic increases, boottime >= monotonic, realtime is now"] = function()
	local a = sys.clock()
	local b = sys.clock("monotonic")
	assert(math.type(a) == "float" and b >= a)
	assert(sys.clock("boottime") >= b)
	assert(math.abs(sys.clock("realtime") - os.time()) < 2)
	assert(not pcall(sys.clock, "cpu"))
end

T["getrandom gives n bytes; n above 4096 raises"] = function()
	local s = assert(sys.getrandom(32))
	assert(#s == 32 and s ~= sys.getrandom(32))
	assert(#sys.getrandom(4096, "insecure") == 4096)
	assert(#sys.getrandom(16, "nonblock") == 16)
	assert(sys.getrandom(0) == "")
	assert(not pcall(sys.getrandom, 4097))
	assert(not pcall(sys.getrandom, -1))
	assert(not pcall(sys.getrandom, 8, "random"))
end

-- regression: a key with a slash anywhere was taken as a path, so
-- sysctl.d(5)'s "net.ipv4.conf.eth0/100.forwarding" (first separator a
-- dot: slashes are the dots of the interface name) was ENOENT; the first
-- separator decides, as sysctl(8) and systemd-sysctl read it
T["sysctl keys: the first separator decides, a slash after a dot is a dot of the name"] = function()
	local out = dofile("tests/lua/_util.lua").in_netns([[
		local sys = require "luainit.sys"
		assert(os.execute("ip link add d0.5 type veth peer name e0.5"), "ip: not found")
		for _, k in ipairs({ "net.ipv4.conf.d0/5.forwarding", "net/ipv4/conf/d0.5/forwarding",
			"net.ipv4.conf.lo.forwarding", "net/ipv4.conf/d0.5/forwarding" }) do
			print(k, sys.sysctl_get(k), (select(2, sys.sysctl_get(k))))
		end
		print(pcall(sys.sysctl_get, "net.//.ipv4"))
		print(sys.sysctl_set("net.ipv4.conf.d0/5.forwarding", "1"), sys.sysctl_get("net/ipv4/conf/d0.5/forwarding"))
	]])
	assert(out:find("net.ipv4.conf.d0/5.forwarding\t0\t", 1, true), out)
	assert(out:find("net/ipv4/conf/d0.5/forwarding\t0\t", 1, true), out)
	assert(out:find("net.ipv4.conf.lo.forwarding\t0\t", 1, true), out)
	-- a slash first: a path, whose dots stay dots
	assert(out:find("net/ipv4.conf/d0.5/forwarding\tnil\tsysctl net/ipv4.conf/d0.5/forwarding: No such file", 1, true), out)
	-- swapped, "net.//.ipv4" is net/../ipv4: it may not leave /proc/sys
	assert(out:find("false\t[^\n]*must not start with '/' or hold '%.%.'"), out)
	assert(out:find("true\t1\n", 1, true), out)
end

T["sysctl_get reads dotted and slash keys; bad keys"] = function()
	assert(sys.sysctl_get("kernel.ostype") == "Linux")
	assert(sys.sysctl_get("kernel/ostype") == "Linux")
	local v = sys.sysctl_get("kernel.printk")
	assert(v and not v:find("\n"), v)
	local msg = fails("ENOENT", sys.sysctl_get("net.ipv4.foo"))
	assert(msg == "sysctl net.ipv4.foo: No such file or directory", msg)
	msg = fails("ENOENT", sys.sysctl_set("net.ipv4.foo", "1"))
	assert(msg == "sysctl net.ipv4.foo: No such file or directory", msg)
	-- read-only for root too
	fails("EACCES", sys.sysctl_set("kernel.ostype", "Plan9"))
	assert(sys.sysctl_get("kernel.ostype") == "Linux")
	for _, bad in ipairs { "../etc/passwd", "/proc/sys/kernel/ostype", "kernel..ostype", "" } do
		assert(not pcall(sys.sysctl_get, bad), bad)
		assert(not pcall(sys.sysctl_set, bad, "1"), bad)
	end
	-- a key stopped at its first NUL ("kernel.ostype\0x" read
	-- kernel.ostype); "" said "empty sysctl key" for "\0x" too
	for _, f in ipairs({ sys.sysctl_get, sys.sysctl_set }) do
		local ok, err = pcall(f, "kernel.ostype\0x", "1")
		assert(not ok and err:find("(string without NUL bytes expected, got a NUL at byte 14)", 1, true), err)
		ok, err = pcall(f, "\0x", "1")
		assert(not ok and err:find("(string without NUL bytes expected, got a NUL at byte 1)", 1, true), err)
	end
end

T["sysctl_set writes a value (to its current value)"] = function()
	local cur = assert(sys.sysctl_get("kernel.printk_ratelimit"))
	assert(sys.sysctl_set("kernel.printk_ratelimit", cur))
	assert(sys.sysctl_set("kernel/printk_ratelimit", tonumber(cur)))
	assert(sys.sysctl_get("kernel.printk_ratelimit") == cur)
end

T["kmsg accepts levels by name and number, writes nothing in script mode"] = function()
	assert(sys.kmsg("info", "test message") == true)
	assert(sys.kmsg(3, "test message") == true)
	assert(not pcall(sys.kmsg, "loud", "x"))
	assert(not pcall(sys.kmsg, 8, "x"))
	assert(not pcall(sys.kmsg, "info"))
	-- a level neither a name nor an integer is named ("string expected"
	-- said nothing of numbers, and 1.5 "no integer representation")
	for _, c in ipairs({ { 1.5, "got non-integer number 1.5" }, { nil, "got nil" }, { {}, "got table" } }) do
		local ok, err = pcall(sys.kmsg, c[1], "x")
		assert(not ok and err:find("(level name or number expected, " .. c[2] .. ")", 1, true), err)
	end
	assert(sys.kmsg(3.0, "test message") == true)
end

T["reboot is refused in script mode; an unknown command raises"] = function()
	assert(not pcall(sys.reboot, "explode"))
	fails("EPERM", sys.reboot("cad_off"))
end

T["console, is_container, getpid"] = function()
	fails("ENOENT", sys.console("/dev/luainit-no-such-tty"))
	local c = sys.is_container()
	assert(c == false or (type(c) == "string" and #c > 0))
	assert(sys.getpid() == tonumber(fs.readlink("/proc/self")))
end

T["swapoff_all walks a swaps file; errors are strings"] = function()
	local dir = "/tmp/luainit-sys-" .. sys.getpid()
	assert(fs.mkdirp(dir))
	local swaps = dir .. "/swaps"
	assert(fs.writefile(swaps, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" ..
		dir .. "/no\\040such\\040file                          file\t\t1024\t\t0\t\t-2\n" ..
		swaps .. "                        file\t\t1024\t\t0\t\t-3\n"))
	local n, errs = sys.swapoff_all(swaps)
	fs.unlink(swaps)
	fs.rmdir(dir)
	assert(n == 0 and #errs == 2, tostring(errs[1]))
	assert(errs[1] == "swapoff " .. dir .. "/no such file: No such file or directory", errs[1])
	assert(errs[2]:sub(1, #swaps + 10) == "swapoff " .. swaps .. ": ", errs[2])
	n, errs = sys.swapoff_all(dir .. "/none")
	assert(n == 0 and #errs == 0)
end

T["mount_points: the whole mounts file, last first, escapes decoded"] = function()
	local dir = "/tmp/luainit-sys-mounts-" .. sys.getpid()
	assert(fs.mkdirp(dir))
	local path = dir .. "/mounts"
	-- 4000 lines, ~200 kB: the C fallback shutdown once read only 8 kB
	-- and 128 lines of it, and unmounted the first mounts, not the last
	local lines = {}
	for i = 1, 4000 do lines[i] = string.format("dev%d /mnt/m%04d ext4 rw,relatime 0 0", i, i) end
	lines[#lines + 1] = "tmpfs /mnt/a\\040b\\011c\\012d\\134e\\134040 tmpfs rw 0 0"
	lines[#lines + 1] = "malformed"
	assert(fs.writefile(path, table.concat(lines, "\n") .. "\n"))
	local got = assert(sys.mount_points(path))
	assert(#got == 4001, #got)
	assert(got[1] == "/mnt/a b\tc\nd\\e\\040", got[1])
	assert(got[2] == "/mnt/m4000" and got[4001] == "/mnt/m0001", got[2] .. " " .. got[4001])
	-- a capped heap: a push that runs out of memory part-way frees the buffer
	dofile("tests/lua/_util.lua").no_rss_growth_when_oom(function() sys.mount_points(path) end, 60, 4096)
	fails("ENOENT", sys.mount_points(dir .. "/none"))
	fs.unlink(path)
	fs.rmdir(dir)
	local real = assert(sys.mount_points())
	assert(real[#real] and real[#real]:sub(1, 1) == "/", tostring(real[#real]))
end

return T
