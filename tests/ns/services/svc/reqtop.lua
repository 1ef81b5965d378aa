-- requires reqmid (and through it reqbase); takes 0.2 s to stop
return { requires = { "reqmid" }, command = { "/bin/sh", "-c",
	"trap 'sleep 0.2; echo top >> /tmp/luainit-svc-test/reqorder; exit 0' TERM; while :; do sleep 1 & wait; done" } }
