#!/usr/bin/env bash
# Check-in figures, in one run (SQLite, the core without HTTP): online
# verdicts per second and p50/p99 with 64 concurrent scanners over 20,000
# badges, beside one-row write transactions; the upload of a 10,000-scan
# offline queue, then the same upload again.
#   BENCH_CLIENTS (64), BENCH_BADGES (20000), BENCH_SECONDS (5), BENCH_QUEUE (10000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p fairlink --example badges_bench
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
exec "$target_dir/release/examples/badges_bench" \
  --clients "${BENCH_CLIENTS:-64}" \
  --badges "${BENCH_BADGES:-20000}" \
  --seconds "${BENCH_SECONDS:-5}" \
  --queue "${BENCH_QUEUE:-10000}"
