-- luainit.rescue on the command line: the boot stops at the rescue point
-- (before services) with the rescue console; :continue resumes it.
local stage = require "stage"
print("CHECK before the rescue point")
stage.rescue_point()
print("CHECK boot resumed after :continue")
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$")
local T = dofile(here .. "/../../../lib.lua")
T.responsive("after rescue")
print("FAULT TEST: done")
require("shutdown").request("poweroff")
