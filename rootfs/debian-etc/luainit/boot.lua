-- /etc/luainit/boot.lua on Debian: what systemd's sysinit.target and
-- multi-user.target do on a stock bookworm machine, top to bottom.
-- Boot with init=/sbin/luainit; without it the kernel runs /sbin/init,
-- which is still systemd (see docs/migrating-from-systemd.md).
local boot = require "stage"

boot.early_mounts()   -- /proc /sys /dev /dev/pts /dev/shm /run /sys/fs/cgroup
boot.remount_root()   -- / read-write, unless /etc/fstab says ro
boot.fstab()          -- the rest of /etc/fstab (nofail entries may fail)
boot.hostname()       -- /etc/hostname

-- systemd-tmpfiles-setup: /run/sshd, /run/utmp, /var/log, /var/run -> /run,
-- from the packages' /usr/lib/tmpfiles.d and /etc/tmpfiles.d. /run/nologin
-- is left out: systemd-user-sessions.service, which removes it once the
-- boot is done, does not run here. remove: D lines empty /tmp as at boot.
boot.step("tmpfiles", function()
	return require("tmpfiles").apply({ remove = true, skip = { "systemd-nologin.conf" } })
end, { id = "tmpfiles" })

boot.sysctl()         -- /usr/lib, /run, /etc sysctl.d and /etc/sysctl.conf
boot.modules()        -- modules-load.d
boot.coldplug()       -- drivers for the devices present, then hotplug
boot.random_seed()    -- /var/lib/luainit/random-seed

-- loopback, then DHCP on the first Ethernet link (/etc/luainit/network.lua)
boot.step("network", function()
	return require("network").start("/etc/luainit/network.lua")
end, { id = "network" })

if boot.control then boot.control() end  -- /run/luainit/control, for luactl
boot.rescue_point()   -- luainit.rescue, single, 1, rescue or emergency stop here
boot.services()       -- getty, rsyslog, ssh, cron (/etc/luainit/services)
boot.done()
