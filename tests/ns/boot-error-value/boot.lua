-- A boot step and then the boot file raise error values that are no
-- strings, one with a __tostring that raises itself: each is named as
-- text with its traceback (its file:line), the boot goes on after the
-- step, and the boot file's error opens the rescue console. The
-- traceback handler gave the value back as it was, and the boot task
-- died in the tostring of it: no rescue console, nothing on the console.
local stage = require "stage"
stage.step("step raising a table", function() error({ code = 7 }) end)
print("CHECK after the step ok")
local function fail()
	error(setmetatable({}, { __tostring = function() error("no text for you") end }))
end
fail()
