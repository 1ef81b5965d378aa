return { wants = { "wantsa" }, command = { "/bin/sleep", "1000" } }
