# luainit: build the static PID 1, the test image, boot it, test it.
#
#   make           build/luainit (static, musl, Lua 5.4 + libmount + libnl inside)
#   make run       install what is missing, build everything, boot the demo VM
#   make check     the same set-up, then every test tier
#   make install DESTDIR=dir   install into a root tree (never overwrites /etc/luainit files)

BUILD     ?= build
SYSROOT   := $(BUILD)/sysroot
KHDR      := $(SYSROOT)/kheaders
OBJ       := $(BUILD)/obj
CC        := musl-gcc
HOSTCC    ?= cc
PREFIX    ?=
DESTDIR   ?=

WARN      := -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes \
             -Wstrict-prototypes -Werror=implicit-function-declaration
CFLAGS    ?= -Os
CFLAGS    += -std=gnu11 -D_GNU_SOURCE $(WARN) -ffunction-sections -fdata-sections -fno-merge-constants \
             -Iinit -Inetconf -I$(SYSROOT)/include -I$(SYSROOT)/include/libnl3 \
             -idirafter $(KHDR)
LDFLAGS   += -static -s -Wl,--gc-sections
LIBS      := $(SYSROOT)/lib/libmount.a $(SYSROOT)/lib/libblkid.a \
             $(SYSROOT)/lib/libnl-route-3.a $(SYSROOT)/lib/libnl-3.a
DEPS      := $(SYSROOT)/.done

