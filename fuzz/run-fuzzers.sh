#!/usr/bin/env bash
# fuzz/run-fuzzers.sh FUZZ_BUILD SECONDS [LIM]
#
# Runs each libFuzzer harness built in FUZZ_BUILD (fuzz/CMakeLists.txt) for
# SECONDS, seeded from the repository's specs, ../shared/corpus and
# fuzz/seeds/ (LIM, a built lim, also exports the specs as fsm files for the
# fsm reader). Prints, per harness, executions, executions per second and
# coverage (edges reached of those instrumented); exits non-zero if any
# harness found a crash, whose input is left in FUZZ_BUILD/fuzz-findings/ —
# turn it into a regression test (tests/fuzz_regressions_test.cpp).
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=$2
lim=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
shared="$root/../shared/corpus"
work="$build/fuzz-work"
findings="$build/fuzz-findings"
rm -rf "$work"
mkdir -p "$work" "$findings"

seed() {  # seed NAME FILE…: copies the files into NAME's seed directory
  local directory="$work/seeds-$1"
  mkdir -p "$directory"
  shift
  local file
  for file in "$@"; do
    [ -f "$file" ] && cp "$file" "$directory/$(echo "$file" | tr '/' '_')"
  done
  return 0
}

mapfile -t specs < <(find "$root/specs" "$root/runtime" "$root/tests" -name '*.lim' | sort)
seed lim_parser_fuzzer "${specs[@]}"
if [ -d "$shared" ]; then
  mapfile -t contexts < <(find "$shared/mpstk" -name '*.ctx' -o -name '*.global' | sort)
  seed lim_parser_fuzzer "${contexts[@]}"
  mapfile -t kmc < <(grep -L '^[[:space:]]*\.outputs' "$shared"/kmc/*.txt "$shared"/kmc/benchmarks/*.txt | sort)
  mapfile -t fsm < <(grep -l '^[[:space:]]*\.outputs' "$shared"/kmc/*.txt "$shared"/kmc/benchmarks/*.txt | sort)
  seed kmc_fuzzer "${kmc[@]}"
  seed fsm_fuzzer "${fsm[@]}"
else
  echo "run-fuzzers: $shared is absent; seeding from the repository only"
fi
if [ -n "$lim" ]; then
  mkdir -p "$work/seeds-fsm_fuzzer"
  for spec in "$root"/specs/*.lim "$root"/specs/broken/*.lim; do
    "$lim" export --to fsm "$spec" -o "$work/seeds-fsm_fuzzer/$(basename "$spec").fsm" 2>/dev/null || true
  done
fi
seed guards_fuzzer "$root"/fuzz/seeds/guards/*
seed tcp_frame_fuzzer "$root"/fuzz/seeds/tcp_frame/*

status=0
printf '%-18s %10s %10s %16s\n' fuzzer executions exec/s "edges covered"
for fuzzer in lim_parser_fuzzer kmc_fuzzer fsm_fuzzer guards_fuzzer tcp_frame_fuzzer; do
  corpus="$work/corpus-$fuzzer"
  mkdir -p "$corpus" "$work/seeds-$fuzzer"
  log="$work/$fuzzer.log"
  # -rss_limit_mb and -timeout make a runaway input a finding too; the
  # dictionary-free defaults are enough for these grammars.
  if ! "$build/fuzz/$fuzzer" "$corpus" "$work/seeds-$fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
      -timeout=10 -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$findings/$fuzzer-" >"$log" 2>&1; then
    status=1
    echo "run-fuzzers: $fuzzer found a problem:"
    grep -E 'ERROR|SUMMARY|lim fuzz|Test unit written' "$log" | head -20 || tail -40 "$log"
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # An input that crashes while the seeds load leaves no coverage line.
  covered=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
  instrumented=$(grep -oE 'Loaded 1 modules +\([0-9]+ inline 8-bit counters' "$log" | grep -oE '[0-9]+ inline' | cut -d' ' -f1 || true)
  printf '%-18s %10s %10s %16s\n' "$fuzzer" "${executions:-?}" "${rate:-?}" "${covered:-?} of ${instrumented:-?}"
done
exit $status
