#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The service's exposure as systemd scores it: 2.0 or lower (--threshold is in
# tenths), for each unit file given (the source and the one meson installs).
# Exit 77 (skipped) where systemd-analyze is missing.
set -eu
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze is not installed (Debian: systemd): the service's score is not checked"
  exit 77
fi
for unit in "$@"; do
  # --offline (systemd 250) reads the unit file alone, with no running systemd
  systemd-analyze security --offline=true --threshold=20 --no-pager "$unit"
done
