-- VM: PID 1 pets a watchdog (softdog, 4 s margin) from its event loop: the
-- machine is still up well past the margin, and power-off disarms it.
local boot = require "stage"
local sched = require "sched"
local fs = require "luainit.fs"

boot.early_mounts()
boot.remount_root()
boot.watchdog({ module = "softdog", options = "soft_margin=4", interval = 1 })
sched.sleep(10000)
local wd = require "watchdog"
print(string.format("CHECK alive past the margin, petted %s", tostring(wd.pets and wd.pets >= 8)))
print("CHECK state " .. tostring((fs.readfile("/sys/class/watchdog/watchdog0/state") or "?"):gsub("%s+$", "")))
require("shutdown").request("poweroff")
