-- The DHCP client when its link moves to another network; the run script
-- drives dnsmasq and the link.
local T = require "nstest"
T.start_network("MOVED", 20000)
-- the run script creates its stop file when it is done
T.wait_stop("moved", 50000)
require("shutdown").request("poweroff")
