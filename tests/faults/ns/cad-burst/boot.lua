-- Ctrl-Alt-Del (SIGINT to PID 1) pressed 7 times within 2 s while a
-- shutdown hangs (a hook that never returns) forces a reboot at once, as
-- systemd's CtrlAltDelBurstAction does; fewer presses are logged and
-- ignored, as a second request always was.
local process = require "luainit.process"
local sched = require "sched"
local shutdown = require "shutdown"
local T = require "nstest"
T.setup("/tmp/luainit-fault-cad")

shutdown.hook(function()
	print("FAULT TEST: a hook that never returns")
	sched.sleep(1e9)
end)
sched.spawn(function()
	sched.sleep(300)
	for _ = 1, 6 do process.kill(1, "INT") sched.sleep(50) end
	sched.sleep(2500) -- (the first six are old now)
	print("FAULT TEST: still shutting down after 6 presses")
	for _ = 1, 7 do process.kill(1, "INT") sched.sleep(50) end
end, "presses")
print("FAULT TEST: done")
shutdown.request("poweroff")
