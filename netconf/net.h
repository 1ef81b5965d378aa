/* net.h: the pieces of luainit.net spread over netconf/l_*.c. */
#ifndef LUAINIT_NET_H
#define LUAINIT_NET_H

#include <lua.h>

#include <stddef.h>
#include <stdint.h>

/* Add the DHCP functions (l_dhcp.c) to the module table at the top. */
void lx_net_open_dhcp(lua_State *L);
/* Add monitor() (nlmon.c) to the module table at the top. */
void lx_net_open_monitor(lua_State *L);

/* Fields shared by net.links()/addresses() and the monitor's events
 * (nlmon.c): the IFF_* flags as a table of true values; "inet", "inet6" or
 * "other"; an IF_OPER_* state by name; an address as text ("10.0.2.15",
 * "fe80::1"; other lengths as "52:54:00:12:34:56"). */
void lx_net_push_flags(lua_State *L, unsigned flags);
const char *lx_net_family(int family);
void lx_net_operstate(unsigned state, char *buf, size_t len);
void lx_net_addr_str(int family, const uint8_t *b, unsigned n, char *buf, size_t len);

#endif
