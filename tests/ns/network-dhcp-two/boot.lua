-- Two interfaces with DHCP; the run script drives dnsmasq and checks the
-- routes with `ip`.
local T = require "nstest"
T.start_network("TWO", 20000)
-- the run script creates its stop file when it is done
T.wait_stop("two", 50000)
require("shutdown").request("poweroff")
