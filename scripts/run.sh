#!/usr/bin/env bash
# Builds Fairlink (release), migrates and seeds the demo fair on SQLite, and
# serves it at http://127.0.0.1:3000 (FAIRLINK_ADDR to change).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

setup_build
setup_wasm_opt

say "building (release: server, size-optimised wasm, precompressed assets)"
cargo leptos build --release --precompress

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="$target_dir/release/fairlink"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export FAIRLINK_LOG_FORMAT="${FAIRLINK_LOG_FORMAT:-pretty}"

say "migrating and seeding the demo fair"
"$bin" seed-demo

say "serving http://${FAIRLINK_ADDR:-127.0.0.1:3000}  (demo accounts: see README; Ctrl+C stops)"
exec "$bin" serve
