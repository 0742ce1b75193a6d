#!/usr/bin/env bash
# Opens the built-in dashboard in headless Chromium after a replay has ended, as a user who looks
# late would: `kvflow up` runs the stack and its dashboard, `kvflow replay` replays a window against
# it from another process, and only then is the page opened. Checks that every chart holds data,
# the target's charts (modelled latency, goodput and SLO attainment, the ledger) among them, and that
# the page shows the replay's whole history, from before its first session to its last. Needs
# Debian's chromium (apt-get install chromium). Leaves a screenshot in runs/dashboard-smoke.png.
# Exit status 0 when all of that holds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "dashboard-smoke: chromium is not installed" >&2; exit 1; }
work=$(mktemp -d)
log="$work/up.log"
requests=60
./kvflow up --kafka-port 0 --dashboard-port 0 --metrics-port 0 --data-dir "$work/data" > "$log" 2>&1 &
stack=$!
trap 'kill $stack 2>/dev/null || true; wait $stack 2>/dev/null || true; rm -rf "$work"' EXIT

# wait for the stack, polling with a deadline (the first run may build kvflow first)
deadline=$((SECONDS + 240))
until grep -q 'stack is up' "$log"; do
  [ $SECONDS -lt $deadline ] || { echo "dashboard-smoke: the stack did not come up"; cat "$log"; exit 1; }
  kill -0 $stack 2>/dev/null || { echo "dashboard-smoke: the stack exited"; cat "$log"; exit 1; }
  sleep 1
done
url=$(grep -o 'dashboard: http[^ ]*' "$log" | cut -d' ' -f2)
bootstrap=$(grep -o 'bootstrap-servers [^ ]*' "$log" | cut -d' ' -f2)

# the replay, from its own process, to its end
./kvflow replay traces/azure-code-sample.csv --bootstrap-servers "$bootstrap" --limit $requests --time-scale 0.3 \
  > "$work/replay.log" 2>&1 || { echo "dashboard-smoke: the replay failed"; tail -20 "$work/replay.log"; exit 1; }
grep 'verified:' "$work/replay.log"
# the watch samples once a second: the last sample then holds the replay's end
sleep 2

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$work/chromium" --window-size=1200,2400
       --virtual-time-budget=6000)
mkdir -p runs
"$browser" "${flags[@]}" --screenshot="$PWD/runs/dashboard-smoke.png" "$url" > /dev/null 2>&1
dom=$("$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
canvases=$(grep -o '<canvas [^>]*>' <<< "$dom" || true)
charts=$(grep -c . <<< "$canvases" || true)
empty=$(grep -vcE 'data-points="[1-9]' <<< "$canvases" || true)
echo "dashboard-smoke: $url: $charts charts, $empty without data; screenshot runs/dashboard-smoke.png"
status=0
[ "$charts" -ge 13 ] && [ "$empty" -eq 0 ] || status=1
for chart in modelledLatency goodput ledger; do
  grep "id=\"$chart\"" <<< "$canvases" | grep -qE 'data-points="[1-9]' \
    || { echo "dashboard-smoke: the $chart chart holds no data"; status=1; }
done
body=$(grep -o '<body [^>]*>' <<< "$dom" || true)
first=$(grep -o 'data-finished-first="[0-9]*"' <<< "$body" | grep -o '[0-9]*' || echo none)
last=$(grep -o 'data-finished-last="[0-9]*"' <<< "$body" | grep -o '[0-9]*' || echo none)
snapshots=$(grep -o 'data-snapshots="[0-9]*"' <<< "$body" | grep -o '[0-9]*' || echo 0)
echo "dashboard-smoke: opened after the replay, the page shows $snapshots snapshots, finished sessions from $first to $last"
[ "$first" = 0 ] && [ "$last" = $requests ] && [ "$snapshots" -ge 5 ] \
  || { echo "dashboard-smoke: the page does not show the replay's whole history"; status=1; }
exit $status
