-- fstab's network entries: a _netdev tmpfs (and what is mounted below it
-- or binds it) is mounted only once the network is online, when the link
-- the run script adds after boot gets its address (a service that
-- requires "network-online" may start first, and sees it come); without
-- the network they are reported left unmounted after
-- stage.netdev_timeout_ms; a required one that fails is an error, not the
-- rescue console; at poweroff they are unmounted before the network
-- stops. A service ordered after
-- "remote-fs" starts once every one was tried, whatever came of it; one
-- that requires it fails then, naming the one without nofail that failed.
-- A mount that hangs is killed after stage.netmount_timeout_ms (or its
-- x-systemd.mount-timeout=; a bad one is warned about), reaped,
-- and counted as failed; so is one whose mount point hangs when looked at
-- (the child, not PID 1, asks whether it is mounted already and makes it).
local boot = require "stage"
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local network = require "network"
local process = require "luainit.process"
local T = require "nstest"
T.setup("/tmp/luainit-netdev-test")
local dir = T.dir

-- no network yet, and none comes in time
boot.netdev_timeout_ms = 300
fs.writefile(dir .. "/fstab.never", (("tmpfs @/never tmpfs size=1m,_netdev,nofail 0 0\n"):gsub("@", dir)))
boot.fstab(dir .. "/fstab.never")
boot.netdev_timeout_ms = 30000
sched.sleep(500)
T.check("left unmounted after the timeout", not boot.is_mountpoint(dir .. "/never"))

-- A mount that really hangs in the kernel, as one on an NFS server that
-- does not answer: /hang binds a path below an autofs mount whose daemon
-- never answers (this test holds the read end of its pipe and never reads
-- it; "daemon" only gives autofs the process group it lets through), so
-- the mount child's lookup waits in autofs_wait, killably, as an NFS
-- mount's RPC does. No sleep or test hook stands in for the mount; FUSE
-- would need a helper and /dev/fuse, and a loop device takes no FIFO.
local auto_r, auto_w = fs.pipe()
local daemon = process.spawn({ argv = { "/bin/sleep", "1000" }, setsid = true })
fs.mkdirp(dir .. "/auto")
local auto_ok, auto_err = fs.mount("luainit-test", dir .. "/auto", "autofs", nil,
	string.format("fd=%d,pgrp=%d,minproto=5,maxproto=5,indirect", auto_w:fileno(), daemon))
auto_w:close()
T.check("an autofs whose daemon never answers", auto_ok, auto_err)
boot.netmount_timeout_ms = 2000

fs.writefile(dir .. "/fstab", (([[
tmpfs                @/local      tmpfs  size=1m                0 0
tmpfs                @/net        tmpfs  size=1m,_netdev        0 0
tmpfs                @/net/inner  tmpfs  size=1m                0 0
@/net/inner          @/bound      none   bind                   0 0
/dev/does-not-exist  @/bad        ext4   _netdev                0 0
/dev/does-not-exist  @/opt        ext4   _netdev,nofail,x-systemd.mount-timeout=soon 0 0
@/auto/x             @/hang       none   bind,_netdev,x-systemd.mount-timeout=6s 0 0
tmpfs                @/late       tmpfs  size=1m,_netdev        0 0
tmpfs                @/auto/y     tmpfs  size=1m,_netdev,nofail,x-systemd.mount-timeout=1500ms 0 0
]]):gsub("@", dir)))
boot.fstab(dir .. "/fstab")
T.check("a local entry is mounted at once", boot.is_mountpoint(dir .. "/local"))
T.check("the network entries wait", not boot.is_mountpoint(dir .. "/net") and not boot.is_mountpoint(dir .. "/bound"))
fs.writefile(dir .. "/network.lua", 'return { interfaces = { { match = "nd0", address = "10.95.0.2/24" } } }\n')
print("NETDEV start: " .. tostring(network.start(dir .. "/network.lua")))
local _, errs = T.services({ usesnet = string.format([[
return { command = { "/bin/sh", "-c", "for i in $(seq 100); do grep -q ' %s/net/inner ' /proc/self/mountinfo && break; sleep 0.1; done; if grep -q ' %s/net/inner ' /proc/self/mountinfo; then echo mounted; else echo missing; fi > %s/usesnet.out; exec sleep 1000" },
	requires = { "network-online" } }
]], dir, dir, dir),
	-- looks once, at its start: the mounts must be done by then
	afterfs = string.format([[
return { command = { "/bin/sh", "-c", "if grep -q ' %s/net/inner ' /proc/self/mountinfo && grep -q ' %s/bound ' /proc/self/mountinfo; then echo mounted; else echo missing; fi > %s/afterfs.out; exec sleep 1000" },
	after = { "remote-fs" } }
]], dir, dir, dir),
	needsfs = 'return { command = { "/bin/sleep", "1000" }, requires = { "remote-fs" } }\n',
})
for _, e in ipairs(errs) do print("ERROR " .. e) end
sup.start_all()
sched.sleep(300)
T.check("still waiting while there is no link", not boot.is_mountpoint(dir .. "/net"))
local function state(n) return sup.services[n].state .. " " .. tostring(sup.services[n].why) end
for _, n in ipairs({ "afterfs", "needsfs" }) do
	T.check(n .. " waits for remote-fs", sup.services[n].state == "starting" and not sup.services[n].pid
		and sup.services[n].why == "waiting for network filesystems", state(n))
