/* cold.c: the boundary between the code PID 1 runs all the time and the
 * code a boot needs once. The Makefile links the event loop, the bindings
 * a running system uses, the Lua VM and libc first, then this object, then
 * what only the boot (or a rare request) runs: libmount, libblkid, libnl,
 * module loading, the device and mount bindings, the luactl client, the
 * compiled-in library. Constants follow the same order. lx_state_trim
 * (state.c) drops the pages from here to the end of .text, and from
 * lx_cold_rodata to the end of the read-only segment, from PID 1's page
 * tables once the boot is done; they stay in the page cache and fault back
 * in if a later request needs them. */
#include "pid1.h"

__attribute__((noinline, section(".text.lx_cold_begin"))) void lx_cold_begin(void)
{
}

__attribute__((section(".rodata.lx_cold_begin"))) const char lx_cold_rodata[1] = { 0 };
