-- VM: the boot script runs; the API filesystems, fstab, hostname and a sysctl
-- are done; init's arguments are read; spawn starts a process in its cgroup; PID 1 is luainit and
-- loaded this file from the compiled cache; then /sbin/poweroff powers off
-- cleanly.
local boot = require "stage"
local fs = require "luainit.fs"
local sys = require "luainit.sys"
local process = require "luainit.process"

print("CHECK boot script ran")
-- the words after `--` (tests/vm/basic/append) are init's arguments: a
-- machine's PID 1 given --help boots all the same, and -s there is a
-- rescue word (this file does not call boot.rescue_point)
print("CHECK argv " .. table.concat(boot.argv or {}, " ") .. ", rescue word " .. tostring(boot.rescue_requested()))
boot.early_mounts()
boot.remount_root()
boot.fstab()
boot.hostname()
boot.sysctl()
-- the devices that coldplug's drivers bring are seen as uevents too
local eth0_event = false
require("devices").on(function(ev)
	if ev.action == "add" and ev.subsystem == "net" and ev.env.INTERFACE == "eth0" then eth0_event = true end
end)
boot.coldplug()
print("CHECK coldplug saw eth0 appear " .. tostring(eth0_event))
boot.random_seed()
-- a process given a cgroup is in it from its first instruction (clone3
-- with CLONE_INTO_CGROUP), so a full pids.max refuses it outright
local cg = "/sys/fs/cgroup"
fs.writefile(cg .. "/cgroup.subtree_control", "+pids")
fs.mkdir(cg .. "/spawntest", 493)
local pid = assert(process.spawn({ argv = { "/bin/sleep", "30" }, cgroup = cg .. "/spawntest", cgroup_clone = true }))
print("CHECK spawn in cgroup " .. tostring((fs.readfile("/proc/" .. pid .. "/cgroup") or ""):match("0::(%S+)")))
process.kill(pid, "KILL")
print("CHECK spawn missing cgroup " .. tostring(select(2, process.spawn({ argv = { "/bin/true" }, cgroup = cg .. "/nonexistent", cgroup_clone = true }))))
fs.mkdir(cg .. "/full", 493)
fs.writefile(cg .. "/full/pids.max", "0")
print("CHECK spawn full cgroup " .. tostring(select(2, process.spawn({ argv = { "/bin/true" }, cgroup = cg .. "/full", cgroup_clone = true }))))
for _, m in ipairs({ "/proc", "/sys", "/dev", "/dev/pts", "/dev/shm", "/run", "/sys/fs/cgroup", "/tmp" }) do
	print("CHECK mounted " .. m .. " " .. tostring(boot.is_mountpoint(m)))
end
print("CHECK pid1 " .. tostring(fs.readlink("/proc/1/exe")))
print("CHECK hostname " .. sys.hostname())
print("CHECK sysctl vm.swappiness=" .. tostring(sys.sysctl_get("vm.swappiness")))
print("CHECK eth0 " .. tostring(fs.exists("/sys/class/net/eth0")))
-- this file came from the cache the image build wrote: no compile
local cs = require("luainit.chunk").stats()
print("CHECK compiled cache used " .. tostring(cs.hits >= 1 and cs.misses == 0))
-- and its length and times are those the build recorded: not even read
print("CHECK cache hits unread " .. tostring(cs.unread == cs.hits))
boot.done()
-- the new random seed is written half a second after the boot is done
require("sched").sleep(1500)
print("CHECK random seed saved " .. tostring((fs.stat("/var/lib/luainit/random-seed") or {}).size == 512))
-- power off the way a person would
assert(process.spawn({ argv = { "/sbin/poweroff" } }))
