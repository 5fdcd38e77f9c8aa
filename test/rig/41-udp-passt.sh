#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/41-udp-passt.sh - The UDP checks of 40-udp.sh, through passt and
# the qemu stand-in, plus malformed frames injected by the stand-in

UDP_MODE=passt
. "$(dirname "$0")/40-udp.sh"
