-- disabled: started only because puller requires it, and then the boot's
return { enabled = false, command = { "/bin/sleep", "1000" } }
