#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line speaks German and French for real: the built arbdash, run
with LANGUAGE=xx, LC_ALL=C.UTF-8 (gettext ignores LANGUAGE in the C locale) and
ARBDASH_LOCALEDIR at the build tree's .mo files, prints its --help, an option's
error and the headless start-up and shutdown in that language. Pointed at an
empty folder instead, it speaks English: the catalog is what translates.

  check-translations.py ARBDASH_BIN BUILD_LOCALEDIR

Output is TAP."""
import os
import signal
import subprocess
import sys
import tempfile
import time

BIN, LOCALEDIR = sys.argv[1], sys.argv[2]
WAIT_S = 30

# per language: what --help, a bad --port and a headless start must show
EXPECT = {
    'de': {
        'help': ['Den Server ohne Fenster ausführen',
                 'Ein Echtzeit-Dashboard für Arbitrage-Handelsbots.',
                 '--db=PFAD',
                 'Die Version ausgeben und beenden'],
        'bad_port': 'arbdash: --port muss zwischen 0 und 65535 liegen',
        'banner': ': stellt http://127.0.0.1:',
        'no_tokens': 'Es sind keine Token eingerichtet',
        'sign_in': 'arbdash: Mit einem Browser anmelden (einmalig, innerhalb von 10 Minuten): http://',
        'shutdown': 'arbdash: wird beendet',
    },
    'fr': {
        'help': ['Lancer le serveur sans fenêtre',
                 'Un tableau de bord en temps réel pour robots de trading d’arbitrage.',
                 '--db=CHEMIN',
                 'Afficher la version et quitter'],
        'bad_port': 'arbdash\u00a0: --port doit être compris entre 0 et 65535',
        'banner': '\u00a0: sert http://127.0.0.1:',
        'no_tokens': 'aucun jeton n’est configuré',
        'sign_in': 'arbdash\u00a0: connectez-vous avec un navigateur (une seule fois, dans les 10 minutes)\u00a0: http://',
        'shutdown': 'arbdash\u00a0: arrêt en cours',
    },
}

results = []


def check(name, condition, detail=''):
    results.append(condition)
    print(f'{"ok" if condition else "not ok"} {len(results)} - {name}')
    if not condition and detail:
        print('# ' + detail.replace('\n', '\n# '))


def environment(home, language, localedir):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('LC_', 'LANG', 'ARBDASH_')) and k not in ('DISPLAY', 'WAYLAND_DISPLAY')}
    env.update({
        'HOME': home,
        'XDG_CONFIG_HOME': os.path.join(home, 'config'),
        'XDG_DATA_HOME': os.path.join(home, 'data'),
        'LC_ALL': 'C.UTF-8',
        'LANGUAGE': language,
        'ARBDASH_LOCALEDIR': localedir,
    })
    return env


def run(args, env):
    return subprocess.run([BIN] + args, env=env, capture_output=True, text=True, timeout=WAIT_S)


def headless(env, home):
    """Starts arbdash --headless, waits for its sign-in line, stops it with SIGTERM.
    Returns (stdout, stderr, exit status)."""
    db = os.path.join(home, 'arbdash.db')
    proc = subprocess.Popen([BIN, '--headless', '--no-demo', '--port', '0', '--db', db],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = ''
    deadline = time.monotonic() + WAIT_S
    try:
        # the sign-in link is the banner's last line
        while '#login=' not in out and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, err = proc.communicate()
    return out + rest, err, proc.returncode


with tempfile.TemporaryDirectory(prefix='arbdash-i18n-') as home:
    empty = os.path.join(home, 'no-catalogs')
    os.mkdir(empty)
    for language, expect in EXPECT.items():
        env = environment(home, language, LOCALEDIR)
        r = run(['--help'], env)
        for text in expect['help']:
            check(f'{language}: --help shows "{text}"', r.returncode == 0 and text in r.stdout, r.stdout)
        r = run(['--headless', '--port', '70000'], env)
        check(f'{language}: a bad --port is refused in {language}',
              r.returncode == 2 and expect['bad_port'] in r.stderr, r.stderr)
        out, err, status = headless(env, home)
        for key in ('banner', 'no_tokens', 'sign_in'):
            check(f'{language}: the headless start shows "{expect[key]}"', expect[key] in out, out + err)
        check(f'{language}: SIGTERM says "{expect["shutdown"]}" and exits 0',
              status == 0 and expect['shutdown'] in err, f'exit {status}\n{err}')
    # the control: the same run without the catalogs is English
    r = run(['--help'], environment(home, 'de', empty))
    check('without the catalogs --help is English', r.returncode == 0 and
          'Run the server without a window' in r.stdout and '--db=PATH' in r.stdout, r.stdout)

print(f'1..{len(results)}')
sys.exit(0 if all(results) else 1)
