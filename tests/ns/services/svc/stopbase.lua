-- stop_all sends its TERM only once stoptop is down
return { command = { "/bin/sh", "-c",
	"trap 'echo base >> /tmp/luainit-svc-test/stoporder; exit 0' TERM; while :; do sleep 1 & wait; done" } }
