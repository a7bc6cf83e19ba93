#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Lints the Flatpak manifest without building it (no runtime is needed): it
# parses (JSON, or YAML for a .yml/.yaml), names the app and its command as the
# project does, sits on a supported GNOME runtime that brings libsoup 3,
# json-glib and SQLite (so no module bundles them), asks for no permission
# beyond the least the app needs, builds without the network, every local path
# it names exists, and every remote source has a sha256. Then, where they are
# installed, `flatpak-builder --show-manifest` and `flatpak-builder-lint`.

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

RUNTIME = 'org.gnome.Platform'
SDK = 'org.gnome.Sdk'
# GNOME runtimes Flathub maintains (GNOME keeps the last two releases)
SUPPORTED_VERSIONS = {'49', '50'}
# network: the embedded server and bots elsewhere; the display; the GPU for GTK.
# Notifications and the file chooser are portals: no permission for them.
ALLOWED_FINISH_ARGS = {
    '--share=network',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}
RUNTIME_LIBRARIES = ('libsoup', 'json-glib', 'sqlite')
SHA256 = re.compile(r'^[0-9a-f]{64}$')

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def load(path):
    with open(path, encoding='utf-8') as f:
        if path.endswith(('.yml', '.yaml')):
            import yaml  # Debian: python3-yaml
            return yaml.safe_load(f)
        return json.load(f)


def check_top(manifest, app_id, command):
    check(manifest.get('id', manifest.get('app-id')) == app_id,
          f'id is {manifest.get("id")!r}, not {app_id!r}')
    check(manifest.get('command') == command, f'command is {manifest.get("command")!r}, '
          f'not the installed {command!r}')
    check(manifest.get('runtime') == RUNTIME, f'runtime is {manifest.get("runtime")!r}')
    check(manifest.get('sdk') == SDK, f'sdk is {manifest.get("sdk")!r}')
    check(str(manifest.get('runtime-version')) in SUPPORTED_VERSIONS,
          f'runtime-version {manifest.get("runtime-version")!r} is not one of '
          f'{sorted(SUPPORTED_VERSIONS)}')
    for arg in manifest.get('finish-args', []):
        check(arg in ALLOWED_FINISH_ARGS, f'finish-args: {arg} is more than the app needs')
    for arg in ALLOWED_FINISH_ARGS:
        check(arg in manifest.get('finish-args', []), f'finish-args: {arg} is missing')


def walk_modules(modules):
    for module in modules:
        if isinstance(module, str):
            # a module in a file of its own: its path is checked as a local path
            yield {'name': module, '_file': module}
            continue
        yield module
        yield from walk_modules(module.get('modules', []))


def check_module(module, base):
    name = module.get('name', '?')
    if '_file' in module:
        check(os.path.exists(os.path.join(base, module['_file'])),
              f'module file {module["_file"]} does not exist')
        return
    check(not any(lib in name.lower() for lib in RUNTIME_LIBRARIES),
          f'module {name}: the runtime provides it already')
    build_args = module.get('build-options', {}).get('build-args', [])
    check('--share=network' not in build_args, f'module {name}: the build must not use '
          'the network')
    for source in module.get('sources', []):
        if isinstance(source, str):
            check(os.path.exists(os.path.join(base, source)),
                  f'module {name}: source file {source} does not exist')
            continue
        if 'path' in source:
            check(os.path.exists(os.path.join(base, source['path'])),
                  f'module {name}: {source["path"]} does not exist')
        for extra in source.get('paths', []):
            check(os.path.exists(os.path.join(base, extra)),
                  f'module {name}: {extra} does not exist')
        if 'url' in source or 'mirror-urls' in source:
            check(source.get('url', '').startswith('https://'),
                  f'module {name}: {source.get("url")} is not https')
            if source.get('type') in ('git', 'bzr', 'svn'):
                check('commit' in source or 'revision' in source,
                      f'module {name}: {source.get("url")} is not pinned to a commit')
            else:
                check(bool(SHA256.match(source.get('sha256', ''))),
                      f'module {name}: {source.get("url")} has no sha256')


def check_last_module(manifest, chartjs_module):
    modules = [m for m in manifest.get('modules', []) if isinstance(m, dict)]
    check(modules and modules[-1].get('name') == 'arbdash', 'arbdash must be the last module')
    if not modules:
        return
    opts = modules[-1].get('config-opts', [])
    check('-Dweb=enabled' in opts, 'arbdash must be built with the browser page: -Dweb=enabled')
    chart = [o for o in opts if o.startswith('-Dchartjs_dir=')]
    check(len(chart) == 1, 'arbdash must say where Chart.js is: -Dchartjs_dir=')
    # Chart.js comes from a module of the manifest, installed where -Dchartjs_dir points
    installs = ' '.join(c for m in modules if m.get('name') == chartjs_module
                        for c in m.get('build-commands', []))
    if chart:
        where = chart[0].split('=', 1)[1].replace('/app/', '${FLATPAK_DEST}/')
        for wanted in ('chart.mjs', 'chunks/helpers.segment.mjs'):
            check(f'{where}/{wanted}' in installs,
                  f'module {chartjs_module} does not install {where}/{wanted}')


def run_tools(path):
    builder = shutil.which('flatpak-builder')
    if builder is None:
        print('flatpak-builder is not installed: --show-manifest skipped')
    else:
        result = subprocess.run([builder, '--show-manifest', path], capture_output=True,
                                text=True, env={**os.environ, 'G_DEBUG': 'fatal-warnings'},
                                check=False)
        check(result.returncode == 0,
              f'flatpak-builder --show-manifest failed: {result.stderr.strip()}')
    lint = shutil.which('flatpak-builder-lint')
    if lint is None:
        print('flatpak-builder-lint is not installed (it is on Flathub as '
              'org.flatpak.Builder): its checks skipped')
    else:
        result = subprocess.run([lint, 'manifest', path], capture_output=True, text=True,
                                check=False)
        check(result.returncode == 0, f'flatpak-builder-lint: {result.stdout.strip()}')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('manifest')
    parser.add_argument('--app-id', default='io.github.arbdash.Arbdash')
    parser.add_argument('--command', default='arbdash')
    parser.add_argument('--chartjs-module', default='chart-js')
    args = parser.parse_args()

    try:
        manifest = load(args.manifest)
    except (ValueError, OSError) as e:
        print(f'FAIL: {args.manifest} does not parse: {e}', file=sys.stderr)
        return 1
    base = os.path.dirname(os.path.abspath(args.manifest))
    check_top(manifest, args.app_id, args.command)
    for module in walk_modules(manifest.get('modules', [])):
        check_module(module, base)
    check_last_module(manifest, args.chartjs_module)
    run_tools(args.manifest)

    for message in failures:
        print(f'FAIL: {args.manifest}: {message}', file=sys.stderr)
    if failures:
        return 1
    print(f'{args.manifest}: lint passed (not built: that needs the {RUNTIME} runtime)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
