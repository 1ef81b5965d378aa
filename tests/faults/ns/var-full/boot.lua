-- /var full (ENOSPC): the service log directory is a 64 KiB tmpfs that a
-- chatty service fills. Writes fail, logging degrades to the in-memory
-- ring (which keeps the newest lines), the service stays up, another
-- service still starts, PID 1 still answers.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-varfull")
fs.mkdirp(T.dir .. "/log")
assert(fs.mount("tmpfs", T.dir .. "/log", "tmpfs", nil, "size=64k"))

T.services({
	chatty = 'return { command = { "/bin/sh", "-c", "i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo line $i of a log that does not fit; done; echo LAST LINE; exec sleep 1000" } }',
	later = 'return { enabled = false, command = { "/bin/sh", "-c", "echo later speaks; exec sleep 1000" } }',
})
sup.start_all()
local chatty = sup.services.chatty
T.wait_until(function() return chatty.ring[#chatty.ring] == "LAST LINE" end, 10000)
local st = fs.statfs(T.dir .. "/log")
local size = (fs.stat(T.dir .. "/log/chatty.log") or {}).size or 0
print(string.format("VARFULL: chatty.log %d bytes, ring has %d lines, last %q", size, #chatty.ring, tostring(chatty.ring[#chatty.ring])))
T.check("ring keeps the newest lines", chatty.ring[#chatty.ring] == "LAST LINE")
T.check("file stopped at the full disk", size <= 65536 and size > 0, size)
T.check("chatty still ready", chatty.state == "ready", chatty.state)
sup.start("later")
T.check("another service starts", sup.wait_settled("later", 10000) == "ready", sup.services.later.state)
sched.sleep(200)
T.check("its output is in its ring", sup.services.later.ring[1] == "later speaks", sup.services.later.ring[1])
T.responsive("with /var full")
T.finish()
