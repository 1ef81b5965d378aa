-- bench/host/_setup.lua: the set-up the host benchmarks that run services
-- as PID 1 of a PID namespace share (status.lua, rss.lua, luaops.lua): a
-- cgroup root (when cgroup v2 is writable) and a notify socket of their
-- own, named after BENCH_TAG so that runs never meet. Returns the tag.
local fs = require "luainit.fs"
local sup = require "supervisor"

local tag = os.getenv("BENCH_TAG") or "x"
local cg = fs.statfs("/sys/fs/cgroup")
if cg and cg.type == "cgroup2" then sup.cgroup_root = "/sys/fs/cgroup/luainit-bench-" .. tag end
sup.notify_path = "/tmp/luainit-bench-" .. tag .. ".notify"
return tag
