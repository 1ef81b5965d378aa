-- A service's log.file that is not a regular file: a FIFO nobody reads
-- (a blocking open would hang PID 1 until a reader came), a FIFO PID 1
-- itself holds open for reading, a character device, a directory. Each is refused with
-- a warning naming the service and the path, the output stays in the
-- ring, nothing goes into the FIFO, `luactl log --file` refuses it too, a
-- later service starts, PID 1 answers.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-lognotfile")

local lonely, held = T.dir .. "/lonely.fifo", T.dir .. "/held.fifo"
assert(fs.mknod(lonely, "p", "0600"))
assert(fs.mknod(held, "p", "0600"))
local reader = assert(fs.open(held, "r,nonblock"))
local adir = T.dir .. "/adir"
assert(fs.mkdir(adir, 493))

local function svc(path)
	return string.format('return { log = { file = %q }, command = { "/bin/sh", "-c", "echo said something; exec sleep 1000" } }', path)
end
T.services({
	lonely = svc(lonely),
	held = svc(held),
	null = svc("/dev/null"),
	adir = svc(adir),
	later = 'return { enabled = false, command = { "/bin/sh", "-c", "echo later speaks; exec sleep 1000" } }',
})
sup.start_all()
for _, name in ipairs({ "lonely", "held", "null", "adir" }) do
	local s = sup.services[name]
	for _ = 1, 100 do
		if s.ring[1] then break end
		sched.sleep(50)
	end
	T.check(name .. ": output in the ring", s.ring[1] == "said something", s.ring[1])
	T.check(name .. ": no log file held", s.log_fd == nil, tostring(s.log_fd))
	T.check(name .. " still ready", s.state == "ready", s.state)
end
-- "": no data, and no writer holds it open any more
local got, _, _, ename = reader:read()
T.check("nothing written into the FIFO", got == "", tostring(got) .. " " .. tostring(ename))
reader:close()
sup.start("later")
T.check("another service starts", sup.wait_settled("later", 10000) == "ready", sup.services.later.state)
sched.sleep(200)
T.check("its output is in its ring", sup.services.later.ring[1] == "later speaks", sup.services.later.ring[1])
T.check("and in its log file", (fs.readfile(T.dir .. "/log/later.log") or ""):match(" later speaks\n$") ~= nil)
-- `luactl log --file` opens the path inside PID 1 too: a FIFO nobody
-- writes would hold that open as long
local process = require "luainit.process"
for _, name in ipairs({ "lonely", "held", "null", "adir" }) do
	local out = T.dir .. "/logfile.out"
	local pid = process.spawn({ path = "/proc/self/exe", argv = { "luactl", "log", "--file", name },
		env = { "LUAINIT_CONTROL=" .. T.control }, stdout = { file = out }, stderr = "stdout" })
	local how, code = sched.wait_child(pid, 10000)
	local text = fs.readfile(out) or ""
	T.check("log --file " .. name .. " refused", how == "exited" and code == 1
		and text:match("^luactl: log: " .. name .. ": log file .* is not a regular file %(") ~= nil, tostring(code) .. " " .. text)
end
T.responsive("with a log file that is no file")
T.finish()
