/* l_mount.h: what the two files of luainit.mount share: l_mount.c owns the
 * module (parsing, mounting, unmounting through libmount), l_mountopts.c
 * the vetting of an options string before a mount. */
#ifndef LUAINIT_L_MOUNT_H
#define LUAINIT_L_MOUNT_H

#include <lua.h>

/* *out: options as libmount is to get them (a userdata left on the stack,
 * "" for none), and 0; or a failure pushed, naming the first option that
 * would have no effect, and its count of values. skipped: 0, or the stack
 * index of a slot (nil until then, a table made there at the first) to
 * which an X-mount.* option libmount does not act on is added, left out
 * instead of failing: a mount that skips none makes no table. nofail is
 * left out: libmount reads it only to call some failures a success, which
 * dropped their explanation; judging them is the caller's. */
int lx_mount_vet_options(lua_State *L, const char *target, const char *source,
                         const char *fstype, int want_mkdir, int skipped, const char **out);

#endif
