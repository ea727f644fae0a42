#!/usr/bin/env bash
# Check-in figures, in one run:
#   1. the core alone on SQLite: online verdicts per second and p50/p99 with
#      64 concurrent scanners over 20,000 badges, through the batching
#      gatekeeper and one transaction per scan, beside one-row write
#      transactions; a 10,000-scan offline upload, then the same again;
#   2. through HTTP (the release server, wrk on loopback, a scanner device's
#      bearer token): online verdicts at 64 connections on SQLite (one
#      instance) and on PostgreSQL (two instances, 32 connections each,
#      when a server answers at FAIRLINK_BENCH_PG_URL), /healthz beside them
#      as the baseline, and the 10,000-scan upload as one request.
#   BENCH_CLIENTS (64), BENCH_BADGES (20000), BENCH_SECONDS (5),
#   BENCH_QUEUE (10000), BENCH_DURATION (8s), BENCH_PORT (3930)
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
CLIENTS=${BENCH_CLIENTS:-64}
BADGES=${BENCH_BADGES:-20000}
QUEUE=${BENCH_QUEUE:-10000}
DURATION=${BENCH_DURATION:-8s}
PORT=${BENCH_PORT:-3930}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 1; }
cargo build --release --quiet -p fairlink --example badges_bench
cargo build --release --quiet -p fairlink-server --bin fairlink
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bench="$target_dir/release/examples/badges_bench"
server="$target_dir/release/fairlink"

"$bench" --clients "$CLIENTS" --badges "$BADGES" --seconds "${BENCH_SECONDS:-5}" --queue "$QUEUE"

work=$(mktemp -d "${TMPDIR:-/tmp}/fairlink-badges-http.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${pg_db:-}" ] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# serve NAME DATABASE_URL PORT: a release server, ready.
serve() {
  DATABASE_URL="$2" FAIRLINK_ADDR="127.0.0.1:$3" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn FAIRLINK_SYNC_RATE=0 \
    FAIRLINK_MAIL_DIR="$work/mail-$1" "$server" serve >"$work/serve-$1.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$3/readyz" >/dev/null 2>&1 && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "bench: the server stopped:"; tail -n 20 "$work/serve-$1.log"; exit 1; }
    sleep 0.05
  done
  echo "bench: the server did not get ready"; tail -n 20 "$work/serve-$1.log"; exit 1
}

# wrk_run CONNECTIONS URL [SCRIPT]: "requests/s p50 p99 non-2xx"
wrk_run() {
  local script=()
  [ -n "${3:-}" ] && script=(-s "$3")
  BENCH_DIR="$fixture" wrk -t2 -c"$1" -d"$DURATION" --latency "${script[@]}" "$2" |
    awk '/Requests\/sec/ { r = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
         /Non-2xx/ { bad = $NF } END { print r, p50, p99, bad + 0 }'
}

# upload PORT: seconds for the offline queue as one request, and the answer
upload() {
  curl -s -o "$work/upload.json" -w '%{time_total}' \
    -H "Authorization: Bearer $(cat "$fixture/device.txt")" -H 'Content-Type: application/json' \
    --data-binary "@$fixture/queue.json" \
    "http://127.0.0.1:$1/api/scanner/v1/fairs/$(cat "$fixture/fair.txt")/scans"
}

row() { printf '  %-40s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$@"; }

echo "== badges over HTTP: online verdicts ($CLIENTS connections, $BADGES badges, 4 gates, device token), /healthz as the baseline =="
fixture="$work/sqlite"
"$bench" --fixture "$fixture" --database "sqlite://$work/bench.db?mode=rwc" --badges "$BADGES" --queue "$QUEUE" | sed 's/^/  SQLite fixture:/'
serve sqlite "sqlite://$work/bench.db?mode=rwc" "$PORT"
# The upload first, on the fresh fixture (after the verdict load the
# database would be busy with its own checkpoints and vacuuming).
s=$(upload "$PORT")
printf '  SQLite upload of %s scans: %.2f s = %.0f scans/s   answer %s\n' "$QUEUE" "$s" "$(awk -v n="$QUEUE" -v s="$s" 'BEGIN { print n / s }')" "$(cat "$work/upload.json")"
wrk -t1 -c1 -d1s -s bench/verdict.lua "http://127.0.0.1:$PORT/api/scanner/v1/verdict" >/dev/null 2>&1 || true
read -r h h50 h99 hbad <<<"$(wrk_run "$CLIENTS" "http://127.0.0.1:$PORT/healthz")"
read -r v v50 v99 vbad <<<"$(wrk_run "$CLIENTS" "http://127.0.0.1:$PORT/api/scanner/v1/verdict" bench/verdict.lua)"
row "SQLite, 1 instance: /healthz" "$h" "$h50" "$h99" "$hbad"
row "SQLite, 1 instance: verdicts" "$v" "$v50" "$v99" "$vbad"
kill "${pids[0]}" 2>/dev/null || true

pg_admin=${FAIRLINK_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if psql -q "$pg_admin" -c 'SELECT 1' >/dev/null 2>&1; then
  pg_db="fairlink_badges_bench_$$"
  psql -q "$pg_admin" -c "CREATE DATABASE \"$pg_db\"" >/dev/null
  pg_url=$(echo "$pg_admin" | sed -E "s#/[^/?]*(\?|$)#/$pg_db\1#")
  fixture="$work/pg"
  "$bench" --fixture "$fixture" --database "$pg_url" --badges "$BADGES" --queue "$QUEUE" | sed 's/^/  PostgreSQL fixture:/'
  serve pg1 "$pg_url" $((PORT + 1))
  serve pg2 "$pg_url" $((PORT + 2))
  s=$(upload $((PORT + 1)))
  printf '  PostgreSQL upload of %s scans: %.2f s = %.0f scans/s   answer %s\n' "$QUEUE" "$s" "$(awk -v n="$QUEUE" -v s="$s" 'BEGIN { print n / s }')" "$(cat "$work/upload.json")"
  half=$((CLIENTS / 2))
  wrk_run "$half" "http://127.0.0.1:$((PORT + 1))/api/scanner/v1/verdict" bench/verdict.lua >"$work/a" &
  a=$!
  wrk_run "$half" "http://127.0.0.1:$((PORT + 2))/api/scanner/v1/verdict" bench/verdict.lua >"$work/b"
  wait "$a"
  read -r v1 p501 p991 bad1 <"$work/a"
  read -r v2 p502 p992 bad2 <"$work/b"
  row "PostgreSQL, instance 1 ($half conns): verdicts" "$v1" "$p501" "$p991" "$bad1"
  row "PostgreSQL, instance 2 ($half conns): verdicts" "$v2" "$p502" "$p992" "$bad2"
  printf '  PostgreSQL, 2 instances together:        %10.0f verdicts/s\n' "$(awk -v a="$v1" -v b="$v2" 'BEGIN { print a + b }')"
else
  echo "!! PostgreSQL at $pg_admin does not answer: its HTTP leg is SKIPPED"
fi
echo "  targets: >= 2,000 verdicts/s with p99 <= 20 ms on SQLite; upload >= 5,000 scans/s"
