# husk: an OCI container runtime.
#   make            build ./husk
#   make demo       install deps, build, run a container from a busybox bundle
#   make test       install deps, build, run every test suite (one summary line)
#   make test-clients  containerd, Docker and podman on husk, end to end
#   make install    PREFIX=/usr/local DESTDIR=
#   make fuzz       build and run the fuzzers (FUZZ_TARGETS, FUZZ_SECONDS=600 each)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libseccomp libcap yajl libmnl

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

BUILD := build
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wmissing-prototypes -Wstrict-prototypes
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
BASE_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Ilibcontainer $(BASE_CFLAGS_STUB) \
	-DHUSK_VERSION='"$(VERSION)"' -DHUSK_COMMIT='"$(COMMIT)"'
CFLAGS ?= -O2 -g
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP

LIB_SRCS := $(sort $(filter-out libcontainer/exec-stub/%,$(wildcard libcontainer/*.c libcontainer/*/*.c)))
CMD_SRCS := $(sort $(wildcard cmd/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))

NOLIBC_HELPER_SRCS := $(sort $(wildcard tests/helpers/nolibc/*.c))

# The exec stub (libcontainer/exec-stub.c says why): a static program built
# without a C library and embedded in husk.  On an architecture it does not
# support, husk execs the container's program directly.
STUB_ARCH := $(shell $(CC) -dumpmachine 2>/dev/null | grep -Eq '^(x86_64|aarch64)-' && echo yes)
NOLIBC_CFLAGS := -std=gnu11 $(WARN) -Ilibcontainer -Os -nostdlib -static -fno-pie -no-pie \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-asynchronous-unwind-tables \
	-Wl,-z,noexecstack -Wl,--build-id=none -s
ifeq ($(STUB_ARCH),yes)
STUB_OBJ := $(BUILD)/obj/exec-stub-blob.o
BASE_CFLAGS_STUB := -DHUSK_EXEC_STUB
NOLIBC_HELPERS := $(NOLIBC_HELPER_SRCS:tests/helpers/nolibc/%.c=$(BUILD)/helpers/%)
endif

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(STUB_OBJ)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan/%.o) $(STUB_OBJ)
ASAN_UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/asan/%.o)
HELPERS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/helpers/%)

ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: all deps demo test unit unit-asan integration fuzz install uninstall clean \
	format format-check check-headers helpers

all: husk

husk: $(LIB_OBJS) $(CMD_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

# Objects that embed the version or commit are rebuilt when either changes.
$(BUILD)/version-stamp: FORCE
	@mkdir -p $(dir $@)
	@echo "$(VERSION) $(COMMIT)" | cmp -s - $@ || echo "$(VERSION) $(COMMIT)" > $@
VERSIONED := cmd/main libcontainer/features tests/unit/features_test
$(foreach o,$(VERSIONED),$(BUILD)/obj/$(o).o $(BUILD)/asan/$(o).o): $(BUILD)/version-stamp
.PHONY: FORCE
FORCE:

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

# The unit runner finds every `Suite *name_suite(void)` in tests/unit/, so a
# new test file needs no registration by hand.
$(BUILD)/unit/suites.h: $(UNIT_SRCS) tests/gen-suites.sh
	@mkdir -p $(dir $@)
	sh tests/gen-suites.sh $(UNIT_SRCS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/tests/unit/main.o $(BUILD)/asan/tests/unit/main.o: $(BUILD)/unit/suites.h
$(UNIT_OBJS) $(ASAN_UNIT_OBJS): BASE_CFLAGS += -I$(BUILD)/unit -Itests/unit -Wno-missing-prototypes

$(BUILD)/husk-unit: $(LIB_OBJS) $(UNIT_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs check)

$(BUILD)/husk-unit-asan: $(ASAN_LIB_OBJS) $(ASAN_UNIT_OBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs check)

# In-container helpers are static so they run in any rootfs.
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $<

helpers: $(HELPERS) $(NOLIBC_HELPERS)

$(BUILD)/exec-stub: libcontainer/exec-stub/main.c libcontainer/exec-stub/sys.h
	@mkdir -p $(dir $@)
	$(CC) $(NOLIBC_CFLAGS) -o $@ $<

$(STUB_OBJ): libcontainer/exec-stub/blob.S $(BUILD)/exec-stub
	@mkdir -p $(dir $@)
	$(CC) -c -DSTUB_BIN='"$(BUILD)/exec-stub"' -o $@ $<

$(BUILD)/helpers/%: tests/helpers/nolibc/%.c libcontainer/exec-stub/sys.h
	@mkdir -p $(dir $@)
	$(CC) $(NOLIBC_CFLAGS) -o $@ $<

deps:
	@sh contrib/deps.sh

unit: $(BUILD)/husk-unit
	HUSK_FIXTURES=tests/fixtures $(BUILD)/husk-unit

unit-asan: $(BUILD)/husk-unit-asan
	HUSK_FIXTURES=tests/fixtures $(BUILD)/husk-unit-asan

test: deps
	@$(MAKE) --no-print-directory husk $(BUILD)/husk-unit $(BUILD)/husk-unit-asan helpers
	@sh tests/run-all.sh

integration: husk helpers
	@sh tests/run-all.sh integration

demo: deps
	@$(MAKE) --no-print-directory husk
	@sh contrib/demo.sh

fuzz:
	@sh tests/fuzz/run.sh

install: husk
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 husk $(DESTDIR)$(BINDIR)/husk

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/husk

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find cmd include libcontainer tests -name '*.[ch]')

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES)

# Every public and internal header must compile on its own.
check-headers:
	@set -e; for h in $$(find include libcontainer -name '*.h'); do \
		echo "#include \"$${h#include/}\"" | sed 's|"libcontainer/|"|' | \
		$(CC) $(BASE_CFLAGS) $(PKG_CFLAGS) -x c -fsyntax-only - || { echo "check-headers: $$h"; exit 1; }; \
	done

clean:
	rm -rf $(BUILD) husk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- Client tests (tests/clients/) -------------------------------------------
# containerd, Docker and podman, from Debian's packages, running containers
# through ./husk end to end (also part of `make test`).
.PHONY: test-clients

test-clients: deps
	@$(MAKE) --no-print-directory husk helpers
	@sh tests/clients/run.sh

# ---- VM tests (tests/vm/README.md) ------------------------------------------
# tests/integration-vm/ runs inside a qemu guest on a pure cgroup v2 kernel
# (also part of `make test`).  `make vm CMD='...'` runs one command there, in
# this directory, as root; without CMD it opens a shell on the guest console.
.PHONY: test-vm vm

test-vm: deps
	@$(MAKE) --no-print-directory husk
	@sh tests/vm/suites.sh

vm: deps
	@$(MAKE) --no-print-directory husk
	@if [ -n "$${CMD:-}" ]; then sh tests/vm/run.sh -- sh -c "$$CMD"; else sh tests/vm/run.sh -i; fi

# ---- Benchmarks (tests/bench/, docs/performance.md) -------------------------
# `make bench` times husk against crun and runc on one busybox bundle,
# interleaved, BENCH_N containers per figure (default 200); it installs crun,
# runc and gnuplot itself.  `make bench-smoke` is the same with BENCH_N=3 and
# no plot: it checks that the bench works, never how fast anything is.
# `make bench-vm` runs the bench in the test VM (pure cgroup v2, where crun
# runs too; BENCH_N defaults to 20 there, ratios are the figures to quote).
.PHONY: bench bench-smoke bench-vm

$(BUILD)/bench/driver: tests/bench/driver.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $< -lm

bench: deps
	@$(MAKE) --no-print-directory husk $(BUILD)/bench/driver
	@sh tests/bench/bench.sh

bench-smoke: deps
	@$(MAKE) --no-print-directory husk $(BUILD)/bench/driver
	@BENCH_N=3 BENCH_PLOT=0 BENCH_OUT=$(BUILD)/bench-smoke sh tests/bench/bench.sh

bench-vm: deps
	@$(MAKE) --no-print-directory husk $(BUILD)/bench/driver
	@sh tests/bench/vm.sh
