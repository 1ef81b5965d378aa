-- supervisor.stop_with (luactl stop and restart reaching what requires
-- the service) against the other requests and states it meets.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-reqstop")
local dir, check = T.dir, T.check

-- sh loop that notes its stop in dir/order, after secs
local function noting(name, secs)
	return string.format([[{ "/bin/sh", "-c", "trap 'sleep %s; echo %s >> %s/order; exit 0' TERM; while :; do sleep 1 & wait; done" }]],
		secs, name, dir)
end
local _, errs = T.services({
	-- r (in backoff) requires db, t requires r: r's retry is due before
	-- t is down
	db = "return { command = " .. noting("db", 0) .. " }",
	r = [[return { requires = { "db" }, restart = "always", restart_delay = 0.5, crash_limit = { 50, 10 },
		command = { "/bin/sleep", "1000" } }]],
	t = "return { requires = { \"r\" }, command = " .. noting("t", 1.5) .. " }",
})
for _, e in ipairs(errs) do print("ERROR " .. e) end
local function states(...)
	local o = {}
	for _, n in ipairs({ ... }) do o[#o + 1] = n .. "=" .. sup.services[n].state end
	return table.concat(o, " ")
end
local function order()
	local o = fs.readfile(dir .. "/order") or ""
	fs.writefile(dir .. "/order", "")
	return (o:gsub("\n", " "))
end

-- a requirer in backoff is stopped at once: its retry pulled db back in
sup.start("t")
for _, n in ipairs({ "db", "r", "t" }) do sup.wait_settled(n, 5000) end
sched.sleep(300) -- (the shells' traps set)
sup.services.r.restart_delay = 1
sup.signal("r", "KILL")
T.wait_until(function() return sup.services.r.state == "backoff" end, 3000, 10)
sup.stop_with("db", 10000)
sched.sleep(1000)
check("backoff requirer: all stay down", states("db", "r", "t") == "db=stopped r=stopped t=stopped",
	states("db", "r", "t"))
-- (r down: t requires db through it, and holds it)
local o = order()
check("backoff requirer: t stops before db", o == "t db ", o)

-- a start asked for while the stop waits for what requires the service
-- wins, as the last request does otherwise (luactl stop --no-block db,
-- then luactl start db: db was stopped once t was down)
sup.services.r.restart_delay = 0.5
sup.start("t")
for _, n in ipairs({ "db", "r", "t" }) do sup.wait_settled(n, 5000) end
sched.sleep(300) -- (the shells' traps set)
sched.spawn(sup.stop_with, "stop db", "db", 10000)
sup.start("db")
sched.sleep(2500)
check("start during the stop: db stays", states("db", "r", "t") == "db=ready r=stopped t=stopped",
	states("db", "r", "t"))
order()
-- and one of what requires it: t, started while r waits for it to stop,
-- keeps r and db
sup.start("t")
for _, n in ipairs({ "db", "r", "t" }) do sup.wait_settled(n, 5000) end
sched.sleep(300) -- (the shells' traps set)
local tpid = sup.services.t.pid
sched.spawn(sup.stop_with, "stop db", "db", 10000)
sched.sleep(100)
sup.start("t")
sched.sleep(2500)
check("start of a requirer during the stop: all stay", states("db", "r", "t") == "db=ready r=ready t=ready"
	and sup.services.t.pid ~= tpid, states("db", "r", "t"))
o = order()
check("start of a requirer during the stop: only t stopped", o == "t ", o)

-- luactl: restart starts again only what was wanted, each once
local luactl = T.luactl
local stops = 0
local function count(svc) if svc.name == "r" and svc.state == "stopped" then stops = stops + 1 end end
sup.down_hooks[count] = true
local code, out = luactl("restart", "db", "r")
sup.down_hooks[count] = nil
check("restart db r: r once", code == 0 and stops == 1 and states("db", "r", "t") == "db=ready r=ready t=ready",
	stops .. " " .. states("db", "r", "t") .. " " .. out:gsub("\n", "; "))
-- t on its way down for a stop asked for: a restart of db leaves it down
sched.sleep(300) -- (the shells' traps set)
luactl("stop", "--no-block", "t")
code, out = luactl("restart", "db")
sched.sleep(200)
check("restart db: t, being stopped, stays down", code == 0 and states("db", "r", "t") == "db=ready r=ready t=stopped",
	states("db", "r", "t") .. " " .. out:gsub("\n", "; "))
order()
-- with r down, restart r db starts db first and r once: r's start came
-- first, and the restart of db then restarted it
luactl("stop", "r")
stops = 0
sup.down_hooks[count] = true
code, out = luactl("restart", "r", "db")
sup.down_hooks[count] = nil
check("restart r db, r down: r not stopped again", code == 0 and stops == 0 and states("db", "r") == "db=ready r=ready",
	stops .. " " .. states("db", "r", "t") .. " " .. out:gsub("\n", "; "))
order()

check("no hook left", next(sup.down_hooks) == nil)
T.finish("REQSTOP: done")
