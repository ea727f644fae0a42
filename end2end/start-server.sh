#!/bin/sh
# Starts the app for the end-to-end tests: a fresh SQLite database with the
# demo fair, the built site, a port of its own.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${FAIRLINK_BIN:-$root/target/debug/fairlink}
data=$(mktemp -d "${TMPDIR:-/tmp}/fairlink-e2e.XXXXXX")
export DATABASE_URL="sqlite://$data/fairlink.db?mode=rwc"
export FAIRLINK_ADDR="127.0.0.1:${FAIRLINK_E2E_PORT:-3100}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$root/target/site}"
export FAIRLINK_LOG_FORMAT=pretty
export FAIRLINK_MASTER_KEY_FILE="$data/master.key"
export RUST_LOG="${RUST_LOG:-warn}"
# A real SMTP server for the mail the app sends; tests read its Maildir.
if [ -n "${FAIRLINK_E2E_MAILDIR:-}" ]; then
  rm -rf "$FAIRLINK_E2E_MAILDIR"
  smtp_port=${FAIRLINK_E2E_SMTP_PORT:-4100}
  "${FAIRLINK_TEST_PYTHON:-python3}" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$FAIRLINK_E2E_MAILDIR" &
  smtp_pid=$!
  trap 'kill $smtp_pid 2>/dev/null' EXIT INT TERM
  export SMTP_URL="smtp://127.0.0.1:$smtp_port"
fi
"$bin" seed-demo >/dev/null
"$bin" serve
