#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks what the stock validators do not: that the desktop file, the metainfo,
# the icons, the settings schema and the Flatpak manifest agree with each other
# and with the build (application id, executable, version), and that the schema
# holds no secrets.

import argparse
import configparser
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
SCREENSHOTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'docs', 'screenshots')
# The id without .Devel: the schema and the Flatpak keep it in every build.
BASE_ID = 'io.github.arbdash.Arbdash'

# key -> (type, default as gsettings prints it, range as gsettings prints it or None)
EXPECTED_KEYS = {
    'listen-address': ('s', "'127.0.0.1'", None),
    'port': ('q', 'uint16 8080', 'range q 1 65535'),
    'sample-interval-ms': ('u', 'uint32 1000', 'range u 100 60000'),
    'demo-bot': ('b', 'true', None),
    'retention-days': ('u', 'uint32 90', 'range u 1 3650'),
    'cpu-alert-percent': ('d', '90.0', 'range d 1.0 100.0'),
    'cpu-alert-seconds': ('u', 'uint32 60', 'range u 1 86400'),
    'memory-alert-percent': ('d', '90.0', 'range d 1.0 100.0'),
    'disk-alert-percent': ('d', '90.0', 'range d 1.0 100.0'),
    'losing-streak': ('u', 'uint32 5', 'range u 1 10000'),
    'gas-spike-gwei': ('d', '200.0', 'range d 0.0 1000000.0'),
    'stale-after-seconds': ('u', 'uint32 15', 'range u 1 3600'),
    'chart-range': ('s', "'1h'", "enum '5m' '1h' '24h' '7d'"),
    'window-width': ('i', '1200', 'range i 1 32767'),
    'window-height': ('i', '800', 'range i 1 32767'),
    'window-maximized': ('b', 'false', None),
}

SECRET_WORDS = ('token', 'secret', 'password', 'key-file', 'api-key')

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def check_desktop(path, app_id):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    with open(path, encoding='utf-8') as f:
        parser.read_file(f)
    check(parser.has_section('Desktop Entry'), f'{path}: no [Desktop Entry] group')
    if not parser.has_section('Desktop Entry'):
        return
    entry = parser['Desktop Entry']
    check(entry.get('Icon') == app_id, f'{path}: Icon is {entry.get("Icon")!r}, not {app_id!r}')
    check(entry.get('Exec', '').split(' ')[0] == 'arbdash',
          f'{path}: Exec does not start arbdash')
    # No D-Bus service file is installed, so D-Bus activation would fail.
    check('DBusActivatable' not in entry, f'{path}: DBusActivatable without a service file')
    check(entry.get('Keywords', '').endswith(';'), f'{path}: Keywords must end with ";"')
    check('@' not in ''.join(entry.values()), f'{path}: an @variable@ was left unsubstituted')


def check_metainfo(path, app_id, version):
    root = ET.parse(path).getroot()
    check(root.tag == 'component' and root.get('type') == 'desktop-application',
          f'{path}: not a desktop-application component')
    check(root.findtext('id') == app_id, f'{path}: id is {root.findtext("id")!r}, not {app_id!r}')
    launchable = root.find("launchable[@type='desktop-id']")
    check(launchable is not None and launchable.text == app_id + '.desktop',
          f'{path}: launchable is not {app_id}.desktop')
    binaries = [b.text for b in root.findall('provides/binary')]
    check(binaries == ['arbdash'], f'{path}: provides {binaries}, not the arbdash binary')
    rating = root.find('content_rating')
    check(rating is not None and rating.get('type') == 'oars-1.1',
          f'{path}: no oars-1.1 content rating')
    versions = [r.get('version') for r in root.findall('releases/release')]
    # The newest release comes first; a version bump needs its release notes.
    check(versions[:1] == [version],
          f'{path}: newest release is {versions[:1]}, the project is {version}')
    shots = list(root.iter('screenshot'))
    # Flathub: screenshots of the real app, each with a caption, one the default
    check(len(shots) > 0, f'{path}: no screenshots')
    check(sum(1 for shot in shots if shot.get('type') == 'default') == 1,
          f'{path}: not exactly one default screenshot')
    for shot in shots:
        check(bool((shot.findtext('caption') or '').strip()),
              f'{path}: a screenshot has no caption')
        for image in shot.iter('image'):
            check((image.text or '').startswith('https://'),
                  f'{path}: screenshot image {image.text!r} is not an https URL')
            # the file it names is one of the repository's screenshots
            name = (image.text or '').rsplit('/', 1)[-1]
            check(os.path.isfile(os.path.join(SCREENSHOTS, name)),
                  f'{path}: screenshot {name} is not in docs/screenshots')
    developer = root.find('developer')
    check(developer is not None and bool(developer.get('id')) and
          bool(developer.findtext('name')), f'{path}: no developer with an id and a name')
    schemes = {c.get('scheme_preference') for c in root.findall("branding/color[@type='primary']")}
    check(schemes == {'light', 'dark'}, f'{path}: branding needs a light and a dark primary colour')
    check(root.find("requires/display_length") is not None or
          root.find("recommends/display_length") is not None,
          f'{path}: no display_length in requires or recommends')


