-- VM: Ctrl-Alt-Del (sent by the host through the QEMU monitor) reaches
-- PID 1 as SIGINT and reboots in order; with -no-reboot QEMU then exits 0.
-- A second request (SIGUSR2 right after) is harmless.
local stage = require "stage"
local pid1 = require "pid1"
stage.early_mounts()
stage.remount_root()
print("CHECK ready for ctrl-alt-del")
