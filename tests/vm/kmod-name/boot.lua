-- VM: virtio_net loaded by name, its dependencies first, with no coldplug.
-- virtio_pci (the bus driver, a module in Debian's cloud kernel) is named
-- too, as a modules-load.d file would.
local boot = require "stage"
local kmod = require "luainit.kmod"
local fs = require "luainit.fs"
local sched = require "sched"

boot.early_mounts()
print("CHECK before eth0 " .. tostring(fs.exists("/sys/class/net/eth0")))
print("CHECK load virtio_pci " .. tostring((kmod.load("virtio_pci"))))
print("CHECK load " .. table.concat({ tostring((kmod.load("virtio_net"))), select(2, kmod.load("virtio_net")) or "" }, " "))
for _, m in ipairs({ "virtio", "virtio_ring", "failover", "net_failover", "virtio_net", "virtio_pci" }) do
	print("CHECK loaded " .. m .. " " .. tostring(kmod.is_loaded(m)))
end
print("CHECK again " .. tostring(select(2, kmod.load("virtio-net"))))
local ok = sched.wait_path("/sys/class/net/eth0", 5000)
print("CHECK after eth0 " .. tostring(ok))
require("shutdown").request("poweroff")
