#!/usr/bin/env bash
# Fuzzes every parser of outside input with libFuzzer for a while each
# (fuzz/fuzz_targets: badge codes, tax codes, firm imports, floor plans, the
# scheduler's and the allocator's files, scanner and form bodies, uploads)
# and prints, per target, the inputs tried, their rate and what was found.
#
# Stable Rust is enough, cargo-fuzz is not needed: the coverage flags below
# are the ones cargo-fuzz passes, less the sanitizer (nightly only).
# Overflow checks and debug assertions stay on (fuzz/Cargo.toml), so a
# wrapped number or a broken invariant still stops a target. libfuzzer-sys
# compiles libFuzzer itself, which needs a C++ compiler (g++).
#   scripts/fuzz.sh [SECONDS per target, default 10] [TARGET ...]
#   FAIRLINK_FUZZ_TARGET_DIR (target/fuzz), FAIRLINK_FUZZ_TIMEOUT (10: the
#   seconds one input may take before it counts as a hang)
# Each target starts from its committed seeds (fuzz/corpus/TARGET), copied:
# what it finds on the way is not written back.
# Exits non-zero when any target crashes, hangs, leaks or runs out of memory,
# after running all of them, printing the input that did it and the command
# that replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\n\033[1;31mfuzz: %s\033[0m\n' "$*" >&2; exit 1; }

seconds=${1:-10}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "seconds must be a whole number above 0, not '$seconds'"
if [ $# -gt 0 ]; then
  shift
fi
timeout=${FAIRLINK_FUZZ_TIMEOUT:-10}
target_dir=${FAIRLINK_FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/fuzz}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/fuzz_targets/*.rs; do
    targets+=("$(basename "$source" .rs)")
  done
fi
for t in "${targets[@]}"; do
  [ -f "fuzz/fuzz_targets/$t.rs" ] || die "no fuzz target '$t' (see fuzz/fuzz_targets)"
done

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs)"
if ! command -v "${CXX:-c++}" >/dev/null; then
  command -v g++ >/dev/null || die "a C++ compiler is missing (apt-get install g++): libfuzzer-sys builds libFuzzer with it"
  export CXX=g++
fi

# The fuzz crate is a workspace of its own with its own lock file. The first
# build starts from the main lock file, so the core is fuzzed with the
# dependency versions it is tested with; after that the lock is kept as is.
locked=()
if [ -f fuzz/Cargo.lock ]; then
  locked=(--locked)
else
  cp Cargo.lock fuzz/Cargo.lock
fi

# Coverage as cargo-fuzz instruments it. --target keeps the flags off build
# scripts and proc macros, which run at build time without libFuzzer and
# would not link with them.
host=$(rustc -vV | sed -n 's/^host: //p')
flags=(
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  --cfg fuzzing
)
say "building ${#targets[@]} fuzz targets (release, coverage; the first build takes a while)"
unset CARGO_ENCODED_RUSTFLAGS
RUSTFLAGS="${flags[*]}" CARGO_TARGET_DIR="$target_dir" \
  cargo build --release --manifest-path fuzz/Cargo.toml --bins --target "$host" \
  ${locked[@]+"${locked[@]}"}
bin_dir=$target_dir/$host/release

work=$(mktemp -d "${TMPDIR:-/tmp}/fairlink-fuzz.XXXXXX")
say "fuzzing each target for $seconds s (inputs, logs and findings in $work)"
printf '%-14s %8s %12s %9s  %s\n' target seconds executions exec/s result
declare -A result
failed=()
total_runs=0
total_seconds=0
for t in "${targets[@]}"; do
  corpus=$work/corpus/$t
  mkdir -p "$corpus"
  if [ -d "fuzz/corpus/$t" ]; then
    cp -R "fuzz/corpus/$t/." "$corpus/"
  fi
  log=$work/$t.log
  started=$SECONDS
  status=0
  "$bin_dir/$t" -max_total_time="$seconds" -timeout="$timeout" -print_final_stats=1 \
    -artifact_prefix="$work/$t-" "$corpus" >"$log" 2>&1 || status=$?
  took=$((SECONDS - started))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ "$status" -eq 0 ]; then
    result[$t]=ok
  elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then
    result[$t]=timeout
  elif grep -qE 'ERROR: libFuzzer: out-of-memory|memory allocation of [0-9]+ bytes failed' "$log"; then
    result[$t]=oom
  elif grep -qE 'ERROR: (LeakSanitizer|libFuzzer: .*leak)' "$log"; then
    result[$t]=leak
  elif grep -qE 'ERROR: libFuzzer: (deadly signal|fuzz target exited)|panicked at' "$log"; then
    result[$t]=crash
  else
    result[$t]="failed (exit $status)"
  fi
  [ "${result[$t]}" = ok ] || failed+=("$t")
  total_runs=$((total_runs + ${runs:-0}))
  total_seconds=$((total_seconds + took))
  printf '%-14s %8s %12s %9s  %s\n' "$t" "$took" "${runs:-?}" "${rate:-?}" "${result[$t]}"
done
printf '%-14s %8s %12s %9s  %s\n' total "$total_seconds" "$total_runs" - \
  "${#failed[@]} of ${#targets[@]} targets found a problem"

if [ ${#failed[@]} -eq 0 ]; then
  rm -rf "$work"
  exit 0
fi
for t in "${failed[@]}"; do
  log=$work/$t.log
  input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  printf '\n\033[1;31m%s: %s\033[0m\n' "$t" "${result[$t]}"
  # The panic message when there is one, else the end of the log.
  grep -m 1 -A 4 'panicked at' "$log" || tail -n 15 "$log"
  if [ -n "$input" ] && [ -f "$input" ]; then
    echo "input ($(wc -c <"$input") bytes, first 300 shown): $input"
    head -c 300 "$input" | cat -v
    echo
    echo "replay: $bin_dir/$t $input"
  fi
  echo "log:    $log"
done
exit 1
