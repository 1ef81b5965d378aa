-- tests/lua/stage.lua: boot-step helpers that need no machine to change.
local stage = require "stage"
local netmounts = require "netmounts"
local fs = require "luainit.fs"
local process = require "luainit.process"

local T = {}

T["sysctl files parse with comments, '-' and errors with file:line"] = function()
	local items, errs = stage.parse_sysctl([[
# comment
; also a comment
kernel.printk = 4 4 1 7
-net.ipv4.ip_forward=1
vm.swappiness   =   10
this line is wrong
]], "/etc/sysctl.conf")
	assert(#items == 3)
	assert(items[1].key == "kernel.printk" and items[1].value == "4 4 1 7")
	assert(items[2].ignore and items[2].key == "net.ipv4.ip_forward")
	assert(items[3].line == 5)
	assert(#errs == 1 and errs[1]:match("^/etc/sysctl.conf:6: expected 'key = value'"), errs[1])
	-- a key that would leave /proc/sys is an error of its line, not of the file
	items, errs = stage.parse_sysctl("foo..bar = 1\n-/etc/x = 2\nvm.swappiness = 10\n", "/etc/sysctl.d/10-a.conf")
	assert(#items == 1 and items[1].key == "vm.swappiness")
	assert(#errs == 2 and errs[1]:match("^/etc/sysctl.d/10%-a.conf:1: bad key 'foo..bar'")
		and errs[2]:match(":2: bad key '/etc/x'"), table.concat(errs, "; "))
end

-- regression: a key sys.sysctl_set refuses (longer than a /proc/sys
-- path takes) raised out of boot.sysctl(): the step failed with a
-- traceback and every setting after that line was lost. It is an error
-- of its file:line, and the rest is applied. The host's sysctl.d
-- directories are covered here (the unit tier's mount namespace).
T["sysctl: a key the binding refuses is file:line, the settings after it applied"] = function()
	local sys, log = require "luainit.sys", require "log"
	local cur = assert(sys.sysctl_get("kernel.printk_ratelimit"))
	local covered = {}
	for _, d in ipairs({ "/usr/lib/sysctl.d", "/run/sysctl.d", "/etc/sysctl.d" }) do
		if fs.stat(d) then assert(fs.mount("tmpfs", d, "tmpfs")) covered[#covered + 1] = d end
	end
	if fs.stat("/etc/sysctl.conf") then
		assert(fs.mount("/dev/null", "/etc/sysctl.conf", nil, "bind"))
		covered[#covered + 1] = "/etc/sysctl.conf"
	end
	local dir = "/etc/sysctl.d"
	if not fs.stat(dir) then dir = "/usr/lib/sysctl.d" end
	local ok, res = pcall(function()
		assert(fs.writefile(dir .. "/50-t.conf", table.concat({
			"kernel." .. string.rep("x", 300) .. " = 1",
			"-kernel.a.//.b = 1",
			"kernel.printk_ratelimit = " .. cur,
		}, "\n") .. "\n"))
		return { stage.sysctl() }
	end)
	for i = #covered, 1, -1 do fs.umount(covered[i]) end
	assert(ok, res)
	local ring = table.concat(log.ring(10), "\n")
	assert(res[1] == false and res[2] == "2 setting(s) failed", ring)
	assert(ring:find(dir .. "/50-t.conf:1: bad key 'kernel.xxx", 1, true), ring)
	assert(ring:find("x': sysctl key too long", 1, true), ring)
	assert(ring:find(dir .. "/50-t.conf:2: bad key 'kernel.a.//.b': sysctl key must not start with '/' or hold '..'", 1, true), ring)
	assert(not ring:find("traceback", 1, true), ring)
	assert(ring:find("[FAILED] apply sysctl settings: 2 setting(s) failed", 1, true), ring)
end

T["conf_d orders by file name, later directories override"] = function()
	local base = "/tmp/luainit-test-confd." .. process.getpid()
	fs.mkdirp(base .. "/a"); fs.mkdirp(base .. "/b")
	fs.writefile(base .. "/a/10-x.conf", "a")
	fs.writefile(base .. "/a/20-y.conf", "a")
	fs.writefile(base .. "/b/10-x.conf", "b")
	fs.writefile(base .. "/b/notes.txt", "b")
	local files = stage.conf_d({ base .. "/a", base .. "/b", base .. "/missing" }, ".conf")
	assert(#files == 2)
	assert(files[1] == base .. "/b/10-x.conf", files[1])
	assert(files[2] == base .. "/a/20-y.conf", files[2])
end

-- a luainit.break= that names no step (a typo) was silently never met
T["luainit.break= that no step met is a warning naming the steps"] = function()
	local saved = stage.cmdline
	stage.cmdline = { ["luainit.break"] = "hostnme" }
	local ok, err = pcall(function()
		stage.step("set the hostname (test)", function() return true end, { id = "hostname-test" })
		stage.step("a step of one's own (test)", function() return true end)
		local w = stage.break_unmet()
		assert(w and w:find("^luainit.break=hostnme: no boot step has that id, so the boot did not stop; "
			.. "the steps were: .*hostname%-test, a step of one's own %(test%)$"), w)
		for _, bare in ipairs({ true, "" }) do
			stage.cmdline = { ["luainit.break"] = bare }
			w = stage.break_unmet()
			assert(w and w:find("^luainit.break: expected luainit.break=STEP %(a step's id%), got no step, so the "
				.. "boot did not stop; the steps were: "), w)
		end
		stage.cmdline = {}
		assert(stage.break_unmet() == nil)
	end)
	stage.cmdline = saved
	assert(ok, err)
end

-- regression: a modules-load.d line with options ("loop max_loop=8") was
-- tried as a module of that name, "not found", and no failure named the
-- file and line. The host's modules-load.d directories are covered here
-- (the unit tier's mount namespace).
T["modules-load.d: each name with its file:line, a line with options an error"] = function()
	local covered = {}
	for _, d in ipairs({ "/usr/lib/modules-load.d", "/run/modules-load.d", "/etc/modules-load.d" }) do
		if fs.stat(d) then assert(fs.mount("tmpfs", d, "tmpfs")) covered[#covered + 1] = d end
	end
	local dir = "/etc/modules-load.d"
	if not fs.stat(dir) then dir = "/usr/lib/modules-load.d" end
	local ok, names, where, errs = pcall(function()
		assert(fs.writefile(dir .. "/50-t.conf", "# comment\n\nloop\n; another\n  dummy  \nloop max_loop=8\n"))
		return stage.modules_load_list()
	end)
	for i = #covered, 1, -1 do fs.umount(covered[i]) end
	assert(ok, names)
	assert(table.concat(names, " ") == "loop dummy", table.concat(names, " "))
	assert(where[1] == dir .. "/50-t.conf:3" and where[2] == dir .. "/50-t.conf:5", tostring(where[2]))
	assert(#errs == 1 and errs[1] == dir .. "/50-t.conf:6: 'loop max_loop=8': a module name expected "
		.. "(its options go in /etc/modprobe.d, as 'options loop max_loop=8')", tostring(errs[1]))
end

T["is_mountpoint tells mounts from plain directories"] = function()
	assert(stage.is_mountpoint("/proc"))
	assert(stage.is_mountpoint("/"))
	local d = "/tmp/luainit-test-mp." .. process.getpid()
	fs.mkdirp(d)
	assert(not stage.is_mountpoint(d))
	assert(fs.mount("tmpfs", d, "tmpfs"))
	assert(stage.is_mountpoint(d))
	assert(fs.umount(d))
	fs.rmdir(d)
end

T["random seed: saved after the boot, or at shutdown if that comes first"] = function()
	local shutdown, sched = require "shutdown", require "sched"
	local base = "/tmp/luainit-test-seed." .. process.getpid()
	local n0 = #shutdown.hooks
	stage.random_seed(base .. "/a/seed")
	assert(#shutdown.hooks == n0 + 1)
	-- the machine goes down before the seed was saved: the hook saves it
	local msg = shutdown.hooks[#shutdown.hooks]("poweroff")
	assert(msg == "saved a new random seed", tostring(msg))
	assert(#fs.readfile(base .. "/a/seed") == 512)
	assert(fs.stat(base .. "/a/seed").mode == tonumber("600", 8))
	-- the boot is done first: the seed is saved and the hook taken back
	stage.random_seed(base .. "/b/seed")
	assert(#shutdown.hooks == n0 + 2)
	stage.boot_done = true
	sched.wake("boot-done")
	sched.sleep(700)
	stage.boot_done = nil
	assert(#fs.readfile(base .. "/b/seed") == 512)
	assert(#shutdown.hooks == n0, "both hooks taken back once saved")
	for _, d in ipairs({ "a", "b" }) do
		fs.unlink(base .. "/" .. d .. "/seed")
		fs.rmdir(base .. "/" .. d)
	end
	fs.rmdir(base)
end

T["rescue words: luainit.rescue, runlevel S, 1 and -s, rescue, emergency and -b, systemd.unit"] = function()
	local sys = require "luainit.sys"
	local function asks(line, argv) return stage.rescue_requested((assert(sys.cmdline(line))), argv) end
	for _, w in ipairs({ "luainit.rescue", "single", "s", "S", "1", "-s", "rescue", "emergency", "-b" }) do
		assert(asks("root=/dev/vda ro " .. w .. " quiet") == w, w)
	end
	assert(asks("ro systemd.unit=rescue.target") == "systemd.unit=rescue.target")
	assert(asks("ro systemd.unit=emergency.target") == "systemd.unit=emergency.target")
	assert(asks("root=/dev/vda ro quiet") == nil)
	assert(asks("systemd.unit=multi-user.target") == nil)
	assert(asks("loglevel=1 2 3") == nil, "a value of 1 is no runlevel word")
	assert(asks("loglevel=-s") == nil, "nor is a value of -s")
end

-- regression: the words after -- are init's arguments, kept apart from the
-- parameters, and init's argv was never looked at: `-- single` and the
-- runlevel words the kernel passes as arguments did not stop the boot
T["rescue words: after -- and in init's arguments"] = function()
	local sys = require "luainit.sys"
	local function asks(line, argv) return stage.rescue_requested((assert(sys.cmdline(line))), argv or {}) end
	for _, w in ipairs({ "single", "s", "S", "1", "-s", "rescue", "emergency", "-b" }) do
		assert(asks("ro -- " .. w) == w, "-- " .. w)
		assert(asks("ro quiet", { "--verbose", w }) == w, "argv " .. w)
	end
	assert(asks("ro -- luainit.debug single") == "single")
	assert(asks("ro -- x=1 2") == nil, "-- then no rescue word")
	assert(asks("ro", { "x=1", "2", "splash" }) == nil, "no rescue word in argv")
	assert(asks("ro -- luainit.rescue") == nil, "luainit.rescue is a parameter, not an argument")
	assert(asks("ro", { "luainit.rescue" }) == nil)
	-- the default argv is PID 1's, as pid1 set it
	local saved = stage.argv
	stage.argv = { "emergency" }
	local ok, word = pcall(stage.rescue_requested, (assert(sys.cmdline("ro quiet"))))
	stage.argv = saved
	assert(ok and word == "emergency", word)
	assert(stage.rescue_requested({}) == nil, "a table without init_args")
end

T["on/off parameters: bare and 1/yes/y/true/t/on are on, 0/no/n/false/f/off off, anything else off with a warning"] = function()
	local sys = require "luainit.sys"
	local log = require "log"
	local lines, real = {}, log.console
	log.console = { write = function(self, l) lines[#lines + 1] = l return self end, flush = function(self) return self end }
	local ok, err = pcall(function()
		local function flag(line) return stage.flag("luainit.debug", (assert(sys.cmdline(line)))) end
		assert(flag("ro luainit.debug") == true)
		for _, v in ipairs({ "1", "yes", "y", "true", "t", "on", "YES", "On", "Y", "T" }) do assert(flag("luainit.debug=" .. v) == true, v) end
		for _, v in ipairs({ "0", "no", "n", "false", "f", "off", "NO", "Off", "N", "F" }) do assert(flag("luainit.debug=" .. v) == false, v) end
		assert(flag("ro quiet") == false)
		assert(#lines == 0, lines[1])
		local c = assert(sys.cmdline("luainit.debug=2 luainit.rescue=0"))
		assert(stage.flag("luainit.debug", c) == false and stage.flag("luainit.debug", c) == false)
		assert(#lines == 1 and lines[1] == "warning: kernel command line: luainit.debug=2: expected on (1, yes, y, "
			.. "true, t, on) or off (0, no, n, false, f, off); taken as off\n", lines[1])
		assert(flag("luainit.debug=") == false and #lines == 2, "an empty value is no answer either")
		-- luainit.rescue is one of these too
		assert(stage.rescue_requested(c) == nil, "luainit.rescue=0")
		assert(stage.rescue_requested((assert(sys.cmdline("luainit.rescue=yes")))) == "luainit.rescue")
	end)
	log.console = real
	assert(ok, err)
end

-- regression: a relative mount point was made and mounted under PID 1's
-- working directory; it is an error of its line, and the rest is mounted
T["fstab: a relative mount point is path:LINE and skipped, the rest mounted"] = function()
	local log = require "log"
	local base = "/tmp/luainit-test-fstab." .. process.getpid()
	fs.mkdirp(base)
	fs.writefile(base .. "/fstab", table.concat({
		"# <source> <target> <type> <options>",
		"tmpfs " .. base .. "/a tmpfs size=1m 0 0",
		"tmpfs luainit-test-rel tmpfs defaults 0 0",
		"tmpfs none tmpfs defaults 0 0",
		"/dev/sdz9 none swap sw 0 0",
		"tmpfs " .. base .. "/b tmpfs size=1m 0 0",
	}, "\n") .. "\n")
	stage.fstab(base .. "/fstab")
	local ring = table.concat(log.ring(20), "\n")
	local made = {}
	for _, rel in ipairs({ "luainit-test-rel", "none" }) do
		if fs.exists(rel) then made[#made + 1] = rel fs.umount(rel) fs.rmdir(rel) end
	end
	assert(#made == 0, "relative mount points made: " .. table.concat(made, " "))
	assert(stage.is_mountpoint(base .. "/a") and stage.is_mountpoint(base .. "/b"), ring)
	assert(ring:find(base .. "/fstab:3: mount point 'luainit-test-rel': expected an absolute path (or none for swap)", 1, true), ring)
	assert(ring:find(base .. "/fstab:4: mount point 'none': expected an absolute path", 1, true), ring)
	assert(not ring:find(":5: mount point", 1, true), "swap's none is fine")
	for _, d in ipairs({ "a", "b" }) do fs.umount(base .. "/" .. d) fs.rmdir(base .. "/" .. d) end
	fs.unlink(base .. "/fstab")
	fs.rmdir(base)
end

-- regression: a machine without /etc/fstab (the kernel's root and
-- nothing else) had "[FAILED] read /etc/fstab: ... No such file or
-- directory" at every boot; systemd's fstab-generator says nothing. A
-- file there that cannot be read still fails.
T["fstab: no fstab file is nothing to mount, not a failure; an unreadable one fails"] = function()
	local log = require "log"
	local base = "/tmp/luainit-test-nofstab." .. process.getpid()
	local ok, res = stage.fstab(base .. "/fstab")
	local ring = table.concat(log.ring(3), "\n")
	assert(ok == true and res == "no " .. base .. "/fstab: nothing to mount", ring)
	assert(not ring:find("FAILED", 1, true), ring)
	-- a FIFO (libmount refuses what is neither a file nor a directory)
	fs.mkdirp(base)
	assert(fs.mknod(base .. "/fifo", "p", 420))
	ok, res = stage.fstab(base .. "/fifo")
	fs.unlink(base .. "/fifo")
	fs.rmdir(base)
	assert(ok == false and res:find("Invalid argument", 1, true), tostring(res))
end

-- regression: a 7th field was ignored without a word (libmount reads
-- 6), "... 0 2 nofail" a mount without its nofail; it is a malformed
-- line, path:LINE and skipped, and the rest is mounted
T["fstab: a line of more than 6 fields is path:LINE and skipped, the rest mounted"] = function()
	local log = require "log"
	local base = "/tmp/luainit-test-fstab7." .. process.getpid()
	fs.mkdirp(base)
	fs.writefile(base .. "/fstab", table.concat({
		"tmpfs " .. base .. "/a tmpfs size=1m 0 0",
		"tmpfs " .. base .. "/x tmpfs size=1m 0 0 nofail",
		"tmpfs " .. base .. "/b tmpfs size=1m 0 0",
	}, "\n") .. "\n")
	stage.fstab(base .. "/fstab")
	local ring = table.concat(log.ring(20), "\n")
	local a, b, x = stage.is_mountpoint(base .. "/a"), stage.is_mountpoint(base .. "/b"), stage.is_mountpoint(base .. "/x")
	for _, d in ipairs({ "a", "b", "x" }) do
		if stage.is_mountpoint(base .. "/" .. d) then fs.umount(base .. "/" .. d) end
		fs.rmdir(base .. "/" .. d)
	end
	fs.unlink(base .. "/fstab")
	fs.rmdir(base)
	assert(a and b and not x, ring)
	assert(ring:find("[FAILED] parse " .. base .. "/fstab: " .. base .. "/fstab:2: malformed entry, more than 6 fields "
		.. "(expected: source target fstype options [freq [passno]])", 1, true), ring)
end

-- regression: _netdev and NFS entries were mounted with the rest, before
-- boot.network(), and failed at every boot
T["fstab: which entries wait for the network (_netdev, network types, what is below one)"] = function()
	local net = stage.is_network
	for _, t in ipairs({ "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "davfs", "sshfs",
		"fuse.sshfs", "fuse.curlftpfs", "afs", "lustre", "ocfs2", "gfs2" }) do
		assert(net({ source = "srv:/x", target = "/mnt", fstype = t, options = "defaults" }), t)
	end
	for _, t in ipairs({ "ext4", "tmpfs", "9p", "nfsd", "fuse", "fuse.", "none" }) do
		assert(not net({ source = "x", target = "/mnt", fstype = t, options = "defaults" }), t)
	end
	assert(net({ target = "/mnt", fstype = "ext4", options = "_netdev" }))
	assert(net({ target = "/mnt", fstype = "ext4", options = "noatime,_netdev,nofail" }))
	assert(not net({ target = "/mnt", fstype = "ext4", options = "x_netdev,_netdevs" }))
	assert(not net({ target = "/mnt", fstype = "ext4" }), "no options")

	local function e(src, target, fstype, options) return { source = src, target = target, fstype = fstype, options = options } end
	local entries = {
		e("/dev/vda2", "/var", "ext4", "defaults"),
		e("srv:/home", "/home", "nfs", "defaults"),
		e("tmpfs", "/home/cache", "tmpfs", "size=1m"),        -- below a network one
		e("tmpfs", "/homes", "tmpfs", "size=1m"),             -- only a common prefix
		e("/home/alice/www", "/srv/www", "none", "bind,ro"),  -- binds what is below one
		e("/var/www", "/srv/var", "none", "bind"),
		e("/dev/nbd0", "/data", "ext4", "_netdev,nofail"),
		e("tmpfs", "/data/", "tmpfs", "remount,size=2m"),     -- the same mount point
		e("tmpfs", "/database", "tmpfs", "size=1m"),
		e("/data/x", "/srv/x", "none", "rbind"),
		e("/data/y", "/srv/y", "ext4", "defaults"),           -- a device path, not a bind
	}
	local now, late = netmounts.split(entries)
	local function targets(l)
		local t = {}
		for _, x in ipairs(l) do t[#t + 1] = x.target end
		return table.concat(t, " ")
	end
	assert(targets(now) == "/var /homes /srv/var /database /srv/y", targets(now))
	assert(targets(late) == "/home /home/cache /srv/www /data /data/ /srv/x", targets(late))
	now, late = netmounts.split({})
	assert(#now == 0 and #late == 0)
	-- boot.fstab's answers of is_network, by index, are taken as given
	now, late = netmounts.split({ e("srv:/a", "/a", "nfs", "defaults"), e("/dev/vdb", "/b", "ext4", "defaults"),
		e("tmpfs", "/b/c", "tmpfs", "size=1m") }, { false, true, false })
	assert(targets(now) == "/a" and targets(late) == "/b /b/c", targets(late))
	-- trailing slashes: "/" is the root, everything is below it
	now, late = netmounts.split({ e("srv:/", "//", "nfs", "defaults"), e("tmpfs", "/tmp", "tmpfs", "size=1m") })
	assert(targets(now) == "" and targets(late) == "// /tmp", targets(late))
	now, late = netmounts.split({ e("srv:/m", "/m/", "nfs", "defaults"), e("tmpfs", "/m//x/", "tmpfs", "size=1m"),
		e("/m/", "/b", "none", "bind"), e("/mx", "/c", "none", "bind") })
	assert(targets(now) == "/c" and targets(late) == "/m/ /m//x/ /b", targets(late))
end

T["fstab: x-systemd.mount-timeout= sets a network mount's time, as systemd reads it"] = function()
	local d = stage.netmount_timeout_ms
	local function t(opts) return netmounts.mount_timeout({ target = "/n", options = opts }) end
	for _, c in ipairs({
		{ nil, d, "stage.netmount_timeout_ms" }, { "_netdev", d, "stage.netmount_timeout_ms" },
		{ "x-systemd.mount-timeout=30", 30000, "x-systemd.mount-timeout" },
		{ "ro,x-systemd.mount-timeout=2min,_netdev", 120000, "x-systemd.mount-timeout" },
		{ "x-systemd.mount-timeout=1.5s", 1500, "x-systemd.mount-timeout" },
		{ "x-systemd.mount-timeout=1 min 30s", 90000, "x-systemd.mount-timeout" },
		{ "x-systemd.mount-timeout=5,x-systemd.mount-timeout=7", 7000, "x-systemd.mount-timeout" }, -- the last
		{ "x-systemd.mount-timeout=0", nil, "x-systemd.mount-timeout" },       -- no limit, as systemd's 0
		{ "x-systemd.mount-timeout=infinity", nil, "x-systemd.mount-timeout" },
		{ "x-systemd.mount-timeout=soon", d, "stage.netmount_timeout_ms", "soon" }, -- the default
		{ "x-systemd.mount-timeout=", d, "stage.netmount_timeout_ms", "" },
	}) do
		local ms, what, bad = t(c[1])
		assert(ms == c[2] and what == c[3] and bad == c[4], tostring(c[1]) .. ": " .. tostring(ms) .. " " .. tostring(what))
	end
	-- the default is read as each mount starts
	stage.netmount_timeout_ms = 1234
	local ms = t("_netdev")
	stage.netmount_timeout_ms = d
	assert(ms == 1234, ms)
end

T["fstab: a network entry is mounted once the network is online, or reported left unmounted; then remote-fs is reached"] = function()
	local log, sched, network = require "log", require "sched", require "network"
	if network.online then error("SKIP: the network module says online") end
	local base = "/tmp/luainit-test-netdev." .. process.getpid()
	fs.mkdirp(base)
	local timeout = stage.netdev_timeout_ms
	stage.netdev_timeout_ms = 200
	fs.writefile(base .. "/fstab", table.concat({
		"tmpfs " .. base .. "/late tmpfs size=1m,_netdev,nofail 0 0",
		"tmpfs " .. base .. "/late2 tmpfs size=1m,_netdev 0 0",
	}, "\n") .. "\n")
	assert(netmounts.done(), "remote-fs: nothing to mount yet")
	local failed0 = #netmounts.failed
	stage.fstab(base .. "/fstab")
	stage.netdev_timeout_ms = timeout
	assert(not stage.is_mountpoint(base .. "/late"), "mounted before the network")
	-- "remote-fs" is not reached until both were given up on, then woken
	assert(not netmounts.done(), "remote-fs reached before the mounts were tried")
	local woke
	sched.spawn(function() woke = select(2, sched.wait("remote-fs", 2000)) ~= "timeout" end)
	sched.sleep(400)
	local ring = table.concat(log.ring(10), "\n")
	assert(not stage.is_mountpoint(base .. "/late") and not stage.is_mountpoint(base .. "/late2"))
	assert(netmounts.done() and woke, "remote-fs not reached after the timeout")
	-- only the entry without nofail is one a service that requires remote-fs
	-- is told of
	assert(#netmounts.failed == failed0 + 1 and netmounts.failed[#netmounts.failed] == base .. "/late2")
	local left = netmounts.not_mounted()
	assert(left[#left] == base .. "/late2", table.concat(left, " "))
	-- mounted by hand since (read from the mount table, not a stat): not missing
	fs.mkdirp(base .. "/late2")
	assert(fs.mount("tmpfs", base .. "/late2", "tmpfs"))
	left = netmounts.not_mounted()
	assert(left[#left] ~= base .. "/late2", table.concat(left, " "))
	assert(fs.umount(base .. "/late2"))
	assert(ring:find("[FAILED] mount " .. base .. "/late: network not online after 0.2 s (stage.netdev_timeout_ms); left unmounted", 1, true), ring)
	assert(ring:find("error: fstab: " .. base .. "/late2 is not mounted and has no nofail", 1, true), ring)
	assert(not ring:find("error: fstab: " .. base .. "/late is", 1, true), "nofail: no error")

	-- online: mounted after the wake, by a child luainit each (PID 1 never
	-- waits on a network filesystem's server), in fstab order; the child
	-- also asks whether one is mounted already (pre, mounted by hand: not
	-- recorded, not unmounted) and makes the mount point (on/below, in
	-- the filesystem the child before mounted)
	fs.mkdirp(base .. "/pre")
	assert(fs.mount("tmpfs", base .. "/pre", "tmpfs"))
	fs.writefile(base .. "/fstab", "tmpfs " .. base .. "/pre tmpfs size=1m,_netdev 0 0\n"
		.. "tmpfs " .. base .. "/on tmpfs size=1m,_netdev 0 0\n"
		.. "tmpfs " .. base .. "/on/below tmpfs size=1m 0 0\n")
	stage.fstab(base .. "/fstab")
	assert(not stage.is_mountpoint(base .. "/on") and not netmounts.done())
	network.online = true
	local ok, err = pcall(sched.wake, "network-online")
	network.online = false
	assert(ok, err)
	for _ = 1, 100 do
		if stage.is_mountpoint(base .. "/on/below") then break end
		sched.sleep(50)
	end
	assert(stage.is_mountpoint(base .. "/on") and stage.is_mountpoint(base .. "/on/below"))
	assert(netmounts.done() and #netmounts.failed == failed0 + 1, "a mount done is no failure")
	local n = #netmounts.mounted
	assert(netmounts.mounted[n - 1] == base .. "/on" and netmounts.mounted[n] == base .. "/on/below")
	assert(netmounts.mounted[n - 2] ~= base .. "/pre", "one mounted already is recorded")
	ring = table.concat(log.ring(20), "\n")
	assert(ring:find("[  OK  ] mounted " .. base .. "/pre (already)", 1, true), ring)
	assert(ring:find("[  OK  ] mounted " .. base .. "/on/below (tmpfs)", 1, true), ring)
	-- shutdown's: last mounted first
	assert(netmounts.umount() == "unmounted 2 network filesystem(s)")
	assert(not stage.is_mountpoint(base .. "/on") and #netmounts.mounted == 0)
	assert(stage.is_mountpoint(base .. "/pre"), "one mounted already is unmounted")
	assert(fs.umount(base .. "/pre"))

	-- a shutdown while a child mounts: that one ends, no other is started
	-- (the second, below the first, waits for it)
	fs.writefile(base .. "/fstab", "tmpfs " .. base .. "/first tmpfs size=1m,_netdev 0 0\n"
		.. "tmpfs " .. base .. "/first/second tmpfs size=1m,_netdev 0 0\n")
	stage.fstab(base .. "/fstab")
	local shutdown = require "shutdown"
	network.online = true
	ok, err = pcall(sched.wake, "network-online")
	network.online = false
	assert(ok, err)
	-- the task waits for the first child
	assert(not netmounts.done())
	shutdown.in_progress = "poweroff"
	for _ = 1, 100 do
		if netmounts.done() then break end
		sched.sleep(50)
	end
	shutdown.in_progress = false
	assert(netmounts.done(), "remote-fs not reached after a shutdown")
	assert(stage.is_mountpoint(base .. "/first"), "the mount under way ends")
	assert(not stage.is_mountpoint(base .. "/first/second"), "a mount started after the shutdown began")
	assert(netmounts.umount() == "unmounted 1 network filesystem(s)")
	netmounts.failed[#netmounts.failed] = nil
	for _, d in ipairs({ "late", "late2", "pre", "on/below", "on", "first" }) do fs.rmdir(base .. "/" .. d) end
	fs.unlink(base .. "/fstab")
	fs.rmdir(base)
end

-- regression: a mount point written with a trailing slash was compared
-- with "/" instead of its parent: a directory on another filesystem
-- (/srv/data/ on /srv's) looked like a mount point, and the entry was
-- "mounted (already)" without a mount
T["fstab: a mount point with a trailing slash is mounted, not taken as mounted already"] = function()
	local log = require "log"
	local base = "/tmp/luainit-test-slash." .. process.getpid()
	fs.mkdirp(base .. "/outer")
	assert(fs.mount("tmpfs", base .. "/outer", "tmpfs"))
	fs.mkdirp(base .. "/outer/inner")
	assert(not stage.is_mountpoint(base .. "/outer/inner/"), "a directory, not a mount point")
	assert(not stage.is_mountpoint(base .. "/outer/inner//"))
	assert(stage.is_mountpoint(base .. "/outer/"))
	fs.writefile(base .. "/fstab", "tmpfs " .. base .. "/outer/inner/ tmpfs size=1m 0 0\n")
	stage.fstab(base .. "/fstab")
	local ring = table.concat(log.ring(5), "\n")
	local mounted = stage.is_mountpoint(base .. "/outer/inner")
	if mounted then fs.umount(base .. "/outer/inner") end
	fs.umount(base .. "/outer")
	fs.unlink(base .. "/fstab")
	fs.rmdir(base .. "/outer")
	fs.rmdir(base)
	assert(mounted, ring)
	assert(ring:find("mounted " .. base .. "/outer/inner/ (tmpfs)", 1, true), ring)
end

-- The already-mounted check and the mkdir are mount_here's (netmounts'
-- child runs it, so that PID 1 never stats a mount point a silent server
-- holds); mount_result only words what it returns, as before.
T["fstab: mount_result words mount_here's already, mounted and failed as before; stage.mount"] = function()
	local base = "/tmp/luainit-test-entry." .. process.getpid()
	fs.mkdirp(base .. "/pre")
	assert(fs.mount("tmpfs", base .. "/pre", "tmpfs"))
	local function e(target, src, line) return { source = src or "tmpfs", target = target, fstype = "tmpfs",
		options = "size=1m", line = line } end
	local ok, why = stage.mount_here(e(base .. "/pre"))
	assert(ok == true and why == "already", tostring(why))
	local function mount(x, path) return stage.mount_result(x, path, stage.mount_here(x)) end
	assert(mount(e(base .. "/pre"), "f") == "mounted " .. base .. "/pre (already)")
	-- made, then mounted
	assert(mount(e(base .. "/new/deep"), "f") == "mounted " .. base .. "/new/deep (tmpfs)")
	assert(stage.is_mountpoint(base .. "/new/deep"))
	local bad = { source = "/dev/does-not-exist", target = base .. "/bad", fstype = "ext4", line = 3 }
	ok, why = mount(bad, "f")
	local want = "f:3: mount " .. base .. "/bad: "
	assert(ok == false and why:sub(1, #want) == want, tostring(why))
	-- the options left out are a warning naming the line; without a line
	-- an error is given as it is
	local log = require "log"
	assert(stage.mount_result(e(base .. "/x", nil, 5), "f", true, { "X-mount.mode=0700" })
		== "mounted " .. base .. "/x (tmpfs)")
	local ring = table.concat(log.ring(3), "\n")
	assert(ring:find("f:5: option(s) X-mount.mode=0700 left out", 1, true), ring)
	ok, why = stage.mount_result(e(base .. "/x"), "f", nil, "no")
	assert(ok == false and why == "no", tostring(why))
	-- stage.mount: the same check and mkdir, then fs.mount
	ok, why = stage.mount("tmpfs", base .. "/m/n", "tmpfs")
	assert(ok == true and why == nil and stage.is_mountpoint(base .. "/m/n"), tostring(why))
	ok, why = stage.mount("tmpfs", base .. "/m/n", "tmpfs")
	assert(ok == true and why == "already", tostring(why))
	for _, d in ipairs({ "pre", "new/deep", "m/n" }) do assert(fs.umount(base .. "/" .. d)) end
	for _, d in ipairs({ "pre", "new/deep", "new", "bad", "m/n", "m" }) do fs.rmdir(base .. "/" .. d) end
	fs.rmdir(base)
end

-- netmounts.umount reads the mount table once (no realpath, no stat of a
-- target a silent server holds): one not mounted any more is passed over,
-- and one recorded twice but mounted once is unmounted once
T["netmounts.umount: from the mount table read once, a count per target"] = function()
	local base = "/tmp/luainit-test-numount." .. process.getpid()
	for _, d in ipairs({ "a", "gone" }) do fs.mkdirp(base .. "/" .. d) end
	assert(fs.mount("tmpfs", base .. "/a", "tmpfs"))
	local saved = netmounts.mounted
	netmounts.mounted = { base .. "/gone", base .. "/a", base .. "/a/" }
	local ok, msg = pcall(netmounts.umount)
	netmounts.mounted = saved
	assert(ok and msg == "unmounted 1 network filesystem(s)", tostring(msg))
	assert(not stage.is_mountpoint(base .. "/a"))
	for _, d in ipairs({ "a", "gone" }) do fs.rmdir(base .. "/" .. d) end
	fs.rmdir(base)
end

-- regression: the whole file was the hostname, a second line and all, and
-- a name too long raised from sethostname; now the first line that is not
-- a comment, checked, and a bad one is its file:line
T["hostname: first line that is no comment, trimmed, checked by line"] = function()
	local P = stage.parse_hostname
	assert(P("box1\n", "/etc/hostname") == "box1")
	assert(P("# set by the installer\n\n  web-01.example.org  \r\nsecond line\n", "h") == "web-01.example.org")
	assert(P("db.\n", "h") == "db", "a trailing dot is not part of the name")
	assert(P(string.rep("a", 64), "h") == string.rep("a", 64))
	local name, err = P("", "h")
	assert(name == nil and err == nil, "no name: the caller's default")
	assert(P("# only a comment\n   \n", "h") == nil)
	assert(P("box1  # the lab's box\n", "h") == "box1", "a comment after the name, as hostname -F takes it")
	local want = "'-' and '.', not starting with '-' or '.', without '..'"
	for _, c in ipairs({
		{ "# c\nmy host\n", "/etc/hostname:2: 'my host': expected a hostname of 1 to 64 letters, digits, " .. want },
		{ "-box\n", "h:1: '-box': expected" },
		{ ".box\n", "h:1: '.box': expected" },
		{ "a..b\n", "h:1: 'a..b': expected" },
		{ "a..\n", "h:1: 'a..': expected" },
		{ "box_1\n", "h:1: 'box_1': expected" },
		{ "\n\n" .. string.rep("a", 65) .. "\n", "h:3: '" .. string.rep("a", 65) .. "': expected" },
		{ "caf\xc3\xa9\n", "h:1: 'caf\xc3\xa9': expected" },
	}) do
		name, err = P(c[1], c[2]:match("^([^:]+)"))
		assert(name == nil and err and err:sub(1, #c[2]) == c[2], tostring(err))
	end
	-- the step: a bad name fails it by line and leaves the hostname as it was
	local sys = require "luainit.sys"
	local before = sys.hostname()
	local f = "/tmp/luainit-test-hostname." .. process.getpid()
	fs.writefile(f, "# comment\nbad name\n")
	local ok, why = stage.hostname(f)
	assert(ok == false and why:find(f .. ":2: 'bad name': expected a hostname", 1, true)
		and why:find("hostname left as '" .. before .. "'", 1, true), why)
	assert(sys.hostname() == before)
	-- a good one (the current name, so nothing changes) is set
	if P(before, f) == before then
		fs.writefile(f, "# comment\n\n" .. before .. "\nignored\n")
		ok, why = stage.hostname(f)
		assert(ok == true and why == "hostname " .. before, tostring(why))
	end
	fs.unlink(f)
end

T["a failing step is contained and reported"] = function()
	local ok, why = stage.step("test step that fails", function() return false, "on purpose" end)
	assert(ok == false and why == "on purpose")
	ok, why = stage.step("test step that raises", function() error("raised") end)
	assert(ok == false and why:match("raised"))
	-- nil, err: a binding's failure returned as is
	ok, why = stage.step("test step that returns nil, err", function()
		return require("luainit.fs").mount("none", "/nonexistent/luainit-test", "tmpfs")
	end)
	assert(ok == false and type(why) == "string" and why ~= "", tostring(why))
	assert(stage.step("test step that returns nothing", function() end) == true)
	assert(stage.step("test step that returns nil, nil", function() return nil, nil end) == true)
	ok = stage.step("test step that works", function() return "worked" end)
	assert(ok == true)
	local last = stage.timeline[#stage.timeline]
	assert(last.name == "test step that works" and last.ok)
end

return T
