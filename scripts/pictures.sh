#!/usr/bin/env bash
# Takes the README's pictures from a fresh demo (after `make test` or a
# debug build): the A6 badge PDF rendered by pdftoppm, and the scanner page
# and its verdict screen in Chromium at a phone's size.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_qr_tools
setup_browser

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="${FAIRLINK_BIN:-$target_dir/debug/fairlink}"
[ -x "$bin" ] || die "no server binary at $bin: run make test (or cargo build) first"
data=$(mktemp -d "${TMPDIR:-/tmp}/fairlink-pictures.XXXXXX")
export DATABASE_URL="sqlite://$data/fairlink.db?mode=rwc"
export FAIRLINK_ADDR=127.0.0.1:3200
export FAIRLINK_MAIL_DIR="$data/mail"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$PWD/target/site}"
"$bin" seed-demo >/dev/null
"$bin" serve >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -fs "http://$FAIRLINK_ADDR/readyz" >/dev/null && break; sleep 0.2; done
out="$PWD/end2end/pictures"
(cd end2end && node pictures.mjs "http://$FAIRLINK_ADDR" "$out")
pdftoppm -png -r 110 -singlefile "$out/badge.pdf" "$out/badge"
rm "$out/badge.pdf"
say "pictures in end2end/pictures"
