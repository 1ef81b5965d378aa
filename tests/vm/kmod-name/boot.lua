-- VM: virtio_net loaded by name, its dependencies first, with no coldplug.
local boot = require "stage"
local kmod = require "luainit.kmod"
local fs = require "luainit.fs"
local sched = require "sched"

boot.early_mounts()
print("CHECK before eth0 " .. tostring(fs.exists("/sys/class/net/eth0")))
print("CHECK load " .. table.concat({ tostring((kmod.load("virtio_net"))), select(2, kmod.load("virtio_net")) or "" }, " "))
for _, m in ipairs({ "failover", "net_failover", "virtio_net" }) do
	print("CHECK loaded " .. m .. " " .. tostring(kmod.is_loaded(m)))
end
print("CHECK again " .. tostring(select(2, kmod.load("virtio-net"))))
local ok = sched.wait_path("/sys/class/net/eth0", 5000)
print("CHECK after eth0 " .. tostring(ok))
require("shutdown").request("poweroff")
