-- A service that exited cleanly and was not restarted (restart =
-- "on-failure", exit code 0) stayed wanted: a service ordered after it
-- waited for it for ever, and one that requires it waited too, as it was
-- not pulled in again. systemd starts such a unit again for what
-- requires it, and After= of an inactive unit orders nothing.
local fs = require "luainit.fs"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-requires-exited")
local D = T.dir

local _, errs = T.services({
	x = ([[return { command = { "/bin/sh", "-c", "echo ran >> %s/x.runs; sleep 0.2; exit 0" } }]]):format(D),
	afterx = [[return { enabled = false, after = { "x" }, command = { "sleep", "1000" } }]],
	needsx = [[return { enabled = false, requires = { "x" }, command = { "sleep", "1000" } }]],
})
for _, e in ipairs(errs) do print("ERROR " .. e) end
sup.start_all()
local x = sup.services.x
T.wait_until(function() return x.state == "stopped" end, 5000)
T.check("x exited cleanly: stopped", x.state == "stopped", x.state .. " " .. tostring(x.why))
local function runs() return select(2, (fs.readfile(D .. "/x.runs") or ""):gsub("ran", "")) end

sup.start("afterx")
local st = sup.wait_settled("afterx", 3000)
T.check("after an exited service: started", st == "ready", st .. " " .. tostring(sup.services.afterx.why))

sup.start("needsx")
st = sup.wait_settled("needsx", 3000)
-- (x is simple: ready before its shell has written)
T.wait_until(function() return runs() == 2 end, 3000)
T.check("requires an exited service: pulled in again and started", st == "ready" and runs() == 2,
	st .. " " .. tostring(sup.services.needsx.why) .. ", x ran " .. runs())
T.finish()
