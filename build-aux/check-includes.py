#!/usr/bin/env python3
# check-includes.py: the include graph of src/ has no cycle and no upward include
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reads every #include "..." under SRC (default: src/ next to this script),
# resolves it to a file of the tree, and checks two things:
#
#  - no upward include: core < server < app < top (src/tools and src/main.c);
#    a file includes only its own layer or the ones below;
#  - no cycle between units: a unit is a header with its .c (and its
#    -private.h), so arb-server.c, arb-server.h and arb-server-private.h are
#    one; a cycle of units means two files that cannot be read alone.
#
# It prints the graph's summary (files, units, edges between layers, the
# units with the most includes) so that a reviewer can rerun it:
#   python3 build-aux/check-includes.py [SRC]
#   python3 build-aux/check-includes.py --self-test   (the checks catch what they must)
# Exit status: 0 when clean, 1 when a check fails, 2 on a usage error.

import collections
import contextlib
import io
import os
import re
import sys
import tempfile

LAYERS = ('core', 'server', 'app', 'top')
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)
SOURCE_SUFFIXES = ('.c', '.h')


def layer_of(rel):
    parts = rel.split('/')
    if len(parts) > 1 and parts[0] in ('core', 'server', 'app'):
        return parts[0]
    # src/tools/* and src/main.c sit on top of everything
    return 'top'


def unit_of(rel):
    directory, name = os.path.split(rel)
    stem = os.path.splitext(name)[0]
    if stem.endswith('-private'):
        stem = stem[:-len('-private')]
    return os.path.join(directory, stem)


def read_tree(src):
    files = {}
    for root, dirs, names in os.walk(src):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(SOURCE_SUFFIXES):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, src).replace(os.sep, '/')
                with open(path, encoding='utf-8', errors='replace') as f:
                    files[rel] = INCLUDE.findall(f.read())
    return files


def resolve(rel, target, by_name):
    """The file of the tree that #include "target" in rel names, or None
    (config.h and generated headers are not in the tree)."""
    here = os.path.normpath(os.path.join(os.path.dirname(rel), target)).replace(os.sep, '/')
    candidates = by_name.get(os.path.basename(target), [])
    if here in candidates:
        return here
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise SystemExit('check-includes: %s includes "%s", which is ambiguous: %s'
                         % (rel, target, ', '.join(candidates)))
    return None


def strongly_connected(graph):
    """Tarjan's algorithm, iterative: the components of more than one node."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def check_tree(src):
    """Runs the checks on src, printing to a string: (status, output)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(['check-includes.py', src])
    return status, out.getvalue()


