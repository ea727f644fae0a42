#!/usr/bin/env bash
# The acceptance figures of running beyond one machine, in one run: the
# mixed workload of a fair's busy hour (browse the catalogue, view the floor
# plan, hold and confirm a booth, scan a badge, request a meeting) over HTTP
# against real release `fairlink serve` processes:
#   1. SQLite, one instance;
#   2. PostgreSQL, one instance;
#   3. PostgreSQL, two instances on one database, requests alternating.
# Each leg prints operations per second, p50/p99 per operation, errors, the
# CPU used by the instances, PostgreSQL and the load generator, and the
# invariant checks (no double booking, no double admission, every answered
# write recorded, each mail received once by a real SMTP server). Exits
# non-zero when a check fails, after printing every figure.
#   BENCH_SECONDS (20), BENCH_WARMUP (3), BENCH_CLIENTS (48), BENCH_LEGS (sqlite,pg1,pg2),
#   FAIRLINK_BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres; a user
#   who may CREATE DATABASE; empty: the PostgreSQL legs are skipped)
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
python3 -c 'import aiosmtpd' 2>/dev/null || { echo "bench: aiosmtpd is missing (. scripts/setup.sh; setup_smtp)"; exit 1; }
cargo build --release --quiet -p fairlink-server --example scale_bench --bin fairlink
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
exec "$target_dir/release/examples/scale_bench" --server "$target_dir/release/fairlink" \
  --pg "${FAIRLINK_BENCH_PG_URL-postgres://postgres@127.0.0.1:5432/postgres}" \
  --legs "${BENCH_LEGS:-sqlite,pg1,pg2}" \
  --seconds "${BENCH_SECONDS:-20}" --warmup "${BENCH_WARMUP:-3}" --clients "${BENCH_CLIENTS:-48}"
