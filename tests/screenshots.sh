#!/usr/bin/env bash
# Starts the app with the demo bot (a simulator) under Xvfb and saves a
# screenshot of each view, light and dark, to a folder.
#
#   tests/screenshots.sh [FOLDER]      # default: docs/screenshots
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
top=$PWD
out="$(realpath -m "${1:-docs/screenshots}")"
build-aux/deps
need=()
command -v xwd >/dev/null || need+=(x11-apps)
command -v convert-im6.q16 >/dev/null || need+=(imagemagick)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi
[ -f _build-shots/build.ninja ] || meson setup _build-shots -Dgui=true --buildtype=release >&2
meson compile -C _build-shots >&2
mkdir -p "$out"
scratch=$(mktemp -d /tmp/arbdash-shots.XXXXXX)
pages="overview system trading resources bots alerts log"

# Settings of a fresh user, but the charts on their shortest range: the demo bot's
# history is only minutes old when the shots are taken.
mkdir -p "$scratch/config/glib-2.0/settings"
printf "[io/github/arbdash/Arbdash]\nchart-range='5m'\n" > "$scratch/config/glib-2.0/settings/keyfile"

for scheme in light dark; do
  colour=default
  [ "$scheme" = dark ] && colour=prefer-dark
  xvfb-run -a -s "-screen 0 1280x860x24" dbus-run-session -- bash -c '
    set -e
    ADW_DEBUG_COLOR_SCHEME='"$colour"' GSETTINGS_SCHEMA_DIR="'"$top"'/_build-shots/data" \
      GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="'"$scratch"'/config" GSK_RENDERER=cairo \
      "'"$top"'/_build-shots/src/arbdash" --db "'"$scratch"'/'"$scheme"'.db" --port 0 >/dev/null 2>&1 &
    app=$!
    # let the demo bot trade and the sampler fill the views
    sleep 90
    for page in '"$pages"'; do
      gdbus call --session --dest io.github.arbdash.Arbdash --object-path /io/github/arbdash/Arbdash \
        --method org.gtk.Actions.Activate show-page "[<\"$page\">]" "{}" >/dev/null || continue
      sleep 2
      xwd -root -silent | convert-im6.q16 xwd:- -crop 1200x800+0+0 +repage \
        "'"$out"'/$page-'"$scheme"'.png"
      echo "'"$out"'/$page-'"$scheme"'.png"
    done
    kill $app; wait $app || true
  '
done
rm -rf "$scratch"
