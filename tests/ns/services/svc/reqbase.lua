-- reqmid requires it, reqtop requires reqmid: an explicit stop of reqbase
-- stops reqtop, then reqmid, then reqbase (each notes its stop); reqafter
-- only starts after it, and keeps running
return { command = { "/bin/sh", "-c",
	"trap 'echo base >> /tmp/luainit-svc-test/reqorder; exit 0' TERM; while :; do sleep 1 & wait; done" } }
