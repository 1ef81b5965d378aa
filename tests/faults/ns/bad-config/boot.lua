-- Clear errors for bad service configuration: a missing command, a command
-- that is not executable, a user that does not exist, and a definition file
-- that cannot be read (a directory, a FIFO, a dangling symlink), a
-- description too long for a status reply. Each names the service and what was wrong; the good
-- service still starts.
local fs = require "luainit.fs"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-badcfg")

fs.mkdirp(T.dir .. "/svc/unreadable.lua") -- a directory: reading it fails (even as root)
-- a FIFO nobody writes to: its open held PID 1 (the boot, or a reload) for
-- good; a dangling symlink
assert(fs.mknod(T.dir .. "/svc/fifo.lua", "p", 420))
assert(fs.symlink("/nonexistent/dangling.lua", T.dir .. "/svc/dangling.lua"))
local _, errs = T.services({
	missing = 'return { command = { "/nonexistent/daemon", "-f" } }',
	notexec = 'return { command = { "/etc/passwd" } }',
	inpath = 'return { command = { "no-such-daemon-anywhere" } }',
	nouser = 'return { user = "no-such-user", command = { "/bin/true" } }',
	good = 'return { command = { "/bin/sh", "-c", "exec sleep 1000" } }',
	-- loaded, it made every luactl status "reply exceeds the limit"
	-- (T.responsive asks for one)
	huge = 'return { description = ("x"):rep(15 << 20), command = { "/bin/true" } }',
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
