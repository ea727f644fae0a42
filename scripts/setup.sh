#!/usr/bin/env bash
# Installs what building and testing Fairlink needs, once; says exactly what
# is missing when it cannot install it. Sourced by run.sh and test.sh.
#   setup_build   wasm32 target, cargo-leptos, wasm-bindgen CLI (and wasm-opt for release)
#   setup_qr_tools zbarimg and pdftoppm, which the badge tests read QR codes with
#   setup_browser Chromium and the end-to-end test's npm packages

CARGO_LEPTOS_VERSION=0.3.10

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\n\033[1;31mfairlink: %s\033[0m\n' "$*" >&2; exit 1; }

can_apt() { command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; }

apt_install() {
  can_apt || return 1
  if [ -z "${FAIRLINK_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && export FAIRLINK_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The wasm-bindgen version the project pins (Cargo.lock), which the CLI must match.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

setup_build() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs)"
  if command -v rustup >/dev/null; then
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
      || { say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; it compiles from source, allow 15-25 minutes)"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" \
      || die "could not install cargo-leptos $CARGO_LEPTOS_VERSION"
  fi
  local want
  want=$(wasm_bindgen_version)
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    say "installing wasm-bindgen-cli $want (must equal the wasm-bindgen in Cargo.lock)"
    cargo install wasm-bindgen-cli --version "$want" --locked \
      || cargo install wasm-bindgen-cli --version "$want" \
      || die "could not install wasm-bindgen-cli $want"
  fi
}

# wasm-opt for release builds, from binaryen on npm (pinned in
# scripts/package.json): Debian 12's wasm-opt 108 produces wasm whose
# externref table the browser rejects.
setup_wasm_opt() {
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js and npm are missing (needed for wasm-opt): install them (apt-get install nodejs npm)"
  if [ ! -x scripts/node_modules/.bin/wasm-opt ] || [ scripts/package-lock.json -nt scripts/node_modules/.package-lock.json ]; then
    say "installing wasm-opt (npm package binaryen)"
    (cd scripts && npm ci --no-audit --no-fund) || die "npm ci failed in scripts/"
  fi
  export PATH="$PWD/scripts/node_modules/.bin:$PATH"
}

# The mail tests talk to a real SMTP server: aiosmtpd, from PyPI. The
# booking tests read invoices back with a real PDF reader: pypdf, from PyPI.
# The agenda tests read .ics files with a standard parser: icalendar, from PyPI.
setup_smtp() {
  local python=${FAIRLINK_TEST_PYTHON:-python3}
  command -v "$python" >/dev/null || die "Python 3 is missing (the mail tests run aiosmtpd): install python3"
  if ! "$python" -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd (PyPI) for the mail tests"
    "$python" -m pip install --quiet aiosmtpd==1.4.6 2>/dev/null \
      || "$python" -m pip install --quiet --user aiosmtpd==1.4.6 \
      || die "could not install aiosmtpd: run $python -m pip install aiosmtpd==1.4.6"
  fi
  if ! "$python" -c 'import pypdf' 2>/dev/null; then
    say "installing pypdf (PyPI) for the invoice tests"
    "$python" -m pip install --quiet pypdf==7.1.1 2>/dev/null \
      || "$python" -m pip install --quiet --user pypdf==7.1.1 \
      || die "could not install pypdf: run $python -m pip install pypdf==7.1.1"
  fi
  if ! "$python" -c 'import icalendar' 2>/dev/null; then
    say "installing icalendar (PyPI) for the agenda tests"
    "$python" -m pip install --quiet icalendar==6.3.1 2>/dev/null \
      || "$python" -m pip install --quiet --user icalendar==6.3.1 \
      || die "could not install icalendar: run $python -m pip install icalendar==6.3.1"
  fi
}

# The badge tests read QR images with an independent decoder: zbarimg, from
# Debian's zbar-tools; PDF badges are rasterised first with pdftoppm, from
# poppler-utils.
setup_qr_tools() {
  if ! command -v zbarimg >/dev/null; then
    say "installing zbarimg (Debian's zbar-tools) for the badge tests"
    apt_install zbar-tools || die "zbarimg is missing: install it (apt-get install zbar-tools)"
  fi
  if ! command -v pdftoppm >/dev/null; then
    say "installing pdftoppm (Debian's poppler-utils) for the badge tests"
    apt_install poppler-utils || die "pdftoppm is missing: install it (apt-get install poppler-utils)"
  fi
}

setup_browser() {
  export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM" ]; then
    say "installing Debian's Chromium"
    apt_install chromium || die "Chromium is missing at $CHROMIUM: install it (apt-get install chromium) or set CHROMIUM"
  fi
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js and npm are missing: install them (apt-get install nodejs npm)"
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the end-to-end test packages (npm ci; no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) \
      || die "npm ci failed in end2end/"
  fi
}
