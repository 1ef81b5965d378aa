-- A network config whose interface never appears: a service ordered
-- `after` "network-online" starts once network.online_timeout_ms has
-- passed (as systemd's network-online.target gives up), and one that
-- `requires` it keeps waiting, saying why; network.wait_online waits out
-- its own time, not that one. Without a network entry in fstab,
-- "remote-fs" is reached at once, for `after` and `requires`.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local services = require "services"
local network = require "network"
local T = require "nstest"
T.setup("/tmp/luainit-netwait-test")

fs.writefile(T.dir .. "/network.lua", 'return { interfaces = { { match = "nosuch0", address = "10.99.0.2/24" } } }\n')
network.online_timeout_ms = 500
print("NETWAIT start: " .. tostring(network.start(T.dir .. "/network.lua")))
-- a wait longer than online_timeout_ms: the settling at 0.5 s wakes
-- "network-online" without the network online, which is no answer
local event = require "luainit.event"
local waited
sched.spawn(function()
	local t0 = event.now()
	local ok, why = network.wait_online(1500)
	waited = { ok = ok, why = why, ms = event.now() - t0 }
end, "wait_online")
local set = {}
for name, def in pairs({
	orderonly = { command = { "/bin/sleep", "1000" }, after = { "network-online" } },
	needsnet = { command = { "/bin/sleep", "1000" }, requires = { "network-online" } },
	afterfs = { command = { "/bin/sleep", "1000" }, after = { "remote-fs" } },
	needsfs = { command = { "/bin/sleep", "1000" }, requires = { "remote-fs" } },
}) do
	set[name] = assert(services.check(name, def, name))
end
sup.add(set)
sup.start_all()
local function state(n) return sup.services[n].state .. " " .. tostring(sup.services[n].why) end
T.check("after waits while the network may come", sup.services.orderonly.state ~= "ready", state("orderonly"))
T.check("remote-fs without network mounts: reached at once", sup.services.afterfs.state == "ready"
	and sup.services.needsfs.state == "ready", state("afterfs") .. ", " .. state("needsfs"))
sup.wait_settled("orderonly", 10000)
T.check("after starts once the wait is over", sup.services.orderonly.state == "ready", state("orderonly"))
T.check("settled without being online", network.settled and not network.online)
sched.sleep(200)
T.check("requires keeps waiting", sup.services.needsnet.state == "starting"
	and sup.services.needsnet.why == "waiting for the network", state("needsnet"))
T.wait_until(function() return waited end, 5000)
T.check("wait_online waits out its time, not the settling", waited and waited.ok == nil
	and waited.why == "timeout" and waited.ms >= 1500,
	waited and string.format("%s %s after %g ms", tostring(waited.ok), tostring(waited.why), waited.ms))
-- stops both and removes their groups, which are the host's
T.finish("NETWAIT: done")
