-- says goodbye when it stops: the last line a `log -f web` sees at poweroff
return { description = "a pretend web server",
	command = { "/bin/sh", "-c", "trap 'echo web says goodbye; exit 0' TERM; echo web says hello; sleep 1000 & wait" } }
