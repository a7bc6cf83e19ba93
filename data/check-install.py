#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `meson install --destdir` into a temporary folder, then checks the tree as a
# distribution or Flathub would: the desktop file, the metainfo and the
# settings schema validate, the icons, the service, the configuration example
# and every language of po/LINGUAS are there, and the installed binary runs
# from the tree: `arbdash --version`, the schema found through XDG_DATA_DIRS
# alone, and a short `arbdash --headless` that serves and stops cleanly.

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

failures = []
START_S = 30


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        print(f'$ {" ".join(argv)}\n{result.stdout}{result.stderr}', file=sys.stderr)
    return result


def validate(tree, share, args):
    app = args.app_id
    desktop = os.path.join(share, 'applications', f'{app}.desktop')
    metainfo = os.path.join(share, 'metainfo', f'{app}.metainfo.xml')
    schemas = os.path.join(share, 'glib-2.0', 'schemas')
    for path in (desktop, metainfo, os.path.join(schemas, f'{args.schema_id}.gschema.xml')):
        check(os.path.isfile(path), f'{path} was not installed')
    if os.path.isfile(desktop):
        check(run(['desktop-file-validate', desktop]).returncode == 0,
              f'desktop-file-validate {desktop} failed')
    if os.path.isfile(metainfo):
        check(run(['appstreamcli', 'validate', '--no-net', metainfo]).returncode == 0,
              f'appstreamcli validate --no-net {metainfo} failed')
    check(run(['glib-compile-schemas', '--strict', '--dry-run', schemas]).returncode == 0,
          f'glib-compile-schemas --strict --dry-run {schemas} failed')
    icons = os.path.join(share, 'icons', 'hicolor')
    for icon in (os.path.join(icons, 'scalable', 'apps', f'{app}.svg'),
                 os.path.join(icons, 'symbolic', 'apps', f'{app}-symbolic.svg')):
        check(os.path.isfile(icon), f'{icon} was not installed')
    check(os.path.isfile(os.path.join(share, 'doc', 'arbdash', 'arbdash.conf.example')),
          'the configuration example was not installed')
    for lang in args.languages:
        mo = os.path.join(share, 'locale', lang, 'LC_MESSAGES', 'arbdash.mo')
        check(os.path.isfile(mo), f'{mo} was not installed ({lang} is in po/LINGUAS)')


def check_service(tree, args):
    units = [os.path.join(d, f) for d, _, fs in os.walk(tree) for f in fs
             if f == 'arbdash.service']
    if not check(len(units) == 1, f'one arbdash.service expected in the tree, found {units}'):
        return
    with open(units[0], encoding='utf-8') as f:
        text = f.read()
    exec_start = re.search(r'^ExecStart=(\S+)', text, re.MULTILINE)
    check(exec_start is not None and exec_start.group(1) == os.path.join(args.bindir, 'arbdash'),
          f'{units[0]}: ExecStart does not run {args.bindir}/arbdash')


def serve_headless(binary, env, scratch):
    db = os.path.join(scratch, 'arbdash.db')
    proc = subprocess.Popen([binary, '--headless', '--no-demo', '--port', '0', '--db', db],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        deadline = time.monotonic() + START_S
        serving = None
        while serving is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line == '':
                break
            serving = re.search(r'serving (http://\S+)', line)
        if not check(serving is not None, 'arbdash --headless from the tree did not serve'):
            return
        proc.send_signal(signal.SIGTERM)
        status = proc.wait(timeout=START_S)
        check(status == 0, f'arbdash --headless exited {status} on SIGTERM, not 0')
        check(os.path.isfile(db), 'arbdash --headless made no database')
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stderr = proc.stderr.read()
        if stderr:
            print(stderr, file=sys.stderr)


def run_from_tree(tree, share, args, scratch):
    binary = tree + os.path.join(args.bindir, 'arbdash')
    if not check(os.access(binary, os.X_OK), f'{binary} was not installed'):
        return
    # a user of the tree only: nothing from this machine's session or the build
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('ARBDASH_', 'GSETTINGS_', 'XDG_', 'DISPLAY', 'WAYLAND'))}
    env.update({'HOME': scratch, 'XDG_CONFIG_HOME': os.path.join(scratch, 'config'),
                'XDG_DATA_HOME': os.path.join(scratch, 'data'),
                'XDG_DATA_DIRS': share, 'GSETTINGS_BACKEND': 'memory', 'LC_ALL': 'C.UTF-8'})
    version = run([binary, '--version'], env=env)
    check(version.returncode == 0 and version.stdout.strip() == f'arbdash {args.version}',
          f'{binary} --version printed {version.stdout.strip()!r}')
    # what a distribution's trigger does after installing a schema
    schemas = os.path.join(share, 'glib-2.0', 'schemas')
    check(run(['glib-compile-schemas', '--strict', schemas]).returncode == 0,
          f'glib-compile-schemas {schemas} failed')
    found = run(['gsettings', 'get', args.schema_id, 'port'], env=env)
    check(found.returncode == 0 and found.stdout.strip() == 'uint16 8080',
          f'the installed schema {args.schema_id} is not found through XDG_DATA_DIRS={share}')
    serve_headless(binary, env, scratch)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--meson', required=True)
    parser.add_argument('--build-dir', required=True)
    parser.add_argument('--prefix', required=True)
    parser.add_argument('--bindir', required=True, help='absolute, under the prefix')
    parser.add_argument('--datadir', required=True, help='absolute, under the prefix')
    parser.add_argument('--app-id', required=True)
    parser.add_argument('--schema-id', required=True)
    parser.add_argument('--version', required=True)
    parser.add_argument('--linguas', required=True)
    args = parser.parse_args()
    with open(args.linguas, encoding='utf-8') as f:
        args.languages = [w for line in f for w in line.split('#', 1)[0].split()]

    for tool in ('desktop-file-validate', 'appstreamcli', 'glib-compile-schemas', 'gsettings'):
        if shutil.which(tool) is None:
            print(f'{tool} is not installed (build-aux/deps installs it): skipped')
            return 77

    with tempfile.TemporaryDirectory(prefix='arbdash-install-') as scratch:
        destdir = os.path.join(scratch, 'root')
        result = run([args.meson, 'install', '-C', args.build_dir, '--no-rebuild',
                      '--destdir', destdir, '--quiet'],
                     env={**os.environ, 'DESTDIR': destdir})
        if not check(result.returncode == 0, 'meson install --destdir failed'):
            pass
        else:
            tree = destdir
            share = tree + args.datadir
            validate(tree, share, args)
            check_service(tree, args)
            run_from_tree(tree, share, args, scratch)

    for message in failures:
        print(f'FAIL: {message}', file=sys.stderr)
    if failures:
        return 1
    print('the installed tree validates, and arbdash runs from it')
    return 0


if __name__ == '__main__':
    sys.exit(main())
