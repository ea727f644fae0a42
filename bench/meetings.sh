#!/usr/bin/env bash
# Meeting scheduler figures, in one run: for each generated instance (small:
# 600 requests, 8 slots; large: 12,000 requests, 500 buyers, 2,000
# suppliers, 16 slots, 120 tables; extra-large: 40,000 requests, 24 slots),
# the scheduled weight, the upper bound from the linear relaxation, their
# ratio and the seconds taken, beside the plain greedy (heaviest request
# first, first feasible slot) and its ratio to the same bound; then the
# re-scheduling time after one cancellation and after one new request.
# The generator is described in src/meetings/generate.rs.
#   bench/schedule.sh [small] [large] [extra-large] [--seed N]
# Exits non-zero if any schedule breaks a rule.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p fairlink --no-default-features --example meetings_bench
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
exec "$target_dir/release/examples/meetings_bench" "$@"
