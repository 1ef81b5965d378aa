-- ready, three WATCHDOG=1 pings, then silence: the watchdog must fire
return {
	type = "notify",
	watchdog = 1,
	restart = "on-failure",
	restart_delay = 0.1,
	command = { "/usr/bin/python3", "-c", [[
import os, socket, time
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
print("WATCHDOG_USEC=" + os.environ.get("WATCHDOG_USEC", "unset"), flush=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", addr)
for _ in range(3):
    time.sleep(0.3)
    s.sendto(b"WATCHDOG=1", addr)
time.sleep(1000)
]] },
}
