-- 300 lines of about 1 KB: a log reply of about 200 KB (the ring keeps 200)
return { log = { file = false }, command = { "/bin/sh", "-c",
	"i=0; while [ $i -lt 300 ]; do echo chatty line $i $(printf '%0900d' 0); i=$((i+1)); done; exec sleep 1000" } }
