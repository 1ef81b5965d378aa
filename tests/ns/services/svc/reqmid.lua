-- requires reqbase; takes 0.2 s to stop, so reqbase's stop must wait for it
return { requires = { "reqbase" }, command = { "/bin/sh", "-c",
	"trap 'sleep 0.2; echo mid >> /tmp/luainit-svc-test/reqorder; exit 0' TERM; while :; do sleep 1 & wait; done" } }
