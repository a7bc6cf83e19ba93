#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns one language's catalog (po/LANG.po) into the JSON the browser page
loads (web/js/i18n.js): only the messages of the page's own files, so the
first load stays small, and only translated, non-fuzzy ones (the page shows
the English original for the rest, as gettext does).

  po2json.py --language de --source-prefix web/ po/de.po de.json

Output: {"language": "de", "plural": "n != 1",
         "messages": {"msgid": "msgstr", "singular": ["form 0", "form 1"]}}
A message with a context is keyed "context\\u0004msgid", as gettext keys it.

The build fails, naming the line, when the catalog cannot be read, when its
plural rule is one i18n.js does not know (it cannot eval the header: the
page's CSP forbids it), or when a translation uses a {placeholder} its
original does not have (fmt() would show it raw)."""
import argparse
import ast
import json
import re
import sys

# the plural rules web/js/i18n.js implements, as po headers write them
KNOWN_PLURALS = {'n != 1', 'n > 1', '0'}
PLACEHOLDER = re.compile(r'\{([a-z][a-z0-9_]*)\}', re.IGNORECASE)


class CatalogError(Exception):
    pass


def unquote(text, where):
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise CatalogError(f'{where}: not a quoted string: {text}')
    try:
        # po strings use C escapes, which are a subset of Python's
        return ast.literal_eval(text)
    except (ValueError, SyntaxError) as e:
        raise CatalogError(f'{where}: {e}') from e


def entries(path):
    """Yields each entry as a dict: msgctxt, msgid, msgid_plural, msgstr
    (a list of forms), refs (the #: references), fuzzy, line."""
    entry = None
    field = None

    def finish():
        if entry is not None and 'msgid' in entry:
            yield entry

    with open(path, encoding='utf-8') as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            where = f'{path}:{number}'
            if not line.strip():
                yield from finish()
                entry, field = None, None
                continue
            if entry is None:
                entry = {'refs': [], 'fuzzy': False, 'msgstr': {}, 'line': number}
            if line.startswith('#~'):
                entry['obsolete'] = True
                continue
            if line.startswith('#:'):
                entry['refs'] += line[2:].split()
                continue
            if line.startswith('#,'):
                entry['fuzzy'] |= 'fuzzy' in [f.strip() for f in line[2:].split(',')]
                continue
            if line.startswith('#'):
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
            if m:
                key, index, text = m.groups()
                if key == 'msgstr':
                    field = ('msgstr', int(index or 0))
                    entry['msgstr'][field[1]] = unquote(text, where)
                else:
                    field = (key, None)
                    entry[key] = unquote(text, where)
            elif line.startswith('"') and field is not None:
                if field[0] == 'msgstr':
                    entry['msgstr'][field[1]] += unquote(line, where)
                else:
                    entry[field[0]] += unquote(line, where)
            else:
                raise CatalogError(f'{where}: cannot read this line: {line}')
        yield from finish()


def plural_rule(header, path):
    m = re.search(r'^Plural-Forms:.*\bplural\s*=\s*([^;]+);?', header, re.MULTILINE)
    if m is None:
        raise CatalogError(f'{path}: the header has no Plural-Forms')
    rule = ' '.join(m.group(1).split())
    while rule.startswith('(') and rule.endswith(')'):
        rule = rule[1:-1].strip()
    if rule not in KNOWN_PLURALS:
        raise CatalogError(f'{path}: plural rule "{rule}" is not one web/js/i18n.js knows '
                           f'({", ".join(sorted(KNOWN_PLURALS))}): add it there and here')
    return rule


def convert(path, language, prefixes):
    catalog = {'language': language, 'plural': None, 'messages': {}}
    for e in entries(path):
        if e.get('obsolete'):
            continue
        if e['msgid'] == '' and 'msgctxt' not in e:
            catalog['plural'] = plural_rule(e['msgstr'].get(0, ''), path)
            continue
        if e['fuzzy'] or not any(r.startswith(p) for r in e['refs'] for p in prefixes):
            continue
        forms = [e['msgstr'][i] for i in sorted(e['msgstr'])]
        if not forms or any(f == '' for f in forms):
            continue
        originals = set(PLACEHOLDER.findall(e['msgid'] + e.get('msgid_plural', '')))
        for form in forms:
            unknown = set(PLACEHOLDER.findall(form)) - originals
            if unknown:
                raise CatalogError(f'{path}:{e["line"]}: the translation of "{e["msgid"]}" '
                                   f'uses {{{", ".join(sorted(unknown))}}}, which the original '
                                   f'does not have')
        key = e['msgid'] if 'msgctxt' not in e else e['msgctxt'] + '\u0004' + e['msgid']
        catalog['messages'][key] = forms if 'msgid_plural' in e else forms[0]
    if catalog['plural'] is None:
        raise CatalogError(f'{path}: no header entry')
    return catalog


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--language', required=True)
    parser.add_argument('--source-prefix', action='append', default=[],
                        help='keep the messages with a reference under this path (repeatable)')
    parser.add_argument('po')
    parser.add_argument('output')
    args = parser.parse_args()
    try:
        catalog = convert(args.po, args.language, args.source_prefix or [''])
    except (CatalogError, OSError, UnicodeDecodeError) as e:
        print(f'po2json: {e}', file=sys.stderr)
        return 1
    with open(args.output, 'w', encoding='utf-8') as f:
        json.dump(catalog, f, ensure_ascii=False, sort_keys=True, separators=(',', ':'))
        f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
