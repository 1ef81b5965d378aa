-- /etc/luainit/boot.lua: how this machine boots, top to bottom.
--
-- Each line is one step and prints one [  OK  ] or [FAILED] line on the
-- console. Edit freely: the steps live in /usr/lib/luainit/stage.lua, and
-- any Lua you add here runs as part of the boot. A mistake here opens the
-- rescue console (a Lua prompt; `:sh` gives a shell), it never panics.
local boot = require "stage"

boot.early_mounts()   -- /proc /sys /dev /dev/pts /dev/shm /run /sys/fs/cgroup
boot.remount_root()   -- / read-write, unless /etc/fstab says ro
boot.fstab()          -- the rest of /etc/fstab (nofail entries may fail)
boot.hostname()       -- /etc/hostname
boot.sysctl()         -- /etc/sysctl.conf and /etc/sysctl.d/*.conf
boot.modules()        -- /etc/modules-load.d/*.conf
boot.coldplug()       -- drivers for the devices present, then hotplug
boot.random_seed()    -- /var/lib/luainit/random-seed
boot.network()        -- lo and /etc/luainit/network.lua (DHCP runs in the background)
boot.control()        -- /run/luainit/control, for luactl
boot.rescue_point()   -- luainit.rescue, single, 1, rescue or emergency stop here
boot.services()       -- /etc/luainit/services/*.lua, in dependency order
boot.done()
