# pxeroot - build, test lab and the two commands (make demo, make check).
# Every target that needs packages installs them first (tools/deps.sh, apt-get, idempotent).

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
CC ?= cc
CFLAGS ?= -O2 -g
PKGS := libcurl libcrypto blkid libkmod libsquashfs1
WARN := -std=c11 -Wall -Wextra -Werror
B := build

SRCS := $(wildcard agent/*.c agent/net/*.c agent/source/*.c)
OBJS := $(SRCS:%.c=$(B)/obj/%.o)
KERNEL := $(B)/kernel
MODDIR ?= $(firstword $(wildcard $(KERNEL)/lib/modules/*))

# unit test name -> the agent sources it links with
UNIT_TESTS := cmdline_test dhcp_codec_test verify_test http_url_test
cmdline_test_SRCS := agent/cmdline.c agent/plan.c agent/log.c
dhcp_codec_test_SRCS := agent/net/dhcp_codec.c
verify_test_SRCS := agent/verify.c
http_url_test_SRCS := agent/source/http.c agent/plan.c agent/cmdline.c agent/log.c agent/fetch.c agent/verify.c agent/mount.c agent/modules.c

.PHONY: all deps kernel initramfs unit check demo clean
all: $(B)/pxeroot

deps:
	@tools/deps.sh build

$(B)/pxeroot: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $$(pkg-config --libs $(PKGS))

$(B)/obj/%.o: %.c $(wildcard agent/*.h agent/*/*.h) | deps
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -DPXEROOT_VERSION='"$(VERSION)"' $$(pkg-config --cflags $(PKGS)) -c -o $@ $<

kernel:
	@tools/deps.sh lab
	tools/kernel.sh $(KERNEL)

initramfs: $(B)/pxeroot kernel
	@tools/deps.sh lab
	tools/mkinitramfs.sh --binary $(B)/pxeroot --moddir "$(or $(MODDIR),$(firstword $(wildcard $(KERNEL)/lib/modules/*)))" --out $(B)/initramfs.img

define unit_rule
$(B)/tests/$(1): tests/unit/$(1).c $$($(1)_SRCS) tests/unit/check.h | deps
	@mkdir -p $$(dir $$@)
	$$(CC) $$(WARN) $$(CFLAGS) -Iagent $$$$(pkg-config --cflags $$(PKGS)) -o $$@ $$(filter %.c,$$^) $$$$(pkg-config --libs $$(PKGS))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit: $(UNIT_TESTS:%=$(B)/tests/%)

check: all unit initramfs
	tests/run.sh

demo: all initramfs
	tests/e2e/demo.sh

clean:
	rm -rf $(B)/obj $(B)/tests $(B)/pxeroot $(B)/initramfs.img
