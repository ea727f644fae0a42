#!/usr/bin/env bash
# Every test: formatting, clippy (warnings are errors), unit and integration
# tests on SQLite and PostgreSQL (mail tests against a real SMTP server,
# aiosmtpd), and the end-to-end tests in Debian's Chromium, with and without
# JavaScript.
#
# PostgreSQL is found at FAIRLINK_TEST_PG_URL (default
# postgres://postgres@127.0.0.1:5432/postgres). Without one, outside CI, its
# leg is skipped with a loud warning; with CI=true it is mandatory.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

started=$(date +%s)
logs=$(mktemp -d "${TMPDIR:-/tmp}/fairlink-test.XXXXXX")

setup_build
setup_smtp
setup_qr_tools
setup_browser

say "formatting (cargo fmt --check)"
cargo fmt --all -- --check

say "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "building the site (wasm, CSS, assets)"
cargo leptos build --frontend-only

export FAIRLINK_TEST_PG_URL="${FAIRLINK_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_hostport=$(printf '%s' "$FAIRLINK_TEST_PG_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^/:?]+)(:([0-9]+))?.*#\2 \4#')
pg_host=${pg_hostport% *}
pg_port=${pg_hostport#* }
pg_port=${pg_port:-5432}
if (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null; then
  export FAIRLINK_TEST_PG_SKIP=0
  say "PostgreSQL reachable at $pg_host:$pg_port: its leg runs"
elif [ "${CI:-}" = "true" ]; then
  die "PostgreSQL is required under CI=true but nothing listens at $pg_host:$pg_port"
else
  export FAIRLINK_TEST_PG_SKIP=1
  printf '\n\033[1;33m!!! PostgreSQL NOT reachable at %s:%s: the PostgreSQL leg is SKIPPED !!!\033[0m\n' "$pg_host" "$pg_port"
fi

say "unit and integration tests (SQLite and PostgreSQL)"
cargo test --workspace --locked 2>&1 | tee "$logs/cargo-test.log"
rust_ok=$(grep -cE '^test .* \.\.\. ok$' "$logs/cargo-test.log" || true)
sqlite_ok=$(grep -cE '^test .*::sqlite \.\.\. ok$' "$logs/cargo-test.log" || true)
pg_ok=$(grep -cE '^test .*::postgres \.\.\. ok$' "$logs/cargo-test.log" || true)
if [ "${FAIRLINK_TEST_PG_SKIP}" = "0" ] && [ "$pg_ok" -eq 0 ]; then
  die "no PostgreSQL test ran"
fi

# Every parser of outside input, fuzzed a few seconds each from the
# committed seeds (bench/fuzz.sh runs them longer). Its own build, in its
# own target directory beside the main one.
fuzz_seconds=${FAIRLINK_FUZZ_SECONDS:-10}
say "fuzzing (libFuzzer, ${fuzz_seconds} s per target)"
scripts/fuzz.sh "$fuzz_seconds" 2>&1 | tee "$logs/fuzz.log"
fuzz_targets=$(grep -cE '^[a-z_]+ +[0-9]+ +[0-9]+ +[0-9]+  ok$' "$logs/fuzz.log" || true)
fuzz_runs=$(sed -n 's/^total *[0-9]* *\([0-9]*\) .*/\1/p' "$logs/fuzz.log" | tail -n 1)

say "end-to-end tests (Playwright, Debian Chromium, with and without JavaScript)"
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export FAIRLINK_BIN="$target_dir/debug/fairlink"
export LEPTOS_SITE_ROOT="$PWD/target/site"
[ -x "$FAIRLINK_BIN" ] || die "the server binary is missing at $FAIRLINK_BIN"
(cd end2end && npx playwright test) 2>&1 | tee "$logs/e2e.log"
e2e_ok=$(grep -cE '^\s+✓' "$logs/e2e.log" || true)
e2e_js=$(grep -cE '^\s+✓ .*\[js\]' "$logs/e2e.log" || true)
e2e_nojs=$(grep -cE '^\s+✓ .*\[nojs\]' "$logs/e2e.log" || true)

elapsed=$(( $(date +%s) - started ))
say "all green in ${elapsed}s"
printf '  Rust tests passed:          %s\n' "$rust_ok"
printf '    on SQLite:                %s\n' "$sqlite_ok"
if [ "$FAIRLINK_TEST_PG_SKIP" = "1" ]; then
  printf '    on PostgreSQL:            SKIPPED (no server)\n'
else
  printf '    on PostgreSQL:            %s\n' "$pg_ok"
fi
printf '  Browser tests passed:       %s (with JavaScript %s, without %s)\n' "$e2e_ok" "$e2e_js" "$e2e_nojs"
printf '  Fuzz targets clean:         %s (%s inputs tried)\n' "$fuzz_targets" "${fuzz_runs:-?}"
