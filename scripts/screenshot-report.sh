#!/usr/bin/env bash
# Renders a drill report (a simulated failover, offline), opens its HTML in headless Chromium,
# screenshots it, and fails if the page logs anything to the console (errors, CSP violations,
# uncaught exceptions). The report page has no scripts, so any console message is a defect.
#
#   bash scripts/screenshot-report.sh [output.png]      # default drill-reports/report-screenshot.png
#   bash scripts/screenshot-report.sh --self-test        # proves the console check fails on a bad page
#
# Chromium comes from Debian's `chromium` package; if it is missing and we are root, it is
# installed with apt-get (no browser downloads from elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is not installed; install it with: sudo apt-get update && sudo apt-get install -y chromium" >&2
    exit 1
  fi
  echo "installing Debian's chromium package (apt-get)" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shot <html file> <png file>: screenshot, then fail on any console output from the page.
shot() {
  local html=$1 png=$2 log="$work/chromium.log"
  rm -f "$png"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --no-default-browser-check --user-data-dir="$work/profile" \
    --enable-logging=stderr --v=0 --hide-scrollbars --window-size=1100,1700 \
    --screenshot="$png" "file://$html" 2>"$log" || {
    echo "chromium failed:" >&2
    cat "$log" >&2
    return 1
  }
  # Chromium logs page console messages as `INFO:CONSOLE:<line>] "<message>", source: ...`.
  if grep -E ':CONSOLE[:(]|Uncaught' "$log" >&2; then
    echo "the page logged to the console (above): $html" >&2
    return 2
  fi
  if [ ! -s "$png" ]; then
    echo "no screenshot was written to $png" >&2
    return 1
  fi
}

ensure_chromium

if [ "${1:-}" = "--self-test" ]; then
  # Each page must fail the check: a console.error alone, and an uncaught exception alone.
  echo "<!doctype html><html><body><script>console.error('self-test: caught?');</script></body></html>" >"$work/console.html"
  echo "<!doctype html><html><body><script>undefinedFunction();</script></body></html>" >"$work/uncaught.html"
  for page in console uncaught; do
    if shot "$work/$page.html" "$work/$page.png" 2>/dev/null; then
      echo "self-test FAILED: the $page page passed the console check" >&2
      exit 1
    fi
  done
  echo "self-test ok: console errors and uncaught exceptions are caught"
  exit 0
fi

out=${1:-drill-reports/report-screenshot.png}
mkdir -p "$(dirname "$out")"
node --import tsx bin/drill.ts failover --execute --yes --target simulated --report-dir "$work/reports" --json >"$work/result.json"
html=$(node -e 'process.stdout.write(require(process.argv[1]).reports.html)' "$work/result.json")
shot "$html" "$work/shot.png"
cp "$work/shot.png" "$out"
cp "$html" "${out%.png}.html"
echo "screenshot: $out (report: ${out%.png}.html); no console messages"
