-- only ordered after reqbase: a stop of reqbase leaves it running
return { after = { "reqbase" }, command = { "/bin/sleep", "1000" } }
