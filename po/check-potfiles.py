#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every source file and template with strings marked for translation is in
po/POTFILES.in, and every file listed there exists: a missing line leaves a
whole view untranslated without a warning anywhere else."""
import pathlib
import re
import sys

top = pathlib.Path(sys.argv[1])
listed = {line.strip() for line in (top / 'po' / 'POTFILES.in').read_text().splitlines()
          if line.strip() and not line.startswith('#')}
marked = re.compile(r'\b(N?_|C_|NC_|g_dngettext)\s*\(|translatable="yes"')
failures = []
for path in sorted(list(top.glob('src/**/*.c')) + list(top.glob('ui/*.ui'))):
    name = path.relative_to(top).as_posix()
    if marked.search(path.read_text(encoding='utf-8')) and name not in listed:
        failures.append(f'{name} marks strings for translation but is not in po/POTFILES.in')
for name in sorted(listed):
    if not (top / name).exists():
        failures.append(f'po/POTFILES.in lists {name}, which does not exist')
for failure in failures:
    print('FAIL:', failure, file=sys.stderr)
sys.exit(1 if failures else 0)
