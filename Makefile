# muricle: a sensor daemon for Raspberry Pi-class boards.
#
#   make              build muricled
#   make run          run it on simulated hardware (page on http://127.0.0.1:8080)
#   make check        build and run every test (SANITIZE=1: under ASan and UBSan),
#                     the VM tests against real kernel drivers included
#   make check-unit   the tests that need no broker, browser or systemd tools
#                     (CHAR=unsigned or signed: with that char and -Wcast-align=strict)
#   make vm-check     only the VM tests
#   make vm-check-arm64   the VM test of the arm64 build, on Debian's arm64
#                     kernel under qemu-system-aarch64
#   make install      install (honours DESTDIR and PREFIX)
#   make deb          the Debian package, in build/deb/ (ARCH=arm64 or armhf: for
#                     that architecture, cross built, in build/deb-ARCH/)
#   make deb-trixie   the package built and installed on Debian 13 (libgpiod 2.x)
#   make check-cross ARCH=arm64|armhf   the unit tests and the package for
#                     ARCH, run under qemu-user (part of make check)
#   make bench        the benchmark (bench/results.md)
#   make soak         ten minutes of load, reloads and bus faults (not in check)
#   make fuzz         run each fuzz target for FUZZ_TIME seconds (default 300)
#   make lint         clang-format check and cppcheck (make format fixes layout)
#   make man          write muricle.conf(5)'s key list from the key tables

VERSION  := 0.1.0
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
DESTDIR  ?=

PKG_CONFIG ?= pkg-config
PKGS     := libevent_core libevent_extra libmicrohttpd inih libgpiod libsystemd zlib libmosquitto \
            openssl

CC       ?= cc
OPT      ?= -O2 -g
CFLAGS   ?= $(OPT)
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN := -pie -Wl,-z,relro,-z,now

ifeq ($(SANITIZE),1)
BUILD    := build/sanitize
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
HARDEN   := -fstack-protector-strong -fPIE
else ifeq ($(SANITIZE),fuzz)
# The libFuzzer targets (tests/fuzz): clang, coverage, ASan and UBSan.
CC       := clang
BUILD    := build/fuzz
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
OPT      := -O1 -g
HARDEN   := -fPIE
else
BUILD    := build/plain
SANFLAGS :=
endif

# CHAR=unsigned (char as on ARM) or CHAR=signed (as on x86), with
# -Wcast-align=strict, in a build folder of its own: a cheap net, on this
# machine, for what differs on the Pi's architectures.
ifdef CHAR
SANFLAGS += -f$(CHAR)-char -Wcast-align=strict
BUILD    := $(BUILD)-$(CHAR)-char
endif

# ARCH=arm64 or ARCH=armhf: a cross build with Debian's cross toolchain and
# the :ARCH libraries (scripts/install-deps.sh cross ARCH), in a build folder
# of its own; its tests run under qemu-user. Debian 12's libevent-dev is not
# Multi-Arch: same, so its headers for ARCH are unpacked into build/cross.
ifdef ARCH
TRIPLET  := $(shell dpkg-architecture -a$(ARCH) -qDEB_HOST_MULTIARCH 2>/dev/null)
ifeq ($(TRIPLET),)
$(error ARCH=$(ARCH): dpkg-architecture does not know it (arm64 and armhf are meant))
endif
CC       := $(TRIPLET)-gcc
LIBEVENT_DEV ?= $(CURDIR)/build/cross/$(ARCH)/libevent
# override: debhelper names a PKG_CONFIG of its own on the command line.
override PKG_CONFIG := PKG_CONFIG_PATH=$(LIBEVENT_DEV)/usr/lib/$(TRIPLET)/pkgconfig \
                       $(TRIPLET)-pkg-config