end
local pid = process.spawn({ path = "/proc/self/exe", argv = { "luactl", "status", "afterfs" },
	env = { "LUAINIT_CONTROL=" .. T.control }, stdout = { file = dir .. "/status.out" }, stderr = "stdout" })
sched.wait_child(pid, 10000)
local status = fs.readfile(dir .. "/status.out") or ""
T.check("luactl status says what it waits for", status:find("state: +starting %(waiting for network filesystems%)") ~= nil,
	(status:gsub("\n", " | ")))
print("NETDEV: waiting for the link")
-- the luainit processes but PID 1, "pid state wchan" each: the mount
-- children, and luactl's, started as /proc/self/exe (their comm is "exe",
-- a zombie's too)
local function mount_children()
	local out = {}
	for _, p in ipairs(fs.readdir("/proc") or {}) do
		local st = p:match("^%d+$") and p ~= "1" and fs.readfile("/proc/" .. p .. "/stat")
		if st and st:find("^%d+ %(exe%)") then
			out[#out + 1] = st:match("^%d+ %b() %a") .. " " .. tostring(fs.readfile("/proc/" .. p .. "/wchan"))
		end
	end
	return out
end
local hung = T.wait_until(function()
	for _, c in ipairs(mount_children()) do if c:find("autofs_wait") then return c end end
end, 20000, 20)
T.check("the mount child that hangs waits in the kernel", hung ~= nil, hung)
-- side by side: an entry after the one that hangs, meeting it not, is
-- mounted while its child still waits (one after the other, it waited
-- out that child's 6 s)
local late = T.wait_until(function() return boot.is_mountpoint(dir .. "/late") end, 20000, 20)
local hang_child = false
for _, p in ipairs(fs.readdir("/proc") or {}) do
	local argv = p:match("^%d+$") and fs.readfile("/proc/" .. p .. "/cmdline") or ""
	hang_child = hang_child or argv:find("\0" .. dir .. "/hang\0", 1, true) ~= nil
end
T.check("an entry after one that hangs is mounted meanwhile", late and hang_child)
-- until each was tried: the bind is mounted by a child of its own after
-- net/inner's, and was looked at too soon on a busy machine
local up = T.wait_until(function() return require("netmounts").done() end, 20000)
T.check("mounted once online", up and boot.is_mountpoint(dir .. "/net/inner") and network.online)
T.check("the bind of a path below it is mounted", boot.is_mountpoint(dir .. "/bound"))
T.check("a mount that hangs is given up on", not boot.is_mountpoint(dir .. "/hang"))
-- asked of the mount table: a stat of auto/y waits in autofs_wait, as
-- PID 1 did before the mount child made that stat itself
local function in_mount_table(t)
	for _, m in ipairs(require("luainit.mount").mountinfo() or {}) do
		if m.target == t then return true end
	end
	return false
end
T.check("a mount point that hangs when looked at is given up on", not in_mount_table(dir .. "/auto/y"))
-- its child is killed and reaped: no luainit but PID 1 is left, running
-- or a zombie (the services' shells may hold a zombie a moment: not
-- counted)
local left = mount_children()
T.check("the killed mount child is reaped", #left == 0, #left > 0 and table.concat(left, "; ") or nil)
T.responsive("after the killed mount")
fs.umount(dir .. "/auto")
auto_r:close()
process.kill(daemon, "KILL")
sched.wait_child(daemon, 10000)
-- a service's line: its shell makes the file (the redirection) before
-- it writes, and an empty file was taken for its answer
local function line_of(name)
	return T.wait_until(function()
		local s = fs.readfile(dir .. "/" .. name .. ".out")
		return s ~= "" and s
	end, 10000)
end
local out = line_of("usesnet")
T.check("a service requiring network-online sees the mount come", out == "mounted\n", out and (out:gsub("\n", " ")))
out = line_of("afterfs")
T.check("a service after remote-fs starts with the mounts done", out == "mounted\n", out and (out:gsub("\n", " ")))
T.check("a service requiring remote-fs fails when one is not mounted", sup.services.needsfs.state == "failed"
	and sup.services.needsfs.why == "requires 'remote-fs': network filesystem(s) not mounted: " .. dir .. "/bad, "
		.. dir .. "/hang",
	state("needsfs"))
T.finish("NETDEV: done")
