#!/usr/bin/env bash
# Reproduces the figures of the issues with ../shared/harness: builds a
# release arbdash, starts it on a fresh database for each group and runs the
# harness. Results (one JSON line per run) go to bench-results/DATE.jsonl.
#
#   tests/bench/harness.sh            # ingest, crash, badinput, idle
#   QUICK=1 tests/bench/harness.sh    # shorter runs
#   ARBDASH_HARNESS=/path/to/harness tests/bench/harness.sh
#
# The machine is shared and noisy: compare figures within one run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
top=$PWD
build-aux/deps --bench

harness_src="${ARBDASH_HARNESS:-$top/../shared/harness}"
[ -f "$harness_src/arbharness.js" ] || { echo "bench: no harness at $harness_src" >&2; exit 2; }
scratch=$(mktemp -d /tmp/arbdash-bench.XXXXXX)
# the harness folder may be read-only: work on a copy
cp -r "$harness_src" "$scratch/harness"
(cd "$scratch/harness" && npm ci --no-audit --no-fund >/dev/null)
harness="$scratch/harness/arbharness.js"

[ -f _build-bench/build.ninja ] || meson setup _build-bench --buildtype=release >/dev/null
meson compile -C _build-bench >/dev/null
bin="$top/_build-bench/src/arbdash"

mkdir -p bench-results
out="$top/bench-results/$(date -u +%Y%m%dT%H%M%SZ).jsonl"
d=10; [ "${QUICK:-0}" = 1 ] && d=3
port=18090
url="http://127.0.0.1:$port"
# at least 16 characters each: arbdash refuses to start with shorter ones
export ARBDASH_BOT_TOKEN=bench-bot-secret-0123456789 ARBDASH_VIEWER_TOKEN=bench-viewer-secret-0123456789 \
  ARBDASH_OPERATOR_TOKEN=bench-operator-secret-0123456789
pid=

start() {
  local db="$scratch/$1.db"
  shift
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin" --headless --port "$port" --db "$db" "$@" > "$scratch/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "$url/api/v1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: the server did not start; see $scratch/server.log" >&2
  exit 1
}
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; pid=; }
trap 'stop' EXIT
h() {
  echo "+ arbharness $*" >&2
  node "$harness" "$@" 2>>"$scratch/harness.log" | tail -n 1 | tee -a "$out"
}

start ingest --no-demo
h ingest --url "$url" --bots 1 --window 100 --duration "$d" --pid "$pid"
h ingest --url "$url" --bots 4 --window 100 --duration "$d" --pid "$pid"
h ingest --url "$url" --bots 1 --window 1000 --rate 1000 --duration "$d" --pid "$pid"
stop

start badinput
h badinput --url "$url" --no-markdown
stop

rm -f "$scratch/crash.db"*
h crash --url "$url" --server-cmd "exec $bin --headless --port $port --db $scratch/crash.db" \
  --kills 5 --bots 2 --window 100 --no-viewer --server-log "$scratch/crash.log"

# kill -9 to healthy on the crash test's database, polled every millisecond
echo "+ restart.js" >&2
node "$top/tests/bench/restart.js" "$bin" "$scratch/crash.db" "$port" 5 | tee -a "$out"

# idle: the demo bot at 1 s sampling, no clients; CPU and RSS from /proc
start idle
idle_s=$(( ${QUICK:-0} == 1 ? 20 : 60 ))
clk=$(getconf CLK_TCK)
sleep 5
t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
sleep "$idle_s"
t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
python3 -c "import json;print(json.dumps({'mode':'idle','seconds':$idle_s,'cpu_pct':round(100*($t1-$t0)/$clk/$idle_s,2),'rss_mib':round($rss/1024,1)}))" | tee -a "$out"
stop
echo "bench: results in $out" >&2