CROSS_DEPS := $(LIBEVENT_DEV)/.unpacked
CROSS_CPPFLAGS := -I$(LIBEVENT_DEV)/usr/include
CROSS_LDFLAGS  := -L$(LIBEVENT_DEV)/usr/lib/$(TRIPLET)
BUILD    := $(BUILD)-$(ARCH)
# qemu-user runs the tests, and the daemon through a script (execve of an
# ARM binary needs binfmt_misc, which a container may not have).
QEMU     := qemu-$(patsubst arm64,aarch64,$(patsubst armhf,arm,$(ARCH)))-static
RUN      := $(QEMU)
DAEMON_RUN = $(BUILD)/muricled-qemu
endif
DAEMON_RUN ?= $(BUILD)/muricled

ifdef ARCH
$(LIBEVENT_DEV)/.unpacked:
	scripts/cross-libevent.sh $(ARCH) $(LIBEVENT_DEV)
	touch $@
endif

CPPFLAGS_ALL = -D_GNU_SOURCE -DMURICLE_VERSION='"$(VERSION)"' \
               -DMURICLE_SYSCONFDIR='"$(SYSCONFDIR)"' -Iinclude -I$(BUILD) \
               $(CROSS_CPPFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS))
CFLAGS_ALL   = $(WARN) $(HARDEN) $(SANFLAGS) $(CFLAGS) $(CPPFLAGS_ALL) $(CPPFLAGS)
LDFLAGS_ALL  = $(LDHARDEN) $(SANFLAGS) $(CROSS_LDFLAGS) $(LDFLAGS)
LIBS         = $(shell $(PKG_CONFIG) --libs $(PKGS)) -li2c -lpthread -lm

# GPIOD_PREFIX=DIR builds against the libgpiod installed there, in a build
# folder of its own (the VM tests build libgpiod 2.x from Debian 13's source).
ifdef GPIOD_PREFIX
PKG_CONFIG := PKG_CONFIG_PATH=$(GPIOD_PREFIX)/lib/pkgconfig $(PKG_CONFIG)
BUILD    := $(BUILD)-gpiod-$(notdir $(GPIOD_PREFIX))
endif

# libgpiod 1.6 and 2.x differ in API: build the shim that matches.
GPIOD_V2 := $(shell $(PKG_CONFIG) --atleast-version=2.0 libgpiod 2>/dev/null && echo y)
GPIOD_SHIM_UNUSED := src/hw/gpio_gpiod$(if $(GPIOD_V2),1,2).c

