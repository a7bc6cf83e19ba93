#!/usr/bin/env bash
# The desktop app's cost: CPU and RSS while it shows the Overview with the
# demo bot (a simulator) at 1 s sampling, then while minimised, then RSS over
# a longer run. Runs the release build under Xvfb with a window manager
# (openbox), so that minimising is real: the WM unmaps the window.
#
#   tests/bench/app-cpu.sh [--renderer default|gl|cairo] [--seconds 60] [--rss-minutes 10]
#
# default: the app's own choice (Cairo where OpenGL is a software rasteriser, as
# in Xvfb: see src/app/arb-renderer.c); gl or cairo: GSK_RENDERER forces one.
#
# Prints one line per phase and a JSON line per phase to bench-results/app.jsonl.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
top=$PWD
renderer=default
seconds=60
rss_minutes=10
while [ $# -gt 0 ]; do
  case "$1" in
    --renderer) renderer="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rss-minutes) rss_minutes="$2"; shift 2 ;;
    *) echo "usage: $0 [--renderer default|gl|cairo] [--seconds N] [--rss-minutes N]" >&2; exit 2 ;;
  esac
done
case "$renderer" in default|gl|cairo) ;; *) echo "renderer: default, gl or cairo" >&2; exit 2 ;; esac

build-aux/deps
need=()
command -v openbox >/dev/null || need+=(openbox)
command -v xdotool >/dev/null || need+=(xdotool)
command -v xprop >/dev/null || need+=(x11-utils)
command -v bc >/dev/null || need+=(bc)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi
[ -f _build-bench-app/build.ninja ] || meson setup _build-bench-app -Dgui=true --buildtype=release >&2
meson compile -C _build-bench-app >&2
mkdir -p bench-results
scratch=$(mktemp -d /tmp/arbdash-app-bench.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

export top scratch renderer seconds rss_minutes ARB_BENCH_ENV
xvfb-run -a -s "-screen 0 1280x860x24" dbus-run-session -- bash -c '
  set -euo pipefail
  hz=$(getconf CLK_TCK)
  openbox >/dev/null 2>&1 &
  wm=$!
  env=(GSETTINGS_SCHEMA_DIR="$top/_build-bench-app/data" GSETTINGS_BACKEND=memory)
  [ "$renderer" != default ] && env+=(GSK_RENDERER="$renderer")
  # more variables for an experiment, e.g. ARB_BENCH_ENV="GTK_A11Y=none"
  env+=(${ARB_BENCH_ENV:-})
  env "${env[@]}" "$top/_build-bench-app/src/arbdash" --db "$scratch/app.db" --port 0 \
    --sample-interval 1000 >"$scratch/app.log" 2>&1 &
  app=$!
  trap "kill $app $wm 2>/dev/null || true" EXIT

  ticks() { awk "{ print \$14 + \$15 }" /proc/$app/stat; }
  rss_kib() { awk "/^VmRSS/ { print \$2 }" /proc/$app/status; }
  # CPU (% of one core) and RSS over $1 seconds, printed and kept as JSON
  measure() {
    local phase=$1 t0 t1 w0 w1 cpu rss
    t0=$(ticks); w0=$(date +%s.%N)
    sleep "$seconds"
    t1=$(ticks); w1=$(date +%s.%N); rss=$(rss_kib)
    cpu=$(echo "($t1 - $t0) / $hz / ($w1 - $w0) * 100" | bc -l)
    printf "%-10s renderer=%s cpu=%.2f%% of a core over %ss, rss=%.1f MiB\n" \
      "$phase" "$renderer" "$cpu" "$seconds" "$(echo "$rss / 1024" | bc -l)"
    printf "{\"bench\":\"app\",\"phase\":\"%s\",\"renderer\":\"%s\",\"seconds\":%s,\"cpu_pct\":%.3f,\"rss_kib\":%s}\n" \
      "$phase" "$renderer" "$seconds" "$cpu" "$rss" >>"$top/bench-results/app.jsonl"
  }

  # the window is up, the demo bot trading and the sampler filling the views
  for _ in $(seq 100); do
    win=$(xdotool search --onlyvisible --class arbdash 2>/dev/null | head -n1 || true)
    [ -n "$win" ] && break
    sleep 0.2
  done
  [ -n "$win" ] || { echo "the window never showed" >&2; cat "$scratch/app.log" >&2; exit 1; }
  gdbus call --session --dest io.github.arbdash.Arbdash --object-path /io/github/arbdash/Arbdash \
    --method org.gtk.Actions.Activate show-page "[<\"overview\">]" "{}" >/dev/null
  sleep 20
  measure overview

  xdotool windowminimize --sync "$win"
  xprop -id "$win" WM_STATE | grep -q Iconic || { echo "not minimised" >&2; exit 1; }
  sleep 2
  measure minimised

  xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowmap --sync "$win"
  sleep 2
  measure restored

  # RSS every 10 s with the Overview showing
  start=$(rss_kib); samples=$((rss_minutes * 6)); min=$start; max=$start; r=$start
  for i in $(seq "$samples"); do
    sleep 10
    r=$(rss_kib)
    [ "$r" -lt "$min" ] && min=$r
    [ "$r" -gt "$max" ] && max=$r
    [ $((i % 6)) -eq 0 ] && printf "rss        %2d min: %.1f MiB\n" $((i / 6)) "$(echo "$r / 1024" | bc -l)"
  done
  printf "rss        over %s min: start %.1f MiB, end %.1f MiB, min %.1f, max %.1f\n" "$rss_minutes" \
    "$(echo "$start / 1024" | bc -l)" "$(echo "$r / 1024" | bc -l)" \
    "$(echo "$min / 1024" | bc -l)" "$(echo "$max / 1024" | bc -l)"
  printf "{\"bench\":\"app\",\"phase\":\"rss\",\"renderer\":\"%s\",\"minutes\":%s,\"start_kib\":%s,\"end_kib\":%s,\"min_kib\":%s,\"max_kib\":%s}\n" \
    "$renderer" "$rss_minutes" "$start" "$r" "$min" "$max" >>"$top/bench-results/app.jsonl"
'
