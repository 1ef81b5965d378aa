-- luactl reload against a real PID 1, as a user of systemd's daemon-reload
-- or s6/runit would lean on it: the run script copies this directory to a
-- host-visible place, edits svc/ and drives luactl.
local sup = require "supervisor"
local control = require "control"
local shutdown = require "shutdown"
local T = require "nstest"

assert(T.cgroups("luainit-reload-" .. (T.here:match("luainit%-ns%.(%w+)") or "x")))
sup.notify_path = T.here .. "/run/notify"
sup.log_dir = T.here .. "/log"
-- clone3 into the groups, as tests/ns/luactl does (see there)
sup.cgroup_clone = true

T.load_services()
-- a check that takes its time, as one running a daemon's own config test
-- would (nginx -t): while the file slowcheck exists, 1.5 s
control.reload_checks[#control.reload_checks + 1] = function()
	if require("luainit.fs").exists(T.here .. "/slowcheck") then require("sched").sleep(1500) end
	return {}
end
shutdown.hook(function()
	T.stop_services()
	return "stopped services"
end)
sup.start_all()
assert(control.listen(T.here .. "/control"))
print("RELOAD: ready")
