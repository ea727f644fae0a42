#!/usr/bin/env bash
# Catalogue search over 10,000 generated firms: server time of 20 typical
# queries (p50, p99, in-process), then requests per second for the
# catalogue page beside /healthz in one run (wrk on loopback): rotating
# over 20 searches (served from the anonymous-page micro-cache after their
# first hit), and with a new address on every request (rendered afresh).
#   BENCH_DURATION (8s), BENCH_CONNECTIONS (32), BENCH_DATABASE (SQLite file by default)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-8s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-3910}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 1; }
cargo build --release --quiet -p fairlink-server --example catalogue_bench --bin fairlink
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
out=$("$target_dir/release/examples/catalogue_bench" --keep ${BENCH_DATABASE:+--database "$BENCH_DATABASE"})
echo "$out" | grep -v '^database kept at'
url=$(echo "$out" | sed -n 's/^database kept at //p')
dir=$(dirname "$(echo "$url" | sed -E 's#^sqlite://##; s#\?.*##')")

export DATABASE_URL="$url" FAIRLINK_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn FAIRLINK_MAIL_DIR="$dir/mail" FAIRLINK_SEARCH_RATE=0
"$target_dir/release/fairlink" serve >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; case "$url" in sqlite*) rm -rf "$dir";; esac' EXIT
until curl -fs "http://$FAIRLINK_ADDR/readyz" >/dev/null 2>&1; do sleep 0.05; done

cat >"$dir/rotate.lua" <<'LUA'
local queries = { "nhua", "co+khi+chinh+xac", "die+casting", "duc+ap+luc", "thang+long", "dong+anh", "gearbox",
  "8708", "cam+bien", "japan", "han+quoc", "rubber", "cotton", "khoa+keo", "pcb", "&market=jp", "&sector=high_tech",
  "&certificate=iso_9001", "&province=bac_ninh", "ha+noi" }
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/exhibitors?q=" .. queries[(i % #queries) + 1])
end
LUA
cat >"$dir/fresh.lua" <<'LUA'
local queries = { "nhua", "co+khi", "die+casting", "thang+long", "japan", "rubber" }
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/exhibitors?q=" .. queries[(i % #queries) + 1] .. "&n=" .. i .. "-" .. math.random(1000000))
end
LUA
rate() { wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$@" | awk '/Requests\/sec/ { print $2 }'; }
curl -fs "http://$FAIRLINK_ADDR/exhibitors?q=nhua" | grep -q 'exhibitors\|doanh nghiệp' || { echo "bench: the catalogue page is broken"; exit 1; }
rate "http://$FAIRLINK_ADDR/healthz" >/dev/null
echo "== catalogue page vs /healthz (wrk -t2 -c$CONNECTIONS -d$DURATION) =="
h1=$(rate "http://$FAIRLINK_ADDR/healthz")
c=$(rate -s "$dir/rotate.lua" "http://$FAIRLINK_ADDR")
f=$(rate -s "$dir/fresh.lua" "http://$FAIRLINK_ADDR")
h2=$(rate "http://$FAIRLINK_ADDR/healthz")
h=$(awk -v a="$h1" -v b="$h2" 'BEGIN { print (a + b) / 2 }')
printf '  /healthz                         %10.0f req/s  (before %.0f, after %.0f)\n' "$h" "$h1" "$h2"
printf '  catalogue, 20 searches rotating  %10.0f req/s  %5.1f%% of /healthz  (target >= 20%%)\n' "$c" "$(awk -v c="$c" -v h="$h" 'BEGIN { print 100 * c / h }')"
printf '  catalogue, rendered afresh       %10.0f req/s  %5.1f%% of /healthz\n' "$f" "$(awk -v c="$f" -v h="$h" 'BEGIN { print 100 * c / h }')"
