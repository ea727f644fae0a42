#!/usr/bin/env bash
# Outbox throughput (messages per second to a local SMTP server) beside
# lettre sending directly, in one run. The SMTP server is aiosmtpd with a
# handler that accepts and discards, so both sides measure the sender.
#   BENCH_MESSAGES (2000), BENCH_CONCURRENCY (8), BENCH_ROUNDS (2),
#   BENCH_DATABASE (default: a fresh SQLite file; or postgres://...)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_smtp
port=${BENCH_SMTP_PORT:-2626}
"${FAIRLINK_TEST_PYTHON:-python3}" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Sink &
smtp=$!
trap 'kill $smtp 2>/dev/null || true' EXIT
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.05; done
cargo run --release --quiet -p fairlink-server --example mail_bench -- \
  --smtp "smtp://127.0.0.1:$port" \
  --messages "${BENCH_MESSAGES:-2000}" \
  --concurrency "${BENCH_CONCURRENCY:-8}" \
  --rounds "${BENCH_ROUNDS:-2}" \
  ${BENCH_DATABASE:+--database "$BENCH_DATABASE"}
