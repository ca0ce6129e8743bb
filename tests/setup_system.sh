#!/bin/sh
# System packages the tests need, installed when this machine lets us (root on Debian or
# Ubuntu). Otherwise nothing happens here: the browser tests then skip with one line saying
# how to install Chromium, or fail when CI=true (see tests/browser/conftest.py).
set -eu

DEFAULT_CHROMIUM=/usr/bin/chromium
CHROMIUM="${CAREERS_CHROMIUM:-$DEFAULT_CHROMIUM}"

[ -x "$CHROMIUM" ] && exit 0
# The package provides only the default path; another path is the user's to provide.
[ "$CHROMIUM" = "$DEFAULT_CHROMIUM" ] || exit 0
[ "$(id -u)" = 0 ] || exit 0
command -v apt-get >/dev/null 2>&1 || exit 0
grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null || exit 0

echo "Installing Chromium for the browser tests (apt-get install chromium)..."
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; then
  echo "apt-get could not install chromium; the browser tests will say what is missing." >&2
fi
