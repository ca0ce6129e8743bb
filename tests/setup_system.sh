#!/bin/sh
# System packages the tests need, installed when this machine lets us (root on Debian or
# Ubuntu). Otherwise nothing happens here: the browser tests then skip with one line saying
# how to install Chromium, or fail when CI=true (see tests/browser/conftest.py), the
# PostgreSQL + Redis runs skip the same way (tests/support/engine_hooks.py), and the
# rendition tests that draw Greek and Cyrillic skip without the DejaVu fonts.
# The tests start their own PostgreSQL and Redis servers in a temporary folder
# (tests/support/engines.py); the services the packages may start are not used.
set -eu

DEFAULT_CHROMIUM=/usr/bin/chromium
CHROMIUM="${CAREERS_CHROMIUM:-$DEFAULT_CHROMIUM}"
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

PACKAGES=""
# The package provides only the default path; another path is the user's to provide.
if [ ! -x "$CHROMIUM" ] && [ "$CHROMIUM" = "$DEFAULT_CHROMIUM" ]; then
  PACKAGES=" chromium"
fi
# PDF renditions of resumes draw every script with DejaVu Sans (app/ats/pdf_rendition.py).
[ -f "$DEJAVU" ] || PACKAGES="$PACKAGES fonts-dejavu-core"
# The integration tests run again on PostgreSQL + Redis (tests/integration/conftest.py).
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || PACKAGES="$PACKAGES postgresql"
command -v redis-server >/dev/null 2>&1 || PACKAGES="$PACKAGES redis-server"
# Scanned resumes are read by OCR when Tesseract is there (app/resume/extract/ocr.py).
command -v tesseract >/dev/null 2>&1 || PACKAGES="$PACKAGES tesseract-ocr"

[ -n "$PACKAGES" ] || exit 0
[ "$(id -u)" = 0 ] || exit 0
command -v apt-get >/dev/null 2>&1 || exit 0
grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null || exit 0

echo "Installing what the tests need (apt-get install$PACKAGES)..."
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the list is meant to split into words
if ! { apt-get update -qq && apt-get install -y -qq $PACKAGES >/dev/null; }; then
  echo "apt-get could not install$PACKAGES; the tests will say what is missing." >&2
fi