def svg_root(path):
    root = ET.parse(path).getroot()
    check(root.tag == SVG + 'svg', f'{path}: not an SVG document')
    return root


def check_icon(path, size):
    root = svg_root(path)
    check(root.get('viewBox') == f'0 0 {size} {size}',
          f'{path}: viewBox is {root.get("viewBox")!r}, not 0 0 {size} {size}')
    check(any(True for _ in root.iter(SVG + 'path')), f'{path}: draws nothing')


def check_symbolic_icon(path):
    check_icon(path, 16)
    root = svg_root(path)
    for element in root.iter():
        name = element.tag.replace(SVG, '')
        if name in ('svg', 'title', 'desc'):
            continue
        fill = element.get('fill')
        # GTK recolours fills only, so a symbolic icon must be one fill colour.
        check(fill in (None, '#2e3436'), f'{path}: <{name}> has fill {fill!r}')
        check(element.get('stroke') in (None, 'none'), f'{path}: <{name}> has a stroke')
        check('style' not in element.attrib, f'{path}: <{name}> has a style attribute')


def gsettings(schema_dir, *args):
    result = subprocess.run(['gsettings', '--schemadir', schema_dir, *args],
                            capture_output=True, text=True, check=False)
    check(result.returncode == 0,
          f'gsettings {" ".join(args)} failed: {result.stderr.strip()}')
    return result.stdout.strip()


def check_schema(schema_dir):
    check(os.path.exists(os.path.join(schema_dir, 'gschemas.compiled')),
          f'{schema_dir}: no gschemas.compiled')
    keys = set(gsettings(schema_dir, 'list-keys', BASE_ID).split())
    check(keys == set(EXPECTED_KEYS),
          f'schema keys differ: missing {sorted(set(EXPECTED_KEYS) - keys)}, '
          f'unexpected {sorted(keys - set(EXPECTED_KEYS))}')
    for key in keys:
        check(not any(word in key for word in SECRET_WORDS),
              f'schema key {key!r} looks like a secret; secrets do not belong in GSettings')
    for key, (vtype, default, vrange) in EXPECTED_KEYS.items():
        if key not in keys:
            continue
        got_range = gsettings(schema_dir, 'range', BASE_ID, key).replace('\n', ' ')
        check(got_range.split(' ')[0] in ('type', 'range', 'enum'),
              f'{key}: unexpected range output {got_range!r}')
        if vrange is None:
            check(got_range == f'type {vtype}', f'{key}: type/range is {got_range!r}, '
                  f'expected type {vtype}')
        else:
            check(got_range == vrange, f'{key}: range is {got_range!r}, expected {vrange!r}')
        got_default = gsettings(schema_dir, 'get', BASE_ID, key)
        check(got_default == default, f'{key}: default is {got_default!r}, expected {default!r}')


def check_manifest(path):
    with open(path, encoding='utf-8') as f:
        manifest = json.load(f)
    check(manifest.get('id') == BASE_ID, f'{path}: id is {manifest.get("id")!r}')
    check(manifest.get('command') == 'arbdash', f'{path}: command is not arbdash')
    for arg in manifest.get('finish-args', []):
        # The database lives in the sandbox's own data directory.
        check(not arg.startswith('--filesystem='), f'{path}: {arg} is not needed')
    modules = manifest.get('modules', [])
    check(modules and modules[-1].get('name') == 'arbdash',
          f'{path}: arbdash must be the last module')
    for module in modules:
        for source in module.get('sources', []):
            if source.get('type') in ('archive', 'file') and 'url' in source:
                check(len(source.get('sha256', '')) == 64,
                      f'{path}: {source["url"]} has no sha256')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--app-id', required=True)
    parser.add_argument('--version', required=True)
    parser.add_argument('--desktop', required=True)
    parser.add_argument('--metainfo', required=True)
    parser.add_argument('--icon', required=True)
    parser.add_argument('--symbolic-icon', required=True)
    parser.add_argument('--schema-dir', required=True)
    parser.add_argument('--manifest', required=True)
    args = parser.parse_args()

    # The in-memory backend keeps the user's dconf out of it and `get` prints defaults.
    os.environ['GSETTINGS_BACKEND'] = 'memory'

    check_desktop(args.desktop, args.app_id)
    check_metainfo(args.metainfo, args.app_id, args.version)
    check_icon(args.icon, 128)
    check_symbolic_icon(args.symbolic_icon)
    check_schema(args.schema_dir)
    check_manifest(args.manifest)

    for message in failures:
        print(f'FAIL: {message}', file=sys.stderr)
    if failures:
        return 1
    print('desktop file, metainfo, icons, settings schema and Flatpak manifest agree')
    return 0


if __name__ == '__main__':
    sys.exit(main())
