#!/usr/bin/env bash
# Fuzzing figures, the long run: every fuzz target (fuzz/fuzz_targets: badge
# codes, tax codes, firm imports, floor plans, the scheduler's and the
# allocator's files, scanner and form bodies, uploads) under libFuzzer for
# FAIRLINK_FUZZ_SECONDS each, through scripts/fuzz.sh: per target the
# seconds, the inputs executed and their rate, and what was found (crash,
# hang, leak, out of memory), then the totals; for each finding the input
# and the command that replays it.
#   bench/fuzz.sh [TARGET ...]
#   FAIRLINK_FUZZ_SECONDS (300), FAIRLINK_FUZZ_TARGET_DIR (target/fuzz),
#   FAIRLINK_FUZZ_TIMEOUT (10)
# Exits non-zero when any target found a problem, after printing every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/fuzz.sh "${FAIRLINK_FUZZ_SECONDS:-300}" "$@"