# Everything but main.c goes into a static library the tests link too.
LIB_SRCS := $(filter-out $(GPIOD_SHIM_UNUSED), \
              $(wildcard src/core/*.c src/hw/*.c src/sensors/*.c src/web/*.c src/outputs/*.c \
                         src/display/*.c) \
              src/daemon.c)
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(LIB_SRCS)) $(BUILD)/embedded_conf.o \
            $(BUILD)/font_small.o $(BUILD)/font_large.o \
            $(BUILD)/embedded_www.o
WWW_FILES := $(sort $(wildcard www/*)) $(BUILD)/www/mq135.html
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(BUILD)/tests/testutil.o $(BUILD)/tests/reference/datasheet.o

all: muricled

muricled: $(BUILD)/muricled
	cp $< $@

$(BUILD)/muricled: $(BUILD)/main.o $(BUILD)/libmuricle.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

# The daemon of a cross build, started by the tests under qemu-user.
$(BUILD)/muricled-qemu: $(BUILD)/muricled
	printf '#!/bin/sh\nexec %s %s "$$@"\n' $(QEMU) $(CURDIR)/$< > $@
	chmod +x $@

$(BUILD)/libmuricle.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: src/%.c | $(CROSS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# The example config is also the built-in default: one file, no drift.
$(BUILD)/embedded_conf.c: etc/muricle.conf scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh config_embedded $< > $@

$(BUILD)/embedded_conf.o: $(BUILD)/embedded_conf.c | $(CROSS_DEPS)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The display's fonts: Debian's Terminus console fonts (console-setup-linux),
# converted by a tool built for this machine (BUILD_CC) at build time.
BUILD_CC ?= cc
FONT_DIR ?= /usr/share/consolefonts
$(BUILD)/tools/psf2c: tools/psf2c.c
	@mkdir -p $(dir $@)
	$(BUILD_CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $< -lz

$(BUILD)/font_small.c: $(FONT_DIR)/Uni2-Terminus12x6.psf.gz $(BUILD)/tools/psf2c
	$(BUILD)/tools/psf2c font_small $< > $@

$(BUILD)/font_large.c: $(FONT_DIR)/Uni2-TerminusBold24x12.psf.gz $(BUILD)/tools/psf2c
	$(BUILD)/tools/psf2c font_large $< > $@

$(BUILD)/font_%.o: $(BUILD)/font_%.c | $(CROSS_DEPS)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The guides the page links to, from docs/.
$(BUILD)/www/%.html: docs/%.md scripts/guide.sh
	@mkdir -p $(dir $@)
	scripts/guide.sh $< > $@

# The page's assets: real files in www/ and the guides, served from the binary.
$(BUILD)/embedded_www.c: $(WWW_FILES) scripts/embed-www.sh scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed-www.sh $(WWW_FILES) > $@

$(BUILD)/embedded_www.o: $(BUILD)/embedded_www.c | $(CROSS_DEPS)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# Tests.
TEST_CFLAGS = $(CFLAGS_ALL) $(shell $(PKG_CONFIG) --cflags check json-c) -Itests
TEST_LIBS   = $(LIBS) $(shell $(PKG_CONFIG) --libs check json-c)

$(BUILD)/tests/%.o: tests/%.c | $(CROSS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

# The datasheets' reference code wraps on overflow as it does where it runs.
$(BUILD)/tests/reference/%.o: tests/reference/%.c | $(CROSS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SANFLAGS),$(TEST_CFLAGS)) -fwrapv -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(TEST_HELPERS) $(BUILD)/libmuricle.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(TEST_LIBS)

# Fuzzing (tests/fuzz, README "Fuzzing"): `make fuzz` runs each target for
# FUZZ_TIME seconds from its seed corpus, keeping what it finds in
# build/fuzz/corpus; `make fuzz-replay` (part of make check) replays the
# committed corpora and runs each target for FUZZ_BRIEF seconds.
FUZZ_TARGETS := config history router sensors
FUZZ_BINS    := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_TIME    ?= 300
FUZZ_BRIEF   ?= 10

$(BUILD)/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/reference/datasheet.o \
                      $(BUILD)/libmuricle.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $^ $(TEST_LIBS)

fuzz: deps-test
	$(MAKE) --no-print-directory SANITIZE=fuzz fuzz-run FUZZ_SECONDS=$(FUZZ_TIME)

fuzz-replay: deps-test
	$(MAKE) --no-print-directory SANITIZE=fuzz fuzz-run FUZZ_SECONDS=$(FUZZ_BRIEF)

fuzz-run: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		tests/fuzz/run.sh $(BUILD)/fuzz/fuzz_$$t tests/fuzz/corpus/$$t \
			$(BUILD)/fuzz/corpus/$$t $(FUZZ_SECONDS) || exit 1; \
	done

# `make check` first installs what is missing, then re-enters make so that
# pkg-config runs after the install. It ends with the VM tests against the
# kernel's own I2C and GPIO drivers (see tests/vm/run.sh).
check: deps-vm deps-deb
	$(MAKE) --no-print-directory tests-run
ifneq ($(SANITIZE),1)
	$(MAKE) --no-print-directory fuzz-replay
	$(MAKE) --no-print-directory CHAR=unsigned check-unit
	$(MAKE) --no-print-directory CHAR=signed check-unit
	$(MAKE) --no-print-directory check-cross ARCH=arm64
	$(MAKE) --no-print-directory check-cross ARCH=armhf
endif
	$(MAKE) --no-print-directory vm-run
ifneq ($(SANITIZE),1)
	$(MAKE) --no-print-directory vm-check-arm64
	$(MAKE) --no-print-directory deb
	tests/deb-checks.sh build/deb/muricle_$(VERSION)_*.deb
	MURICLE_VM_CACHE="$(VM_CACHE)" tests/vm/run.sh --systemd build/deb/muricle_$(VERSION)_*.deb
	$(MAKE) --no-print-directory deb-trixie
endif

vm-check: deps-vm
	$(MAKE) --no-print-directory vm-run

# The same guest test with the arm64 daemon, on Debian's arm64 kernel under
# qemu-system-aarch64 (software emulation) and a root of arm64 packages.
vm-check-arm64:
	@scripts/install-deps.sh cross arm64 vm
	$(MAKE) --no-print-directory ARCH=arm64 vm-run

# Both libgpiod shims: the installed 1.6, then 2.x built from Debian 13's source.
VM_CACHE ?= $(or $(MURICLE_VM_CACHE),$(HOME)/.cache/muricle-vm)
vm-run: $(BUILD)/muricled
	MURICLE_VM_CACHE="$(VM_CACHE)" tests/vm/run.sh $(BUILD)/muricled
ifndef GPIOD_PREFIX
ifndef ARCH
	@prefix=$$(tests/vm/libgpiod2.sh "$(VM_CACHE)") && \
		$(MAKE) --no-print-directory GPIOD_PREFIX="$$prefix" tests-run vm-run
endif
endif

# The unit and integration tests that need no broker, browser, promtool or
# systemd tools: what the Debian package build runs (dh_auto_test).
UNIT_TESTS := $(filter-out $(BUILD)/tests/test_live $(BUILD)/tests/test_mqtt \
                           $(BUILD)/tests/test_service,$(TEST_BINS))
check-unit: $(DAEMON_RUN) $(UNIT_TESTS)
	@set -e; failed=0; \
	for t in $(UNIT_TESTS); do \
		echo "== $$t"; \
		MURICLED=$(DAEMON_RUN) CK_DEFAULT_TIMEOUT=60 $(RUN) $$t || failed=1; \
	done; \
	exit $$failed

tests-run: $(BUILD)/muricled $(TEST_BINS)
	@set -e; failed=0; \
	for t in $(TEST_BINS); do \
		echo "== $$t"; \
		MURICLED=$(BUILD)/muricled CK_DEFAULT_TIMEOUT=60 $$t || failed=1; \
	done; \
	echo "== tests/browser/page.test.mjs (screenshots in $(BUILD)/artifacts)"; \
	MURICLED=$(BUILD)/muricled ARTIFACTS=$(BUILD)/artifacts \
		node tests/browser/page.test.mjs || failed=1; \
	if [ "$(SANITIZE)" != 1 ]; then \
		echo "== tests/build-checks.sh"; \
		tests/build-checks.sh $(BUILD)/muricled || failed=1; \
		echo "== tests/systemd-checks.sh"; \
		tests/systemd-checks.sh $(BUILD)/muricled || failed=1; \
		echo "== tests/prometheus-checks.sh"; \
		tests/prometheus-checks.sh $(BUILD)/muricled || failed=1; \
	fi; \
	if [ $$failed -ne 0 ]; then echo "some tests FAILED"; exit 1; fi; \
	echo "all test programs passed"

# The history of these simulated runs stays in build/state.
run: deps
	$(MAKE) --no-print-directory muricled
	mkdir -p build/state
	STATE_DIRECTORY=$(CURDIR)/build/state ./muricled --simulate -c etc/muricle.conf $(ARGS)

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

deps-vm:
	@scripts/install-deps.sh vm

install: muricled
	install -D -m 0755 muricled $(DESTDIR)$(SBINDIR)/muricled
	install -D -m 0644 etc/muricle.conf $(DESTDIR)$(SYSCONFDIR)/muricle/muricle.conf
	install -D -m 0644 man/man8/muricled.8 $(DESTDIR)$(MANDIR)/man8/muricled.8
	install -D -m 0644 man/man5/muricle.conf.5 $(DESTDIR)$(MANDIR)/man5/muricle.conf.5
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/muricled|$(SBINDIR)/muricled|' systemd/muricle.service \
		> $(DESTDIR)$(UNITDIR)/muricle.service
	install -m 0644 systemd/muricle.socket $(DESTDIR)$(UNITDIR)/muricle.socket
	install -D -m 0644 share/prometheus/muricle-alerts.yml \
		$(DESTDIR)$(PREFIX)/share/muricle/muricle-alerts.yml
	install -D -m 0644 share/grafana/muricle-dashboard.json \
		$(DESTDIR)$(PREFIX)/share/muricle/muricle-dashboard.json

FORMAT_FILES = src/*.c src/*/*.c include/*.h tests/*.c tests/*.h tests/reference/*.[ch] \
               tests/fuzz/*.c

format:
	clang-format -i $(FORMAT_FILES)

man: $(BUILD)/muricled
	scripts/man-keys.sh $(BUILD)/muricled man/man5/muricle.conf.5

# The Debian package, built from a copy of the tracked files into build/deb/
# (ARCH=arm64 or armhf: for that architecture, into build/deb-ARCH/).
DEB_DIR := build/deb$(if $(ARCH),-$(ARCH))
ifdef ARCH
# Cross: -d, as libevent-dev:ARCH cannot be installed here (see above; the
# build takes its headers from LIBEVENT_DEV); the tests run in check-cross.
DEB_BUILD = CC=$(CC) LIBEVENT_DEV=$(LIBEVENT_DEV) DEB_BUILD_OPTIONS=nocheck \
            dpkg-buildpackage -us -uc -b -a$(ARCH) -d
deb: deps-cross $(CROSS_DEPS)
else
DEB_BUILD = dpkg-buildpackage -us -uc -b
deb: deps-deb
endif
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/muricle-$(VERSION)
	git ls-files -z | xargs -0 tar -c | tar -x -C $(DEB_DIR)/muricle-$(VERSION)
	@echo "dpkg-buildpackage (its log: $(DEB_DIR)/build.log)"
	@cd $(DEB_DIR)/muricle-$(VERSION) && MAKEFLAGS= $(DEB_BUILD) > ../build.log 2>&1 || \
		{ tail -n 80 ../build.log; exit 1; }
	lintian -I --pedantic --fail-on error,warning,info,pedantic \
		$(DEB_DIR)/muricle_$(VERSION)_*.changes

# The tests of check-unit, built for ARCH and run under qemu-user, then
# the package for ARCH, and its daemon under qemu-user.
check-cross: deps-cross
	$(MAKE) --no-print-directory check-unit
	$(MAKE) --no-print-directory deb
	tests/cross-checks.sh $(DEB_DIR)/muricle_$(VERSION)_$(ARCH).deb $(QEMU)

deps-cross:
	@scripts/install-deps.sh cross $(ARCH)

# The package built, lintian-checked and installed on Debian 13 (libgpiod
# 2.x), in a trixie root made by mmdebstrap, into build/deb-trixie/.
deb-trixie: deps-deb
	tests/deb-trixie.sh "$(VM_CACHE)" build/deb-trixie

deps-deb:
	@scripts/install-deps.sh deb

# A benchmark, not a test: see bench/run.sh and bench/results.md.
bench: deps-bench
	$(MAKE) --no-print-directory $(BUILD)/muricled
	bench/run.sh $(BUILD)/muricled

# Ten minutes of load, reloads and injected bus faults (bench/soak.sh);
# SOAK_TIME=seconds for another length. Not part of make check.
soak: deps-bench
	$(MAKE) --no-print-directory $(BUILD)/muricled
	bench/soak.sh $(BUILD)/muricled

deps-bench:
	@scripts/install-deps.sh bench

lint:
	clang-format --dry-run --Werror $(FORMAT_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -Iinclude -D_GNU_SOURCE src tests
	shellcheck scripts/*.sh tests/*.sh tests/vm/*.sh tests/fuzz/*.sh tests/vm/init .ci/run

clean:
	rm -rf build muricled

.PHONY: all check check-cross vm-check-arm64 deb-trixie deps-cross fuzz fuzz-replay fuzz-run soak tests-run vm-check vm-run run deb bench deps deps-test deps-vm deps-deb deps-bench install format man lint clean

-include $(shell find build -path build/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
