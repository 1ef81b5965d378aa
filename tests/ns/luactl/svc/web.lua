-- says goodbye when it stops: the last line a `log -f web` sees at poweroff;
-- a USR1 (luactl kill -s USR1) it reports and lives on
return { description = "a pretend web server",
	command = { "/bin/sh", "-c", "trap 'echo web says goodbye; exit 0' TERM; trap 'echo web got USR1' USR1; "
		.. "echo web says hello; sleep 1000 & until wait $!; do :; done" } }
