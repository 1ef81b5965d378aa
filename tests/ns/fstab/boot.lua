-- fstab through the boot step: required, nofail, noauto and bind entries;
-- a required entry that fails opens the rescue console, and :continue
-- resumes the boot. Without a network entry netmounts is not loaded.
local boot = require "stage"
local fs = require "luainit.fs"
local T = require "nstest"
local dir = T.tmpfs("/tmp/luainit-fstab-test")
local text = ([[
# <source>           <target>  <type>  <options>             <dump> <pass>
tmpfs                @/a       tmpfs   size=1m,mode=0700     0      0
/dev/does-not-exist  @/b	ext4	defaults,nofail       0      2
tmpfs                @/c       tmpfs   noauto                0      0
@/a                  @/d       none    rw,bind,async,x-luainit.test 0 0
tmpfs                @/f       tmpfs   size=1m,X-mount.mode=0700 0  0
@/a                  @/g       none    bind,size=1m,nofail   0      0
]]):gsub("@", dir)
fs.writefile(dir .. "/fstab", text)
boot.fstab(dir .. "/fstab")
-- no network entry: netmounts is not loaded
print("CHECK netmounts loaded " .. tostring(package.loaded.netmounts ~= nil))
for _, d in ipairs({ "a", "b", "c", "d", "f", "g" }) do
	print(string.format("CHECK mounted %s %s", d, tostring(boot.is_mountpoint(dir .. "/" .. d))))
end
fs.writefile(dir .. "/fstab2", "/dev/does-not-exist " .. dir .. "/e ext4 defaults 0 2\n")
boot.fstab(dir .. "/fstab2")
print("CHECK boot resumed after the rescue console")
require("shutdown").request("poweroff")
