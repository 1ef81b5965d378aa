/* l_process.h: what the two files of luainit.process share. l_process.c
 * owns processes once they run (signals, waits, priorities, users and
 * groups, /proc's pids) and opens the module; l_spawn.c owns starting one
 * (the spec table resolved for spawn.c) and adds spawn and RLIMITS to the
 * module's table. */
#ifndef LUAINIT_L_PROCESS_H
#define LUAINIT_L_PROCESS_H

#include <lua.h>

/* Add spawn and RLIMITS to the module table at the top of the stack
 * (l_spawn.c). */
void lx_spawn_register(lua_State *L);

#endif
