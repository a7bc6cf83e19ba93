#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every source file and template with strings marked for translation is in
po/POTFILES.in, and every file listed there exists: a missing line leaves a
whole view untranslated without a warning anywhere else. The page's
JavaScript counts too (xgettext reads it into the same catalog); i18n.js, which
defines _() and ngettext(), marks nothing."""
import pathlib
import re
import sys

top = pathlib.Path(sys.argv[1])
listed = {line.strip() for line in (top / 'po' / 'POTFILES.in').read_text().splitlines()
          if line.strip() and not line.startswith('#')}
marked = re.compile(r'\b(N?_|C_|NC_|g_dngettext|ngettext)\s*\(|translatable="yes"')
scripts = [p for p in top.glob('web/js/*.js') if p.name != 'i18n.js']
failures = []
for path in sorted(list(top.glob('src/**/*.c')) + list(top.glob('ui/*.ui')) + scripts):
    name = path.relative_to(top).as_posix()
    if marked.search(path.read_text(encoding='utf-8')) and name not in listed:
        failures.append(f'{name} marks strings for translation but is not in po/POTFILES.in')
for name in sorted(listed):
    if not (top / name).exists():
        failures.append(f'po/POTFILES.in lists {name}, which does not exist')

# The page's catalogs: one for each language of LINGUAS, in the web GResource
# and in the list web/js/i18n.js picks from (it must not ask for a missing one).
linguas = {line.strip() for line in (top / 'po' / 'LINGUAS').read_text().splitlines()
           if line.strip() and not line.startswith('#')}
for lang in sorted(linguas):
    if not (top / 'po' / f'{lang}.po').exists():
        failures.append(f'po/LINGUAS lists {lang}, but po/{lang}.po does not exist')
resources = set(re.findall(r'alias="i18n/([A-Za-z_@]+)\.json"',
                           (top / 'web' / 'arbdash-web.gresource.xml').read_text()))
m = re.search(r'export const CATALOGS = \[([^\]]*)\]', (top / 'web' / 'js' / 'i18n.js').read_text())
picked = set(re.findall(r"'([^']+)'", m.group(1))) if m else set()
for what, langs in (('web/arbdash-web.gresource.xml', resources), ('web/js/i18n.js (CATALOGS)', picked)):
    if langs != linguas:
        failures.append(f'{what} has the catalogs {sorted(langs)}, po/LINGUAS {sorted(linguas)}')
for failure in failures:
    print('FAIL:', failure, file=sys.stderr)
sys.exit(1 if failures else 0)
