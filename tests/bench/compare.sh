#!/usr/bin/env bash
# Compares two arbdash binaries in one run with ../shared/harness: ingest and
# fan-out, the binaries taking turns (A B A B ...) so that the machine's noise
# falls on both alike. One JSON line per run goes to bench-results/, each with
# "binary":"A"|"B"; a table of the figures is printed at the end.
#
#   tests/bench/compare.sh OLD_BIN NEW_BIN [ROUNDS]
#
# Build the old binary from a worktree of the commit to compare with, e.g.
#   git worktree add --detach ../base main~3 && meson setup ../base/_b --buildtype=release
#   meson compile -C ../base/_b && tests/bench/compare.sh ../base/_b/src/arbdash _build-bench/src/arbdash
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
top=$PWD
[ $# -ge 2 ] || { sed -n '2,12p' "$0"; exit 2; }
bin_a=$(realpath "$1")
bin_b=$(realpath "$2")
rounds="${3:-2}"
build-aux/deps --bench

harness_src="${ARBDASH_HARNESS:-$top/../shared/harness}"
[ -f "$harness_src/arbharness.js" ] || { echo "compare: no harness at $harness_src" >&2; exit 2; }
scratch=$(mktemp -d /tmp/arbdash-compare.XXXXXX)
cp -r "$harness_src" "$scratch/harness"
(cd "$scratch/harness" && npm ci --no-audit --no-fund >/dev/null)
harness="$scratch/harness/arbharness.js"

mkdir -p bench-results
out="$top/bench-results/compare-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
d="${DURATION:-10}"
port=18094
url="http://127.0.0.1:$port"
# tokens of the length the server requires (16 characters or more)
export ARBDASH_BOT_TOKEN=bench-bot-token-0123456789
export ARBDASH_VIEWER_TOKEN=bench-viewer-token-0123456789
export ARBDASH_OPERATOR_TOKEN=bench-operator-token-0123456789
pid=

start() {
  local bin="$1" db="$scratch/$2.db"
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin" --headless --no-demo --port "$port" --db "$db" > "$scratch/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$url/api/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "compare: the server did not start; see $scratch/server.log" >&2
  exit 1
}
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; pid=; }
trap 'stop' EXIT
h() {
  local tag="$1"; shift
  echo "+ [$tag] arbharness $*" >&2
  node "$harness" "$@" 2>>"$scratch/harness.log" | tail -n 1 |
    python3 -c "import json,sys; r=json.loads(sys.stdin.read()); r['binary']='$tag'; print(json.dumps(r))" |
    tee -a "$out" >/dev/null
}

for round in $(seq 1 "$rounds"); do
  for tag in A B; do
    bin=$bin_a; [ "$tag" = B ] && bin=$bin_b
    start "$bin" "ingest-$tag-$round"
    h "$tag" ingest --url "$url" --bots 1 --window 100 --duration "$d" --pid "$pid"
    h "$tag" ingest --url "$url" --bots 4 --window 100 --duration "$d" --pid "$pid"
    stop
    start "$bin" "fanout-$tag-$round"
    h "$tag" fanout --url "$url" --viewers 100 --rate 100 --max-rate-hz 10 --duration "$d" --pid "$pid"
    stop
  done
done

python3 - "$out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def fig(r):
    if r.get('mode') == 'ingest':
        return 'ingest %d bot(s)' % r.get('bots', 0), 'acked/s %.0f  ack p99 %.1f ms' % (
            r.get('acked_per_s', 0), (r.get('ack_latency_ms') or {}).get('p99', float('nan')))
    lat = r.get('delivery_latency_ms') or {}
    return 'fanout %d viewers' % r.get('viewers', 0), 'p50 %.1f ms  p99 %.1f ms  lost %s' % (
        lat.get('p50', float('nan')), lat.get('p99', float('nan')), r.get('lost'))
for r in rows:
    name, text = fig(r)
    print('%s  %-18s %s  ok=%s' % (r['binary'], name, text, r.get('ok')))
print('results in', sys.argv[1])
EOF
