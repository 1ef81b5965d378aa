-- luainit.break=STEP stops before the step with that id, at the rescue
-- console; :continue runs it and the rest of the boot.
local stage = require "stage"
stage.step("first step", function() print("CHECK first step ran") return true end, { id = "first" })
stage.step("set hostname (stand-in)", function() print("CHECK hostname step ran") return true end, { id = "hostname" })
print("CHECK after the hostname step")
print("FAULT TEST: done")
require("shutdown").request("poweroff")
