-- requires a disabled service: start_all pulls it in
return { requires = { "pulled" }, command = { "/bin/sleep", "1000" } }
