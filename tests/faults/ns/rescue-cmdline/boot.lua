-- luainit.rescue on the command line: the boot stops at the rescue point
-- (before services) with the rescue console; :continue resumes it.
local stage = require "stage"
local T = require "nstest"
print("CHECK before the rescue point")
stage.rescue_point()
print("CHECK boot resumed after :continue")
T.responsive("after rescue")
T.finish()
