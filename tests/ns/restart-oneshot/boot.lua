-- luactl restart of a oneshot that is done runs it again, as systemd's
-- restart does; a start leaves it done. It said "done" and ran nothing.
local fs = require "luainit.fs"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-restart-oneshot")
local D = T.dir

local _, errs = T.services({
	once = ([[return { type = "oneshot", command = { "/bin/sh", "-c", "echo ran >> %s/once.runs" } }]]):format(D),
	user = [[return { requires = { "once" }, command = { "sleep", "1000" } }]],
})
for _, e in ipairs(errs) do print("ERROR " .. e) end
sup.start_all()
sup.wait_settled("once", 5000)
sup.wait_settled("user", 5000)

local luactl = T.luactl
local function runs() return select(2, (fs.readfile(D .. "/once.runs") or ""):gsub("ran", "")) end

T.check("oneshot ran at boot", sup.services.once.state == "done" and runs() == 1, runs())
local user_pid = sup.services.user.pid
local code, out = luactl("start", "once")
T.check("start of a done oneshot: nothing run", code == 0 and runs() == 1, code .. " " .. runs() .. " " .. out)
code, out = luactl("restart", "once")
T.check("restart of a done oneshot: run again", code == 0 and runs() == 2 and sup.services.once.state == "done",
	code .. " " .. runs() .. " " .. sup.services.once.state .. " " .. out)
T.check("what requires it left alone", sup.services.user.state == "ready" and sup.services.user.pid == user_pid,
	sup.services.user.state)
T.finish()
