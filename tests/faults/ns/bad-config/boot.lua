-- Clear errors for bad service configuration: a missing command, a command
-- that is not executable, a user that does not exist, and a definition file
-- that cannot be read. Each names the service and what was wrong; the good
-- service still starts.
local fs = require "luainit.fs"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-badcfg")

fs.mkdirp(T.dir .. "/svc/unreadable.lua") -- a directory: reading it fails (even as root)
local _, errs = T.services({
	missing = 'return { command = { "/nonexistent/daemon", "-f" } }',
	notexec = 'return { command = { "/etc/passwd" } }',
	inpath = 'return { command = { "no-such-daemon-anywhere" } }',
	nouser = 'return { user = "no-such-user", command = { "/bin/true" } }',
	good = 'return { command = { "/bin/sh", "-c", "exec sleep 1000" } }',
})
for _, e in ipairs(errs) do print("SVCERR " .. e) end
sup.start_all()
for _, n in ipairs({ "missing", "notexec", "inpath", "nouser", "good" }) do
	sup.wait_settled(n, 10000)
	print(string.format("STATE %s %s: %s", n, sup.services[n].state, tostring(sup.services[n].why)))
end
T.check("good started", sup.services.good.state == "ready")
T.responsive("after bad configuration")
T.finish()
