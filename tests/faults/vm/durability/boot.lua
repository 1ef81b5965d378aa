-- VM, booted 20 times on the same image (`repeat`): a service writes and
-- fsyncs a record, another keeps a file open for writing; then /sbin/poweroff.
-- After each boot `post` checks with e2fsck -fn and debugfs that the image
-- is clean and every record so far is there, blob and checksum.
local stage = require "stage"
local process = require "luainit.process"
local sched = require "sched"
local services = require "services"
local sup = require "supervisor"

stage.early_mounts()
stage.remount_root()
stage.fstab()
local set, errs = services.load_dir("/etc/luainit/tests/durability-svc")
for _, e in ipairs(errs) do print("ERROR " .. e) end
sup.add(set)
require("shutdown").hook(function() sup.stop_all(30000) return "stopped services" end)
sup.start_all()
print("CHECK writer " .. tostring(sup.wait_settled("writer", 30000)))
print("CHECK holder " .. tostring(sup.wait_settled("holder", 30000)))
sched.sleep(300) -- the holder has appended a few lines and keeps the file open
assert(process.spawn({ argv = { "/sbin/poweroff" } }))
