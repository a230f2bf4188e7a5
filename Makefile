# pxeroot - build, test lab and the two commands (make demo, make check).
# Every target that needs packages installs them first (tools/deps.sh, apt-get, idempotent).

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
# the clock floor for machines with a dead RTC: the last commit's time (reproducible)
BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),$(shell date +%s))
CC ?= cc
CFLAGS ?= -O2 -g
PKGS := libcurl libcrypto blkid libkmod libsquashfs1 zlib libzstd liblzma
WARN := -std=c11 -Wall -Wextra -Werror
B := build

# The version and the clock floor as last built; rewritten only when they change, so that the
# objects that use them are compiled again with them (and only those).
VERSION_STAMP := $(B)/version.stamp
$(shell mkdir -p $(B); echo '$(VERSION) $(BUILD_EPOCH)' | cmp -s - $(VERSION_STAMP) || echo '$(VERSION) $(BUILD_EPOCH)' >$(VERSION_STAMP))

SRCS := $(wildcard agent/*.c agent/*/*.c)
OBJS := $(SRCS:%.c=$(B)/obj/%.o)
KERNEL := $(B)/kernel
MODDIR ?= $(firstword $(wildcard $(KERNEL)/lib/modules/*))

# unit test name -> the agent sources it links with: the code it tests and what that calls, no
# stand-ins. The parser tests link the options halves of the sources and of the hook (no I/O).
UNIT_TESTS := devspec_test mbft_test nfit_test nfs_spec_test cmdline_test dhcp_codec_test sha512list_test http_url_test ipconf_test fanout_test openpgp_test log_test checks_test inflate_test trust_test caindex_test chunk_test report_test
# the command line, the options, the plan and every source's claim
PLAN_SRCS := agent/cmdline.c agent/options.c agent/plan.c agent/layout.c agent/net/ipconf.c agent/log.c agent/url.c \
	agent/verify/trust.c agent/hook_opts.c agent/source/sources.c $(wildcard agent/source/*_opts.c) \
	agent/source/copytoram.c agent/source/devspec.c agent/source/nfs_spec.c
cmdline_test_SRCS := $(PLAN_SRCS)
dhcp_codec_test_SRCS := agent/net/dhcp_codec.c
sha512list_test_SRCS := agent/verify/sha512list.c
ipconf_test_SRCS := agent/net/ipconf.c
openpgp_test_SRCS := agent/verify/openpgp_packet.c agent/verify/openpgp_sig.c agent/verify/openpgp_key.c agent/verify/openpgp_cert.c agent/verify/check_pgp.c agent/verify/sha512list.c agent/fsutil.c agent/log.c
fanout_test_SRCS := agent/verify/fanout.c agent/sink.c agent/log.c
log_test_SRCS := agent/log.c
trust_test_SRCS := agent/verify/trust.c
checks_test_SRCS := agent/verify/checks.c agent/verify/fanout.c agent/verify/check_sha512.c agent/verify/check_cms.c agent/verify/check_pgp.c agent/verify/openpgp_packet.c agent/verify/openpgp_sig.c agent/verify/openpgp_key.c agent/verify/openpgp_cert.c agent/verify/sha512list.c agent/sink.c agent/url.c agent/fsutil.c agent/log.c
http_url_test_SRCS := $(PLAN_SRCS) agent/verify/check_sha512.c agent/verify/sha512list.c agent/sink.c
inflate_test_SRCS := agent/inflate.c agent/sink.c agent/log.c
caindex_test_SRCS := agent/verify/caindex.c agent/verify/sha512list.c
chunk_test_SRCS := agent/verify/chunk.c agent/verify/caindex.c agent/verify/sha512list.c agent/inflate.c agent/sink.c agent/log.c
nfs_spec_test_SRCS := agent/source/nfs_spec.c
mbft_test_SRCS := agent/source/mbft.c agent/fsutil.c agent/log.c
nfit_test_SRCS := agent/source/nfit.c
devspec_test_SRCS := agent/source/devspec.c
report_test_SRCS := agent/report.c agent/net/link.c agent/fetch/curl.c agent/fetch/fetch.c agent/url.c agent/log.c agent/fsutil.c agent/sink.c \
	agent/meminfo.c agent/options.c agent/cmdline.c agent/verify/trust.c

.PHONY: all deps kernel initramfs unit check demo clean dynamic
all: $(B)/pxeroot

deps:
	@tools/deps.sh build

# one agent source compiled; the pkg-config command that gives the libraries' flags follows
COMPILE = $(CC) $(WARN) $(CFLAGS) -Iagent -DPXEROOT_VERSION='"$(VERSION)"' -DPXEROOT_BUILD_EPOCH=$(BUILD_EPOCH)
HEADERS := $(wildcard agent/*.h agent/*/*.h)

# ---- build/pxeroot: statically linked ---------------------------------------------------------
# libcurl and libkmod built from Debian's source packages by tools/static-libs.sh into
# build/static/prefix (once per version; its stamps/libs changes only when one was rebuilt), the
# other libraries the .a files of the -dev packages; the link flags are pkg-config --static's.
# getaddrinfo in a static binary: glibc's built-in files and dns (see tools/static-libs.sh).
SPREFIX := $(B)/static/prefix
SPKG_CONFIG := PKG_CONFIG_PATH=$(abspath $(SPREFIX))/lib/pkgconfig pkg-config --static

$(SPREFIX)/stamps/libs: FORCE | deps
	tools/static-libs.sh $(B)/static
FORCE:

$(B)/pxeroot: $(OBJS) $(SPREFIX)/stamps/libs
	$(CC) -static $(LDFLAGS) -Wl,--gc-sections -o $@ $(OBJS) $$($(SPKG_CONFIG) --libs $(PKGS))

$(B)/obj/%.o: %.c $(HEADERS) $(SPREFIX)/stamps/libs | deps
	@mkdir -p $(dir $@)
	$(COMPILE) -ffunction-sections -fdata-sections $$($(SPKG_CONFIG) --cflags $(PKGS)) -c -o $@ $<

# ---- make dynamic: build/dynamic/pxeroot, linked with the -dev packages' shared libraries -------
# (the build of earlier releases; tests/bench/initramfs.sh compares its image with the static one)
DB := $(B)/dynamic
DOBJS := $(SRCS:%.c=$(DB)/obj/%.o)
dynamic: $(DB)/pxeroot

$(DB)/pxeroot: $(DOBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $$(pkg-config --libs $(PKGS))

$(DB)/obj/%.o: %.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(COMPILE) $$(pkg-config --cflags $(PKGS)) -c -o $@ $<

$(foreach d,$(B) $(DB),$(d)/obj/agent/boot.o $(d)/obj/agent/main.o $(d)/obj/agent/fetch/fetch.o $(d)/obj/agent/fetch/curl.o $(d)/obj/agent/report.o): $(VERSION_STAMP)

kernel:
	@tools/deps.sh lab
	tools/kernel.sh $(KERNEL)

# trust material for the standalone image: make initramfs CMS_CERT=f [CMS_CA=f] GPG_KEYRING=f
# (each goes where the binary reads it: pxeroot files)
TRUST_ARGS := $(if $(CMS_CERT),--file cms-cert=$(CMS_CERT)) $(if $(CMS_CA),--file cms-ca=$(CMS_CA)) \
	$(if $(GPG_KEYRING),--file gpg-keyring=$(GPG_KEYRING))

# COMPRESS: the image's compressor, gzip, xz or zstd (tests/bench/initramfs.sh measures them)
COMPRESS ?= zstd
initramfs: $(B)/pxeroot kernel
	@tools/deps.sh lab
	tools/mkinitramfs.sh --binary $(B)/pxeroot --moddir "$(or $(MODDIR),$(firstword $(wildcard $(KERNEL)/lib/modules/*)))" --out $(B)/initramfs.img --compress $(COMPRESS) $(TRUST_ARGS)

define unit_rule
$(B)/tests/$(1): tests/unit/$(1).c $$($(1)_SRCS) $(wildcard tests/unit/*.h) | deps
	@mkdir -p $$(dir $$@)
	$$(CC) $$(WARN) $$(CFLAGS) -Iagent $$$$(pkg-config --cflags $$(PKGS)) -o $$@ $$(filter %.c,$$^) $$$$(pkg-config --libs $$(PKGS))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# mountroot: the mount stage on the host (tests/e2e/mount_kinds_host.sh)
$(B)/tests/mountroot: tests/tools/mountroot.c agent/mount/mount.c agent/layout.c agent/fsutil.c agent/log.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -Iagent $$(pkg-config --cflags $(PKGS)) -o $@ $(filter %.c,$^) $$(pkg-config --libs $(PKGS))

# nbdkernel: the kernel's side of the NBD socket that serve/lazy.c serves, on the host
# (tests/e2e/chunks_serve_host.sh)
NBDKERNEL_SRCS := agent/serve/lazy.c agent/serve/nbd.c agent/fetch/chunks.c agent/fetch/fetch.c agent/fetch/curl.c agent/verify/chunkpool.c \
	agent/verify/chunk.c agent/verify/caindex.c agent/verify/sha512list.c agent/verify/trust.c agent/inflate.c agent/sink.c \
	agent/log.c agent/fsutil.c agent/meminfo.c agent/options.c agent/cmdline.c
$(B)/tests/nbdkernel: tests/tools/nbdkernel.c $(NBDKERNEL_SRCS) $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -Iagent $$(pkg-config --cflags $(PKGS)) -o $@ $(filter %.c,$^) $$(pkg-config --libs $(PKGS))

# report_sink: the boot report's receiver (tests/e2e/lib_report.sh), one file like the lab's other servers
$(B)/tests/report_sink: tests/tools/report_sink.c tests/tools/tool_http.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $<

unit: $(UNIT_TESTS:%=$(B)/tests/%) $(B)/tests/mountroot $(B)/tests/nbdkernel $(B)/tests/report_sink

# ---- make uki: build/pxeroot.efi, a unified kernel image for UEFI (HTTP) boot ------------------
# systemd's EFI stub + the kernel + build/initramfs.img + UKI_CMDLINE + an os-release, joined by
# objcopy (tools/mkuki.sh); signed for Secure Boot with UKI_KEY and UKI_CERT (sbsign; a protected
# key opened with UKI_KEY_PASS). The default line (tools/mkuki.sh) boots archiso's tree from port 80
# of the DHCP server.
.PHONY: uki
uki: initramfs
	PXEROOT_VERSION=$(VERSION) tools/mkuki.sh --kernel $(KERNEL)/vmlinuz --initrd $(B)/initramfs.img --out $(B)/pxeroot.efi \
		$(if $(UKI_CMDLINE),--cmdline '$(UKI_CMDLINE)') \
		$(if $(UKI_KEY),--key $(UKI_KEY) --cert $(UKI_CERT)) $(if $(UKI_KEY_PASS),--key-pass '$(UKI_KEY_PASS)')

check: all unit fuzz-build initramfs
	tests/run.sh

demo: all initramfs
	tests/e2e/demo.sh

clean:
	rm -rf $(B)/obj $(B)/tests $(B)/pxeroot $(B)/dynamic $(B)/initramfs.img $(B)/pxeroot.efi $(B)/man

# ---- install: make install|uninstall [DESTDIR=…] [PREFIX=/usr/local] -------------------------
# The binary, the man pages and the script= examples (share/pxeroot/hooks) under PREFIX; each
# generator's files (mkinitcpio, dracut, initramfs-tools) where it looks for them
# (their PXEROOT_BIN default becomes the installed binary).
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
MANDIR := $(PREFIX)/share/man
INITCPIO_DIR ?= /usr/lib/initcpio
DRACUT_DIR ?= /usr/lib/dracut/modules.d
ITOOLS_DIR ?= /usr/share/initramfs-tools
MANPAGES := man/pxeroot.8 man/pxeroot.cmdline.7
HOOKS := $(wildcard hooks/*.sh)
DRACUT_FILES := $(wildcard dracut/90pxeroot/*)
.PHONY: man install uninstall

# the man pages, compressed as distributions install them (gzip -n: no name or time inside)
man: $(MANPAGES:man/%=$(B)/man/%.gz)
$(B)/man/%.gz: man/%
	@mkdir -p $(dir $@)
	gzip -9nc $< >$@

install: $(B)/pxeroot man
	install -Dm755 $(B)/pxeroot $(DESTDIR)$(BINDIR)/pxeroot
	install -Dm644 $(B)/man/pxeroot.8.gz $(DESTDIR)$(MANDIR)/man8/pxeroot.8.gz
	install -Dm644 $(B)/man/pxeroot.cmdline.7.gz $(DESTDIR)$(MANDIR)/man7/pxeroot.cmdline.7.gz
	install -Dm644 mkinitcpio/hooks/pxeroot $(DESTDIR)$(INITCPIO_DIR)/hooks/pxeroot
	install -d $(DESTDIR)$(INITCPIO_DIR)/install $(DESTDIR)$(DRACUT_DIR)/90pxeroot
	sed 's|/usr/bin/pxeroot}|$(BINDIR)/pxeroot}|g' mkinitcpio/install/pxeroot >$(DESTDIR)$(INITCPIO_DIR)/install/pxeroot
	chmod 644 $(DESTDIR)$(INITCPIO_DIR)/install/pxeroot
	for f in $(HOOKS); do install -Dm755 $$f $(DESTDIR)$(PREFIX)/share/pxeroot/hooks/$${f##*/} || exit 1; done
	install -Dm644 initramfs-tools/scripts/pxeroot $(DESTDIR)$(ITOOLS_DIR)/scripts/pxeroot
	install -Dm755 initramfs-tools/scripts/init-top/pxeroot $(DESTDIR)$(ITOOLS_DIR)/scripts/init-top/pxeroot
	install -d $(DESTDIR)$(ITOOLS_DIR)/hooks
	sed 's|/usr/bin/pxeroot}|$(BINDIR)/pxeroot}|g' initramfs-tools/hooks/pxeroot >$(DESTDIR)$(ITOOLS_DIR)/hooks/pxeroot
	chmod 755 $(DESTDIR)$(ITOOLS_DIR)/hooks/pxeroot
	for f in $(DRACUT_FILES); do \
		sed 's|/usr/bin/pxeroot}|$(BINDIR)/pxeroot}|g' $$f >$(DESTDIR)$(DRACUT_DIR)/90pxeroot/$${f##*/} && \
		chmod 755 $(DESTDIR)$(DRACUT_DIR)/90pxeroot/$${f##*/} || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pxeroot $(DESTDIR)$(MANDIR)/man8/pxeroot.8.gz $(DESTDIR)$(MANDIR)/man7/pxeroot.cmdline.7.gz
	rm -f $(DESTDIR)$(INITCPIO_DIR)/hooks/pxeroot $(DESTDIR)$(INITCPIO_DIR)/install/pxeroot
	rm -f $(DESTDIR)$(ITOOLS_DIR)/hooks/pxeroot $(DESTDIR)$(ITOOLS_DIR)/scripts/pxeroot $(DESTDIR)$(ITOOLS_DIR)/scripts/init-top/pxeroot
	rm -rf $(DESTDIR)$(DRACUT_DIR)/90pxeroot $(DESTDIR)$(PREFIX)/share/pxeroot

# ---- fuzzing: libFuzzer targets (clang), tests/fuzz/ -----------------------------------------
# make fuzz            build every target, run each FUZZ_SECONDS on a copy of its seed corpus
#                      (build/fuzz/corpus/TARGET), print execs; fails when any finds a crash
# make fuzz-build      only build build/fuzz/TARGET
# make fuzz-seeds      regenerate tests/fuzz/corpus/fuzz_dhcp from the codec
# make fuzz-deep       every target until FUZZ_DEEP_RUNS execs or FUZZ_DEEP_SECONDS, new coverage
#                      merged back into tests/fuzz/corpus/TARGET (tests/fuzz/deep.sh; not in check)
# tests/fuzz/run.sh TARGET SECONDS runs a single one.
FUZZ_TARGETS := fuzz_devspec fuzz_mbft fuzz_nfit fuzz_nfs_spec fuzz_dhcp fuzz_sha512list fuzz_cmdline fuzz_ipconf fuzz_openpgp fuzz_plan fuzz_inflate fuzz_caindex fuzz_chunk
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := $(WARN) -g -O1 -Iagent -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz_dhcp_SRCS := agent/net/dhcp_codec.c agent/log.c agent/source/nfs_spec.c
fuzz_sha512list_SRCS := agent/verify/sha512list.c
fuzz_ipconf_SRCS := agent/net/ipconf.c
fuzz_openpgp_SRCS := agent/verify/openpgp_packet.c agent/verify/openpgp_sig.c agent/verify/openpgp_key.c agent/verify/openpgp_cert.c agent/verify/sha512list.c
fuzz_plan_SRCS := $(PLAN_SRCS)
fuzz_cmdline_SRCS := $(PLAN_SRCS)
fuzz_inflate_SRCS := agent/inflate.c agent/sink.c agent/log.c
fuzz_caindex_SRCS := agent/verify/caindex.c agent/verify/sha512list.c
fuzz_chunk_SRCS := agent/verify/chunk.c agent/verify/caindex.c agent/verify/sha512list.c agent/inflate.c agent/sink.c agent/log.c
fuzz_nfs_spec_SRCS := agent/source/nfs_spec.c
fuzz_mbft_SRCS := agent/source/mbft.c agent/fsutil.c agent/log.c
fuzz_nfit_SRCS := agent/source/nfit.c
fuzz_devspec_SRCS := agent/source/devspec.c

FUZZ_DEEP_RUNS ?= 10000000
FUZZ_DEEP_SECONDS ?= 1200

.PHONY: fuzz fuzz-build fuzz-deps fuzz-seeds fuzz-deep
fuzz-deps:
	@tools/deps.sh build fuzz

define fuzz_rule
$(B)/fuzz/$(1): tests/fuzz/$(1).c $$($(1)_SRCS) tests/fuzz/fuzz.h $(wildcard agent/*.h agent/*/*.h) | fuzz-deps
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_FLAGS) $$$$(pkg-config --cflags $$(PKGS)) -o $$@ $$(filter %.c,$$^) $$$$(pkg-config --libs $$(PKGS))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzz-build: $(FUZZ_TARGETS:%=$(B)/fuzz/%)

fuzz: fuzz-build
	@fail=0; for t in $(FUZZ_TARGETS); do tests/fuzz/run.sh $$t $(FUZZ_SECONDS) || fail=1; done; exit $$fail

fuzz-deep: fuzz-build
	FUZZ_DEEP_RUNS=$(FUZZ_DEEP_RUNS) FUZZ_DEEP_SECONDS=$(FUZZ_DEEP_SECONDS) tests/fuzz/deep.sh $(FUZZ_TARGETS)

$(B)/fuzz/dhcp_seeds: tests/fuzz/dhcp_seeds.c agent/net/dhcp_codec.c agent/net/dhcp_codec.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -Iagent -o $@ $(filter %.c,$^)

fuzz-seeds: $(B)/fuzz/dhcp_seeds
	@mkdir -p tests/fuzz/corpus/fuzz_dhcp
	$(B)/fuzz/dhcp_seeds tests/fuzz/corpus/fuzz_dhcp

# --- benchmarks (not part of make check) -------------------------------------
# make bench: build, then run every executable tests/bench/*.sh; each prints
# "figure:" lines. Fails when a benchmark fails (after running them all).
.PHONY: bench soak
bench: all dynamic initramfs
	@tools/deps.sh bench
	@rc=0; for b in tests/bench/*.sh; do \
		[ -f "$$b" ] && [ -x "$$b" ] || continue; \
		echo "== $$b"; "$$b" || { echo "FAIL $$b"; rc=1; }; \
	done; exit $$rc

# make soak: the broken-connection boot (tests/e2e/transfer_cuts.sh) with 100 seeds instead of
# make check's 10; SOAK_SEEDS overrides.
SOAK_SEEDS ?= 100
soak: all initramfs
	TRANSFER_SEEDS=$(SOAK_SEEDS) ONLY=transfer_cuts tests/run.sh e2e