def self_test():
    """Small trees with a known answer each, so that a check that cannot fail
    shows up as a failure here."""
    cases = [
        ('clean', {'core/a.h': '', 'core/a.c': '#include "a.h"\n#include "b.h"',
                   'core/b.h': '', 'core/b.c': '#include "b.h"',
                   'core/b-private.h': '#include "b.h"',
                   'server/s.c': '#include "a.h"', 'main.c': '#include "s.h"',
                   'server/s.h': '#include "a.h"'}, 0, 'OK:'),
        ('header and .c include each other', {'core/a.h': '', 'core/a.c': '#include "a.h"'},
         0, 'OK:'),
        ('two units', {'core/a.h': '', 'core/a.c': '#include "b.h"',
                       'core/b.h': '', 'core/b.c': '#include "a.h"'}, 1, 'CYCLE between'),
        ('through a private header', {'server/s.h': '', 'server/s-private.h': '#include "s.h"',
                                      'server/s.c': '#include "t.h"', 'server/t.h': '',
                                      'server/t.c': '#include "s-private.h"'},
         1, 'CYCLE between server/s, server/t'),
        ('three units', {'app/a.c': '#include "b.h"', 'app/b.c': '#include "c.h"',
                         'app/c.c': '#include "a.h"', 'app/a.h': '', 'app/b.h': '',
                         'app/c.h': ''}, 1, 'CYCLE between'),
        ('core includes server', {'core/a.c': '#include "s.h"', 'server/s.h': ''},
         1, 'UPWARD INCLUDE: core/a.c (core) includes server/s.h (server)'),
        ('server includes app', {'server/s.c': '  #  include "w.h"', 'app/w.h': ''},
         1, 'UPWARD INCLUDE'),
        ('app includes the tools', {'app/w.c': '#include "t.h"', 'tools/t.h': ''},
         1, 'UPWARD INCLUDE'),
    ]
    failed = 0
    for name, tree, want_status, want_text in cases:
        with tempfile.TemporaryDirectory() as src:
            for rel, text in tree.items():
                os.makedirs(os.path.join(src, os.path.dirname(rel)), exist_ok=True)
                with open(os.path.join(src, rel), 'w', encoding='utf-8') as f:
                    f.write('#include "config.h"\n' + text + '\n')
            status, output = check_tree(src)
        ok = status == want_status and want_text in output
        failed += not ok
        print('%s - %s' % ('ok' if ok else 'not ok', name))
        if not ok:
            print('#   wanted status %d and "%s", got %d:' % (want_status, want_text, status))
            print(''.join('#   ' + line + '\n' for line in output.splitlines()), end='')
    print('self-test: %d of %d cases failed' % (failed, len(cases)))
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ['--self-test']:
        return self_test()
    if len(argv) > 2:
        print('usage: check-includes.py [SRC]', file=sys.stderr)
        return 2
    src = argv[1] if len(argv) == 2 else os.path.join(os.path.dirname(__file__), '..', 'src')
    if not os.path.isdir(src):
        print('check-includes: %s is not a folder' % src, file=sys.stderr)
        return 2
    files = read_tree(src)
    if not files:
        print('check-includes: no sources under %s' % src, file=sys.stderr)
        return 2
    by_name = collections.defaultdict(list)
    for rel in files:
        by_name[os.path.basename(rel)].append(rel)

    units = collections.defaultdict(set)      # unit -> units it includes
    why = {}                                   # (unit, unit) -> one include line
    layer_edges = collections.Counter()
    upward = []
    n_edges = 0
    for rel, targets in sorted(files.items()):
        units[unit_of(rel)]
        for target in targets:
            to = resolve(rel, target, by_name)
            if to is None:
                continue
            n_edges += 1
            a, b = layer_of(rel), layer_of(to)
            layer_edges[(a, b)] += 1
            if LAYERS.index(b) > LAYERS.index(a):
                upward.append('%s (%s) includes %s (%s)' % (rel, a, to, b))
            ua, ub = unit_of(rel), unit_of(to)
            if ua != ub:
                units[ua].add(ub)
                why.setdefault((ua, ub), '%s: #include "%s"' % (rel, target))

    cycles = strongly_connected(units)

    print('include graph of %s: %d files, %d units, %d includes of files in the tree'
          % (os.path.normpath(src), len(files), len(units), n_edges))
    for layer in LAYERS:
        n = sum(1 for u in units if layer_of(u) == layer)
        below = ', '.join('%s %d' % (b, layer_edges[(layer, b)]) for b in LAYERS
                          if layer_edges[(layer, b)])
        print('  %-6s %3d units; includes into: %s' % (layer, n, below or 'nothing'))
    busiest = sorted(units, key=lambda u: (-len(units[u]), u))[:5]
    print('  units that include the most other units: '
          + ', '.join('%s (%d)' % (u, len(units[u])) for u in busiest))

    for line in upward:
        print('UPWARD INCLUDE: ' + line)
    for component in cycles:
        print('CYCLE between %s:' % ', '.join(component))
        members = set(component)
        for a in component:
            for b in sorted(units[a] & members):
                print('    ' + why[(a, b)])
    if upward or cycles:
        print('FAIL: %d upward includes, %d cycles' % (len(upward), len(cycles)))
        return 1
    print('OK: no cycle between units, no upward include')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
