#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every catalog of po/LINGUAS is valid and complete:

- `msgfmt --check` passes (header, plural forms, and every c-format
  translation has the original's conversions: a wrong one crashes printf);
- no translation is fuzzy;
- every message the sources mark today (xgettext over po/POTFILES.in, with the
  keywords of po/meson.build) has a translation: a string added without one
  is named here, to be translated after `meson compile arbdash-pot
  arbdash-update-po`.

  check-catalogs.py TOP_SOURCE_DIR

Output is TAP."""
import pathlib
import subprocess
import sys
import tempfile

top = pathlib.Path(sys.argv[1])
po = top / 'po'
# the messages only: po/meson.build's glib preset adds the format flags too
KEYWORDS = ['_', 'N_', 'C_:1c,2', 'NC_:1c,2', 'g_dngettext:2,3', 'g_dpgettext2:2c,3', 'ngettext:1,2']
linguas = [line.strip() for line in (po / 'LINGUAS').read_text().splitlines()
           if line.strip() and not line.startswith('#')]
results = []


def check(name, condition, detail=''):
    results.append(condition)
    print(f'{"ok" if condition else "not ok"} {len(results)} - {name}')
    if not condition and detail:
        print('# ' + detail.strip().replace('\n', '\n# '))


def run(args):
    return subprocess.run(args, capture_output=True, text=True, env={'LC_ALL': 'C', 'PATH': '/usr/bin:/bin'})


with tempfile.TemporaryDirectory(prefix='arbdash-po-') as tmp:
    pot = pathlib.Path(tmp) / 'arbdash.pot'
    r = run(['xgettext', '--from-code=UTF-8', '--package-name=arbdash', '-D', str(top),
             '-f', str(po / 'POTFILES.in'), '-o', str(pot)] + [f'--keyword={k}' for k in KEYWORDS])
    check('xgettext reads every file of POTFILES.in', r.returncode == 0 and pot.exists(), r.stderr)
    for lang in linguas:
        path = po / f'{lang}.po'
        r = run(['msgfmt', '--check', '--statistics', '-o', '/dev/null', str(path)])
        check(f'{lang}.po: msgfmt --check ({r.stderr.strip()})', r.returncode == 0, r.stderr)
        r = run(['msgattrib', '--only-fuzzy', '--no-obsolete', str(path)])
        check(f'{lang}.po: no fuzzy translation', r.returncode == 0 and 'msgid' not in r.stdout, r.stdout)
        if not pot.exists():
            continue
        merged = pathlib.Path(tmp) / f'{lang}.po'
        r = run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', str(merged), str(path), str(pot)])
        if r.returncode != 0:
            check(f'{lang}.po merges with the sources\' messages', False, r.stderr)
            continue
        stats = run(['msgfmt', '--statistics', '-o', '/dev/null', str(merged)]).stderr.strip()
        # the untranslated entries, without the header, to say which
        r = run(['msgattrib', '--untranslated', '--no-obsolete', '--no-location', str(merged)])
        missing = r.stdout.split('\n\n', 1)[1] if '\n\n' in r.stdout else ''
        check(f'{lang}.po translates every message the sources mark ({stats})',
              r.returncode == 0 and 'untranslated' not in stats and 'fuzzy' not in stats and not missing.strip(),
              missing)
print(f'1..{len(results)}')
sys.exit(0 if all(results) else 1)
