-- stop_all sends its TERM only once stoptop is down; it notes PID 1's
-- scheduling policy then (field 41 of stat: 1 is SCHED_FIFO)
return { command = { "/bin/sh", "-c",
	"trap 'echo base >> /tmp/luainit-svc-test/stoporder; cut -d\" \" -f41 /proc/1/stat > /tmp/luainit-svc-test/stoppolicy; exit 0' TERM; while :; do sleep 1 & wait; done" } }
