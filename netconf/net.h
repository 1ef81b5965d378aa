/* net.h: the pieces of luainit.net spread over netconf/l_*.c. */
#ifndef LUAINIT_NET_H
#define LUAINIT_NET_H

#include <lua.h>

/* Add the DHCP functions (l_dhcp.c) to the module table at the top. */
void lx_net_open_dhcp(lua_State *L);

#endif
