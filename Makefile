# SPDX-License-Identifier: GPL-2.0-or-later
#
# passt/pasta: user-mode networking for VMs and network namespaces

VERSION ?= $(shell git describe --tags --always 2>/dev/null || echo 0.1)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers \
	-D_GNU_SOURCE -DVERSION=\"$(VERSION)\" \
	-fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE \
	-fno-strict-aliasing
LDFLAGS ?=
BASE_LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now

# Every top-level .c file is part of the daemon, except the qrap and pesto
# helpers.
PASST_SRCS := $(filter-out qrap.c pesto.c,$(wildcard *.c))
PASST_HDRS := $(wildcard *.h)
# BUILD: object directory; O: where binaries go (parallel builds use their
# own, e.g. make O=/tmp/x BUILD=/tmp/x/obj)
BUILD ?= build
O ?= .
PASST_OBJS := $(PASST_SRCS:%.c=$(BUILD)/%.o)
BINS := $(O)/passt $(O)/pasta $(O)/passt4netns $(O)/qrap $(O)/pesto

all: $(BINS)

$(BUILD)/%.o: %.c $(PASST_HDRS)
	@mkdir -p $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

# seccomp allow-lists from the #syscalls annotations (see seccomp.sh)
$(BUILD)/seccomp.h: seccomp.sh seccomp.extra $(PASST_SRCS)
	@mkdir -p $(BUILD)
	CC="$(CC)" CFLAGS="$(CFLAGS)" sh seccomp.sh $@ seccomp.extra $(PASST_SRCS)
$(BUILD)/isolation.o: $(BUILD)/seccomp.h
$(BUILD)/isolation.o: BASE_CFLAGS += -I$(BUILD)

$(O)/passt: $(PASST_OBJS)
	@mkdir -p $(O)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^

$(O)/pasta $(O)/passt4netns: $(O)/passt
	ln -sf passt $@

$(O)/qrap: qrap.c
	@mkdir -p $(O)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $<

$(O)/pesto: pesto.c
	@mkdir -p $(O)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $<

# The rig runs against $(PASST) (default: this build), e.g. PASST=/usr/bin/passt
PASST ?= $(abspath $(O)/passt)

check: all
	$(MAKE) --no-print-directory -C test check PASST=$(PASST)

check-unit:
	$(MAKE) --no-print-directory -C test unit

check-rig: all
	$(MAKE) --no-print-directory -C test rig PASST=$(PASST)

bench: all
	$(MAKE) --no-print-directory -C test bench PASST=$(PASST)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(O)/passt $(O)/qrap $(O)/pesto $(DESTDIR)$(BINDIR)
	ln -sf passt $(DESTDIR)$(BINDIR)/pasta
	ln -sf passt $(DESTDIR)$(BINDIR)/passt4netns
	install -m 644 doc/passt.1 doc/qrap.1 doc/pesto.1 \
		$(DESTDIR)$(MANDIR)/man1
	ln -sf passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/passt $(DESTDIR)$(BINDIR)/pasta \
		$(DESTDIR)$(BINDIR)/passt4netns $(DESTDIR)$(BINDIR)/qrap \
		$(DESTDIR)$(BINDIR)/pesto $(DESTDIR)$(MANDIR)/man1/pesto.1 \
		$(DESTDIR)$(MANDIR)/man1/passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1 \
		$(DESTDIR)$(MANDIR)/man1/qrap.1

clean:
	rm -rf $(BUILD) passt pasta passt4netns qrap pesto
	-$(MAKE) -C test clean

.PHONY: all check check-unit check-rig bench install uninstall clean
