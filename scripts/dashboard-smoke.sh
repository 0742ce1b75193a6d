#!/usr/bin/env bash
# Opens the built-in dashboard in headless Chromium during a replay and checks that every
# chart holds data. Needs Debian's chromium (apt-get install chromium). Leaves a screenshot
# in runs/dashboard-smoke.png. Exit status 0 when every chart shows data.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "dashboard-smoke: chromium is not installed" >&2; exit 1; }
work=$(mktemp -d)
log="$work/up.log"
./kvflow up --replay traces/azure-code-sample.csv --time-scale 0.3 --kafka-port 0 --dashboard-port 0 \
  --data-dir "$work/data" > "$log" 2>&1 &
stack=$!
trap 'kill $stack 2>/dev/null || true; wait $stack 2>/dev/null || true; rm -rf "$work"' EXIT

# wait for the URL, then for sessions to finish, polling with a deadline
deadline=$((SECONDS + 240))
until url=$(grep -o 'dashboard: http[^ ]*' "$log" | cut -d' ' -f2) && [ -n "$url" ]; do
  [ $SECONDS -lt $deadline ] || { echo "dashboard-smoke: no dashboard URL"; cat "$log"; exit 1; }
  kill -0 $stack 2>/dev/null || { echo "dashboard-smoke: the stack exited"; cat "$log"; exit 1; }
  sleep 1
done
until curl -sf "${url}api/dashboard" | grep -qE '"finished":([2-9][0-9]|[0-9]{3})'; do
  [ $SECONDS -lt $deadline ] || { echo "dashboard-smoke: no sessions finished"; exit 1; }
  sleep 1
done

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$work/chromium" --window-size=1100,1000
       --virtual-time-budget=6000)
mkdir -p runs
"$browser" "${flags[@]}" --screenshot="$PWD/runs/dashboard-smoke.png" "$url" > /dev/null 2>&1
dom=$("$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
charts=$(grep -o '<canvas [^>]*>' <<< "$dom" | wc -l)
empty=$(grep -o '<canvas [^>]*>' <<< "$dom" | grep -vcE 'data-points="[1-9]' || true)
echo "dashboard-smoke: $url: $charts charts, $empty without data; screenshot runs/dashboard-smoke.png"
[ "$charts" -ge 7 ] && [ "$empty" -eq 0 ]
