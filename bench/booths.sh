#!/usr/bin/env bash
# Booth booking figures, in one run:
#   1. hold + confirm under contention (50 clients): bookings per second and
#      p50/p99 of one hold + confirm, beside one-row write transactions on
#      the same database; 1,000 concurrent holds racing for the last 100
#      booths; the allocator beside a naive first-come first-fit — on SQLite
#      (one instance) and on PostgreSQL (two instances on one database) when
#      a server answers at FAIRLINK_BENCH_PG_URL
#      (default postgres://postgres@127.0.0.1:5432/postgres);
#   2. the floor plan page of a 500-booth hall, rendered on the server:
#      requests per second and latency beside /healthz (wrk on loopback, page
#      cache off), and milliseconds per render with one connection and with
#      50 sequential curl requests.
#   BENCH_DURATION (8s), BENCH_CONNECTIONS (32), BENCH_PORT (3920),
#   BENCH_CLIENTS (50), BENCH_BOOTHS (2000), BENCH_BOOKINGS (1500),
#   BENCH_PLAN_BOOTHS (500)
# Exits non-zero when the race lets a booth be claimed twice (or any other
# check of the bench fails), after printing every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
DURATION=${BENCH_DURATION:-8s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-3920}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 1; }
cargo build --release --quiet -p fairlink --example booths_bench
cargo build --release --quiet -p fairlink-server --bin fairlink
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bench="$target_dir/release/examples/booths_bench"

# PostgreSQL: used when something listens at the URL's host and port.
pg_url=${FAIRLINK_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
shown=$(echo "$pg_url" | sed -E 's#(://[^:@/]*):[^@/]*@#\1:***@#')
hostport=$(echo "$pg_url" | sed -E 's#^[a-z]+://##; s#^[^@/]*@##; s#[/?].*$##')
pg_host=${hostport%:*}
pg_port=${hostport##*:}
[ "$pg_port" = "$hostport" ] && pg_port=5432
[ -n "$pg_host" ] || pg_host=127.0.0.1
if (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null; then
  pg="$pg_url"
else
  pg=""
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!! PostgreSQL at $shown does not answer:"
  echo "!! the PostgreSQL legs (two instances) are SKIPPED; SQLite only."
  echo "!! Set FAIRLINK_BENCH_PG_URL to a server where this user may CREATE DATABASE."
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi
status=0
"$bench" --pg "$pg" \
  --clients "${BENCH_CLIENTS:-50}" \
  --booths "${BENCH_BOOTHS:-2000}" \
  --bookings "${BENCH_BOOKINGS:-1500}" || status=$?

# The floor plan page.
out=$("$bench" --plan-fixture --keep --plan-booths "${BENCH_PLAN_BOOTHS:-500}")
echo "$out" | grep -v '^database kept at\|^plan path'
url=$(echo "$out" | sed -n 's/^database kept at //p')
plan=$(echo "$out" | sed -n 's/^plan path //p')
[ -n "$url" ] && [ -n "$plan" ] || { echo "bench: the plan fixture printed no database or path"; exit 1; }
dir=$(dirname "$(echo "$url" | sed -E 's#^sqlite://##; s#\?.*##')")

export DATABASE_URL="$url" FAIRLINK_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
  FAIRLINK_MAIL_DIR="$dir/mail" FAIRLINK_PAGE_CACHE_SECONDS=0
"$target_dir/release/fairlink" serve >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do
  curl -fs "http://$FAIRLINK_ADDR/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "bench: the server stopped:"; tail -n 20 "$dir/serve.log"; exit 1; }
  sleep 0.05
done
curl -fs "http://$FAIRLINK_ADDR/readyz" >/dev/null || { echo "bench: the server did not get ready"; tail -n 20 "$dir/serve.log"; exit 1; }

page="http://$FAIRLINK_ADDR$plan"
code=$(curl -s -o "$dir/plan.html" -w '%{http_code}' "$page")
[ "$code" = 200 ] || { echo "bench: GET $plan answered $code"; exit 1; }
grep -q '<svg' "$dir/plan.html" || { echo "bench: GET $plan has no server-rendered SVG"; exit 1; }
size=$(stat -c %s "$dir/plan.html")

# rate, p50 and p99 of one wrk run: measure CONNECTIONS URL
measure() {
  local c=$1 t=2
  [ "$c" -lt 2 ] && t=1
  wrk -t"$t" -c"$c" -d"$DURATION" --latency "$2" |
    awk '/Requests\/sec/ { r = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { print r, p50, p99 }'
}
wrk -t1 -c1 -d2s "$page" >/dev/null  # warm-up
echo "== floor plan page, hall of ${BENCH_PLAN_BOOTHS:-500} booths rendered on the server, vs /healthz (wrk -c$CONNECTIONS -d$DURATION, page cache off) =="
read -r h1 h1_50 h1_99 <<<"$(measure "$CONNECTIONS" "http://$FAIRLINK_ADDR/healthz")"
read -r p p_50 p_99 <<<"$(measure "$CONNECTIONS" "$page")"
read -r h2 h2_50 h2_99 <<<"$(measure "$CONNECTIONS" "http://$FAIRLINK_ADDR/healthz")"
read -r one one_50 one_99 <<<"$(measure 1 "$page")"
h=$(awk -v a="$h1" -v b="$h2" 'BEGIN { print (a + b) / 2 }')
times=$(for _ in $(seq 1 50); do curl -s -o /dev/null -w '%{time_total}\n' "$page"; done | sort -n)
median=$(echo "$times" | awk '{ a[NR] = $1 } END { print 1000 * (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
mean=$(echo "$times" | awk '{ s += $1 } END { print 1000 * s / NR }')
printf '  /healthz                          %10.0f req/s   p50 %8s   p99 %8s   (before %.0f, after %.0f)\n' "$h" "$h1_50" "$h1_99" "$h1" "$h2"
printf '  plan page, %3d connections        %10.0f req/s   p50 %8s   p99 %8s   %5.1f%% of /healthz\n' "$CONNECTIONS" "$p" "$p_50" "$p_99" "$(awk -v p="$p" -v h="$h" 'BEGIN { print 100 * p / h }')"
printf '  plan page, 1 connection           %10.0f req/s   p50 %8s   p99 %8s   = %.1f ms per render\n' "$one" "$one_50" "$one_99" "$(awk -v r="$one" 'BEGIN { print (r > 0 ? 1000 / r : 0) }')"
printf '  plan page, 50 sequential curls    mean %.1f ms, median %.1f ms per render   (page %.0f KB)\n' "$mean" "$median" "$(awk -v b="$size" 'BEGIN { print b / 1024 }')"
exit "$status"
