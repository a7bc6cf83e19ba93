#!/usr/bin/env bash
# Builds the libFuzzer targets in _build-fuzz (clang, ASan, UBSan) and runs each
# for a bounded time over a copy of its seed corpus.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS (or FUZZ_SECONDS) per target, default 20; TARGETs default to all of
# them (bot-message ingest-body stream-message query config proc). The corpus a
# run grows is kept in _build-fuzz/fuzz/TARGET/corpus for the next run
# (FUZZ_FRESH=1 starts again from the seeds); the committed seeds in
# tests/fuzz/corpus/TARGET are only read. FUZZ_ARGS adds libFuzzer options
# (e.g. FUZZ_ARGS=-jobs=2). ARB_FUZZ_STRICT_OUTPUT=1 also fails on output that
# is not valid UTF-8.
#
# Exits 0 when every target ran without a crash, a leak or a timeout; 1 when one
# left an artifact (its path and how to reproduce it are printed); 77 when
# clang or libFuzzer is missing (skipped).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

seconds="${FUZZ_SECONDS:-20}"
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi
all_targets=(bot-message ingest-body stream-message query config proc)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

declare -A dicts=(
  [bot-message]=json.dict [ingest-body]=json.dict [stream-message]=json.dict
  [query]=query.dict [config]=config.dict [proc]=proc.dict
)

skip() {
  echo "fuzz: skipped: $*" >&2
  exit 77
}

# clang, and libFuzzer with it (Debian: libclang-rt-14-dev)
command -v clang >/dev/null 2>&1 || skip "clang is not installed (build-aux/deps installs it)"
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput (const char *d, unsigned long n) { return 0; }\n' \
  > "$probe/probe.c"
clang -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" 2>"$probe/log" ||
  skip "clang cannot link libFuzzer ($(head -n 1 "$probe/log")); install libclang-rt-14-dev"

build=_build-fuzz
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dgui=false --buildtype=debugoptimized >/dev/null || exit 1
fi
meson compile -C "$build" $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") >/dev/null || {
  echo "fuzz: the build failed: meson compile -C $build" >&2
  exit 1
}

# the targets' databases and files: in RAM where there is some, and removed
# by us, as a target that crashes cannot
shm=/dev/shm
[ -w "$shm" ] || shm="${TMPDIR:-/tmp}"
export ARB_FUZZ_TMPDIR
ARB_FUZZ_TMPDIR="$(mktemp -d "$shm/arbdash-fuzz-run.XXXXXX")"
trap 'rm -rf "$probe" "$ARB_FUZZ_TMPDIR"' EXIT

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0
printf '%-16s %8s %8s %10s %8s %8s  %s\n' target seconds runs exec/s cpu-s corpus result
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz-$t"
  seeds="tests/fuzz/corpus/$t"
  work="$build/fuzz/$t"
  [ -x "$bin" ] && [ -d "$seeds" ] || { echo "fuzz: no target $t" >&2; failed=1; continue; }
  [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work/corpus"
  rm -rf "$work/artifacts"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -n "$seeds"/* "$work/corpus/"
  # real, user and system seconds of the run, from bash's time
  TIMEFORMAT='%R %U %S'
  { time "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -print_final_stats=1 -dict="tests/fuzz/${dicts[$t]}" \
      -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} "$work/corpus" \
      >"$work/log" 2>&1; } 2>"$work/time"
  rc=$?
  read -r real user sys < "$work/time"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
  n=$(find "$work/corpus" -type f | wc -l)
  artifacts=$(find "$work/artifacts" -type f | sort)
  result=ok
  if [ -n "$artifacts" ] || [ $rc -ne 0 ]; then
    result=FAILED
    failed=1
  fi
  printf '%-16s %8.1f %8s %10s %8s %8s  %s\n' "$t" "$real" "${runs:-?}" "${rate:-?}" "$cpu" "$n" \
    "$result"
  grep -a '^fuzz: libsoup refused' "$work/log" | tail -n 1 | sed 's/^/    /'
  if [ "$result" = FAILED ]; then
    grep -aE 'ERROR|SUMMARY|runtime error|CRITICAL|fuzz:' "$work/log" | head -n 5 | sed 's/^/    /'
    for a in $artifacts; do
      echo "    artifact: $a (reproduce: $bin $a)"
    done
    echo "    log: $work/log"
  fi
done
exit $failed