C_SRC     := $(wildcard init/*.c) $(wildcard netconf/*.c)
C_OBJ     := $(patsubst %.c,$(OBJ)/%.o,$(C_SRC)) $(OBJ)/lualib.o
# Link order is memory layout. What PID 1 runs all the time comes first
# (with the Lua VM and the libc it uses), then init/cold.c, then what only
# a boot or a rare request runs; after the boot, lx_state_trim drops that
# second part from PID 1's page tables (docs/performance.md).
COLD_SRC  := init/cold.c init/client.c init/kmod.c init/l_chunk.c init/l_dev.c init/l_kmod.c \
             init/l_mount.c init/l_mountopts.c init/modules.c netconf/l_net.c netconf/l_route.c
HOT_OBJ   := $(patsubst %.c,$(OBJ)/%.o,$(filter-out $(COLD_SRC),$(C_SRC)))
COLD_OBJ  := $(patsubst %.c,$(OBJ)/%.o,$(COLD_SRC)) $(OBJ)/lualib.o
# liblua.a's members (Lua 5.4's src/Makefile), split the same way: the
# compiler, bytecode dump/load and the debug and utf8 libraries are cold.
LUA_HOT   := lapi lctype ldebug ldo lfunc lgc lmem lobject lopcodes lstate lstring \
             ltable ltm lvm lzio lauxlib lbaselib lcorolib liolib lmathlib loadlib \
             loslib lstrlib ltablib linit
LUA_COLD  := lcode llex lparser ldump lundump ldblib lutf8lib
LUA_HOT_OBJ  := $(patsubst %,$(OBJ)/lua/%.o,$(LUA_HOT))
LUA_COLD_OBJ := $(patsubst %,$(OBJ)/lua/%.o,$(LUA_COLD))
LUA_LIB   := $(sort $(wildcard lua/*.lua))
LINKS     := luactl poweroff reboot halt

IMAGE     := $(BUILD)/rootfs.img
KERNEL    := $(BUILD)/kernel/vmlinuz
STAGING   := $(BUILD)/rootfs

.PHONY: FORCE all setup deps install image kernel run check check-unit check-ns check-vm fuzz \
        debian-image check-debian bench clean distclean

all: $(BUILD)/luainit

# Installs missing Debian packages (as root) or says which are missing.
setup:
	@scripts/setup

$(DEPS): scripts/deps scripts/apt-local
	scripts/deps $(SYSROOT)

deps: $(DEPS)

$(OBJ)/%.o: %.c $(DEPS) $(wildcard init/*.h) $(wildcard netconf/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The Lua library is compiled in (as bytecode), so a boot needs nothing else.
$(BUILD)/gen/lualib.c: $(LUA_LIB) scripts/embed.lua $(DEPS)
	@mkdir -p $(dir $@)
	$(SYSROOT)/bin/lua scripts/embed.lua $(LUA_LIB) > $@.tmp && mv $@.tmp $@

$(OBJ)/lualib.o: $(BUILD)/gen/lualib.c $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LUA_HOT_OBJ) $(LUA_COLD_OBJ) &: $(DEPS)
	@mkdir -p $(OBJ)/lua
	cd $(OBJ)/lua && ar x $(abspath $(SYSROOT)/lib/liblua.a) $(addsuffix .o,$(LUA_HOT) $(LUA_COLD))

$(BUILD)/luainit: $(C_OBJ) $(LUA_HOT_OBJ) $(LUA_COLD_OBJ) $(DEPS)
	$(CC) $(LDFLAGS) -o $@ $(HOT_OBJ) $(LUA_HOT_OBJ) -lc $(COLD_OBJ) $(LUA_COLD_OBJ) $(LIBS)
	@# the unwind tables (~100 kB): nothing unwinds (C only; Lua's errors
	@# longjmp); objcopy warns that the headers' segment has no section,
	@# which is said and dropped; its failure stops the build
	@objcopy -R .eh_frame -R .eh_frame_hdr $@ 2>$@.objcopy || { cat $@.objcopy >&2; rm -f $@ $@.objcopy; exit 1; }
	@grep -v 'empty loadable segment' $@.objcopy >&2 || true; rm -f $@.objcopy
	@ls -l $@ | awk '{print "luainit: " $$5 " bytes"}'

install: $(BUILD)/luainit
	install -d $(DESTDIR)/sbin $(DESTDIR)/usr/lib/luainit $(DESTDIR)/etc/luainit/services
	install -m 0755 $(BUILD)/luainit $(DESTDIR)/sbin/luainit
	for l in $(LINKS); do ln -sf luainit $(DESTDIR)/sbin/$$l; done
	install -m 0644 $(LUA_LIB) $(DESTDIR)/usr/lib/luainit/
	@# Config files belong to the admin once installed: never overwrite them.
	cd etc/luainit && find . -type f | while read -r f; do \
	  d=$(abspath $(DESTDIR))/etc/luainit/$$f; \
	  if [ -e "$$d" ]; then echo "install: keeping existing /etc/luainit/$$f"; \
	  else install -D -m 0644 "$$f" "$$d"; fi; done

kernel: $(KERNEL)
$(KERNEL): rootfs/kernel
	rootfs/kernel $(BUILD)/kernel

# Which overlay the image was made with: changing OVERLAY (or dropping it)
# rebuilds the image even when the overlay's files are older than it.
OVERLAY_STAMP := $(BUILD)/.image-overlay
$(OVERLAY_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(if $(OVERLAY),$(abspath $(OVERLAY)))' | cmp -s - $@ || echo '$(if $(OVERLAY),$(abspath $(OVERLAY)))' > $@
FORCE:

# make compares a stamp, not the image: a VM booted from the image writes
# to it, and its time made it look newer than a binary rebuilt meanwhile
# (the old binary booted). A missing image is built whatever the stamp says.
IMAGE_STAMP := $(BUILD)/.image-built
image: $(IMAGE_STAMP)
$(IMAGE_STAMP): $(BUILD)/luainit $(KERNEL) $(LUA_LIB) $(OVERLAY_STAMP) $(shell find etc services rootfs -type f 2>/dev/null) $(if $(OVERLAY),$(shell find $(OVERLAY) -type f)) $(if $(wildcard $(IMAGE)),,FORCE)
	rm -rf $(STAGING)
	$(MAKE) --no-print-directory install DESTDIR=$(STAGING)
	rootfs/build --staging $(STAGING) --kernel-dir $(BUILD)/kernel --out $(IMAGE) $(if $(OVERLAY),--overlay $(OVERLAY))
	@touch $@

# quiet: the console shows luainit's lines, not the kernel's;
# luainit.show_status=1: all of them, [  OK  ] lines too, which quiet alone
# keeps off the console (APPEND= shows both luainit's and the kernel's)
APPEND    ?= quiet luainit.show_status=1
run: setup
	@$(MAKE) --no-print-directory image
	qemu/run --image $(IMAGE) --kernel $(KERNEL) $(if $(APPEND),--append "$(APPEND)") $(QEMU_ARGS)

check: setup
	@$(MAKE) --no-print-directory image
	tests/run

check-unit check-ns check-vm: setup
	@$(MAKE) --no-print-directory image
	tests/run $(subst check-,,$@)

# builds its own image (rootfs/debian, with the test's ssh key in it)
check-debian: setup
	@$(MAKE) --no-print-directory $(BUILD)/luainit $(KERNEL)
	tests/run debian

# A debootstrapped Debian bookworm booted by luainit with its real daemons
# (sshd, rsyslog, cron, agetty): docs/migrating-from-systemd.md.
DEBIAN_IMAGE := $(BUILD)/debian.img
debian-image: $(DEBIAN_IMAGE)
$(DEBIAN_IMAGE): $(BUILD)/luainit $(KERNEL) $(LUA_LIB) rootfs/debian $(shell find rootfs/debian-etc etc -type f)
	rootfs/debian --kernel-dir $(BUILD)/kernel --out $@

# luainit against BusyBox init and a bare-syscall floor in the same VM, plus
# host microbenchmarks: a table and build/bench.json (docs/performance.md).
# Figures only; nothing here asserts a timing.
bench: setup
	@$(MAKE) --no-print-directory image
	bench/run

# Longer fuzz runs than make check's: the luactl protocol decoder (in Lua,
# and under libFuzzer with ASan/UBSan) and the DHCP packet parser.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 300
LUA_SRCDIR := $(BUILD)/src/lua5.4/src
$(BUILD)/fuzz/control_fuzz: tests/fuzz/control_fuzz.c lua/proto.lua lua/float.lua $(DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -DLUA_DIR='"$(abspath lua)"' \
	  -I$(LUA_SRCDIR) -o $@ $< $(filter-out %/lua.c %/luac.c,$(wildcard $(LUA_SRCDIR)/*.c)) -lm

$(BUILD)/fuzz/dhcp_fuzz: tests/fuzz/dhcp_fuzz.c netconf/dhcp.c netconf/dhcp.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Inetconf -o $@ tests/fuzz/dhcp_fuzz.c netconf/dhcp.c

fuzz: $(BUILD)/luainit $(BUILD)/fuzz/control_fuzz $(BUILD)/fuzz/dhcp_fuzz
	@mkdir -p $(BUILD)/fuzz/control-corpus $(BUILD)/fuzz/dhcp-corpus
	$(BUILD)/luainit --lua tests/fuzz/control_fuzz.lua 1000000
	$(BUILD)/fuzz/control_fuzz -max_total_time=$(FUZZ_TIME) -max_len=70000 $(BUILD)/fuzz/control-corpus
	$(BUILD)/fuzz/dhcp_fuzz -max_total_time=$(FUZZ_TIME) -max_len=1600 $(BUILD)/fuzz/dhcp-corpus tests/fuzz/corpus

clean:
	rm -rf $(OBJ) $(BUILD)/gen $(BUILD)/luainit $(STAGING) $(IMAGE) $(IMAGE_STAMP)

distclean:
	rm -rf $(BUILD)
