#!/usr/bin/env bash
# Foundation figures, printed side by side:
#   1. release wasm size: raw, gzip, brotli;
#   2. cold start: process spawn to the first 200 from /readyz (median of 5);
#   3. requests per second for the home page and for /healthz, measured
#      alternately in one run with wrk on loopback (the ratio is the figure);
#      beside them the home page rendered afresh for every request
#      (`/?fresh=1`: a query string bypasses the anonymous-page micro-cache).
# Needs a release build: `cargo leptos build --release --precompress` (make run does it).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-3}
PORT=${BENCH_PORT:-3900}

command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 1; }
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="$target_dir/release/fairlink"
wasm=target/site/pkg/fairlink.wasm
[ -x "$bin" ] && [ -f "$wasm" ] || { echo "bench: build first: cargo leptos build --release --precompress"; exit 1; }

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }

echo "== wasm (release, $(date -u +%FT%TZ)) =="
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
if command -v brotli >/dev/null; then br=$(brotli -q 11 -c "$wasm" | wc -c); else br=0; fi
printf '  raw     %10s\n  gzip    %10s\n  brotli  %10s   (target: <= 250 KB)\n' "$(kb "$raw")" "$(kb "$gz")" "$(kb "$br")"
for f in target/site/pkg/fairlink.wasm.br target/site/pkg/fairlink.wasm.gz; do
  [ -f "$f" ] && printf '  served precompressed: %s (%s)\n' "$f" "$(kb "$(stat -c %s "$f")")"
done

data=$(mktemp -d "${TMPDIR:-/tmp}/fairlink-bench.XXXXXX")
export DATABASE_URL="sqlite://$data/fairlink.db?mode=rwc"
export FAIRLINK_ADDR="127.0.0.1:$PORT"
export LEPTOS_SITE_ROOT=target/site
export RUST_LOG=${RUST_LOG:-warn}
"$bin" seed-demo >/dev/null

echo "== cold start to /readyz (SQLite, demo fair seeded) =="
starts=()
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  "$bin" serve >"$data/serve.log" 2>&1 &
  pid=$!
  until curl -fs "http://$FAIRLINK_ADDR/readyz" >/dev/null 2>&1; do sleep 0.002; done
  t1=$(date +%s%N)
  starts+=($(( (t1 - t0) / 1000000 )))
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
sorted=$(printf '%s\n' "${starts[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)
echo "  runs (ms): $sorted"
echo "  median:    ${median} ms"

echo "== requests per second: home page vs /healthz (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, alternating, $ROUNDS rounds) =="
"$bin" serve >"$data/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
until curl -fs "http://$FAIRLINK_ADDR/readyz" >/dev/null 2>&1; do sleep 0.01; done
curl -fs "http://$FAIRLINK_ADDR/" | grep -q "Hội chợ Công nghiệp Hỗ trợ Hà Nội 2026" || { echo "bench: home page does not show the fair"; exit 1; }
rate() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://$FAIRLINK_ADDR$1" | awk '/Requests\/sec/ { print $2 }'; }
latency() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://$FAIRLINK_ADDR$1" | awk '/ 99%/ { print $2 }'; }
rate / >/dev/null  # warm-up
home_sum=0; health_sum=0
for r in $(seq 1 "$ROUNDS"); do
  h=$(rate /healthz); p=$(rate /); f=$(rate '/?fresh=1')
  printf '  round %d: /healthz %10.0f req/s   home %10.0f req/s   ratio %5.1f%%   (home rendered afresh: %.0f req/s)\n' \
    "$r" "$h" "$p" "$(awk -v p="$p" -v h="$h" 'BEGIN { print 100 * p / h }')" "$f"
  health_sum=$(awk -v a="$health_sum" -v b="$h" 'BEGIN { print a + b }')
  home_sum=$(awk -v a="$home_sum" -v b="$p" 'BEGIN { print a + b }')
done
printf '  mean:    /healthz %10.0f req/s   home %10.0f req/s   ratio %5.1f%%   (target: home >= 25%% of /healthz)\n' \
  "$(awk -v s="$health_sum" -v n="$ROUNDS" 'BEGIN { print s / n }')" \
  "$(awk -v s="$home_sum" -v n="$ROUNDS" 'BEGIN { print s / n }')" \
  "$(awk -v p="$home_sum" -v h="$health_sum" 'BEGIN { print 100 * p / h }')"
printf '  p99 latency: home %s, /healthz %s, home rendered afresh %s\n' "$(latency /)" "$(latency /healthz)" "$(latency '/?fresh=1')"
