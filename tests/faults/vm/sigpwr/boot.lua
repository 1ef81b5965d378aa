-- VM: SIGPWR (what a UPS daemon or the kernel's power-failure path sends)
-- powers the machine off in order; QEMU exits 0.
local stage = require "stage"
local process = require "luainit.process"
stage.early_mounts()
stage.remount_root()
print("CHECK sending SIGPWR")
assert(process.spawn({ argv = { "/bin/kill", "-PWR", "1" } }))
