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

check("no hook left", next(sup.down_hooks) == nil)
T.finish("REQSTOP: done")
