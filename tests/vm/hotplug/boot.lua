-- VM: hotplug without udev. With the uevent socket listening, loading the
-- virtio bus driver by name makes the kernel announce the virtio network
-- device; the uevent handler loads virtio_net for its modalias, and eth0
-- appears. A device rule sets a node's mode and group and adds a symlink
-- when a (synthetic, kernel-generated) "add" event arrives.
local boot = require "stage"
local fs = require "luainit.fs"
local kmod = require "luainit.kmod"
local sched = require "sched"
local devices = require "devices"

boot.early_mounts()
devices.rule({ subsystem = "tty", name = "ttyS1", mode = 384, group = 5, symlink = "serial-test" })
assert(devices.listen())
print("CHECK eth0 before " .. tostring(fs.exists("/sys/class/net/eth0")))
assert(kmod.load("virtio_pci"))
print("CHECK eth0 after hotplug " .. tostring(sched.wait_path("/sys/class/net/eth0", 10000)))
print("CHECK virtio_net loaded " .. tostring(kmod.is_loaded("virtio_net")))
fs.writefile("/sys/class/tty/ttyS1/uevent", "add")
print("CHECK rule symlink " .. tostring(sched.wait_path("/dev/serial-test", 5000)))
local st = fs.stat("/dev/ttyS1")
print(string.format("CHECK rule mode %o gid %d", st.mode & 511, st.gid))
require("shutdown").request("poweroff")
