-- stopped before stopbase (it requires it); takes 0.3 s to go
return { requires = { "stopbase" }, command = { "/bin/sh", "-c",
	"trap 'sleep 0.3; echo top >> /tmp/luainit-svc-test/stoporder; exit 0' TERM; while :; do sleep 1 & wait; done" } }
