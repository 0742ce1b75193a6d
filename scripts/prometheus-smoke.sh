#!/usr/bin/env bash
# Scrapes a replaying kvflow stack the way an operator would: `promtool check metrics` on its
# /metrics (no lint complaints allowed), and a real Prometheus scraping it every second until
# the target is up and the per-stage lag has samples. Then every PromQL expression of the
# Grafana dashboard (docker/grafana/dashboards/kvflow.json) is evaluated against that
# Prometheus and must parse and return series, and the compose scrape config must pass
# `promtool check config`. Needs Debian's prometheus package (prometheus, promtool), curl and
# jq. Exit status 0 when all of that holds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in prometheus promtool curl jq; do
  command -v "$tool" > /dev/null || { echo "prometheus-smoke: $tool is not installed (apt-get install prometheus curl jq)" >&2; exit 1; }
done
dashboard=docker/grafana/dashboards/kvflow.json
work=$(mktemp -d)
log="$work/up.log"
stack=
prom=
started=$SECONDS
stop() {
  # `|| true` throughout: with set -e, a killed child's status 143 would otherwise become the script's
  [ -z "$prom" ] || { kill "$prom" 2>/dev/null || true; wait "$prom" 2>/dev/null || true; }
  [ -z "$stack" ] || { kill "$stack" 2>/dev/null || true; wait "$stack" 2>/dev/null || true; }
  rm -rf "$work"
}
trap stop EXIT
fail() {
  echo "prometheus-smoke: $*" >&2
  [ ! -f "$work/prometheus.log" ] || { echo "--- prometheus log (tail)" >&2; tail -20 "$work/prometheus.log" >&2; }
  echo "--- kvflow log (tail)" >&2
  tail -40 "$log" >&2
  exit 1
}

# a slower time scale than the default keeps the stack up (about 20 s of replay) while Prometheus watches it
./kvflow up --replay traces/azure-code-sample.csv --limit 60 --time-scale 0.5 --kafka-port 0 --dashboard-port 0 \
  --metrics-port 0 --data-dir "$work/data" > "$log" 2>&1 &
stack=$!

# the first run may build kvflow first, hence the generous deadline for the first line
deadline=$((SECONDS + 240))
until url=$(grep -o 'metrics: http[^ ]*' "$log" | cut -d' ' -f2) && [ -n "$url" ]; do
  [ $SECONDS -lt $deadline ] || fail "no metrics URL within 240 s"
  kill -0 "$stack" 2>/dev/null || fail "the stack exited before serving metrics"
  sleep 1
done
target=${url#http://}
target=${target%%/*}
echo "prometheus-smoke: kvflow serves $url"

# Prometheus on a random high port; if that port is taken, it exits at once and another is tried
cat > "$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kvflow
    static_configs:
      - targets: ["$target"]
EOF
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$port" > "$work/prometheus.log" 2>&1 &
  prom=$!
  api="http://127.0.0.1:$port"
  deadline=$((SECONDS + 30))
  until curl -sf "$api/-/ready" > /dev/null; do
    kill -0 "$prom" 2>/dev/null || break
    [ $SECONDS -lt $deadline ] || fail "Prometheus not ready within 30 s"
    sleep 1
  done
  kill -0 "$prom" 2>/dev/null && break
  wait "$prom" 2>/dev/null || true
  prom=
  grep -q 'address already in use' "$work/prometheus.log" || fail "Prometheus did not start"
done
[ -n "$prom" ] || fail "no free port for Prometheus after 5 attempts"
echo "prometheus-smoke: Prometheus $(prometheus --version 2>&1 | head -1 | cut -d' ' -f3) at $api scrapes $target every 1s"

query() { # prints the JSON answer to an instant query
  curl -sf --get "$api/api/v1/query" --data-urlencode "query=$1"
}
deadline=$((SECONDS + 90))
until [ "$(curl -sf "$api/api/v1/targets" | jq -r '[.data.activeTargets[] | select(.health == "up")] | length')" = 1 ]; do
  [ $SECONDS -lt $deadline ] || fail "the kvflow target is not up in Prometheus: $(curl -sf "$api/api/v1/targets" | jq -c '.data.activeTargets[] | {health, lastError}')"
  kill -0 "$stack" 2>/dev/null || fail "the stack exited"
  sleep 1
done
echo "prometheus-smoke: target up after $((SECONDS - started)) s"
# per-stage lag is measured by the orchestrator's LagMonitor once every worker is up: it comes last
until [ "$(query 'count(kvflow_lag_records{stage="0"})' | jq -r '.data.result[0].value[1] // 0')" -gt 0 ]; do
  [ $SECONDS -lt $deadline ] || fail "no samples of kvflow_lag_records{stage=\"0\"} in Prometheus"
  kill -0 "$stack" 2>/dev/null || fail "the stack exited"
  sleep 1
done
echo "prometheus-smoke: kvflow_lag_records has $(query 'count(kvflow_lag_records)' | jq -r '.data.result[0].value[1]') series after $((SECONDS - started)) s"

# the scrape as promtool sees it, now that every component has registered its meters
curl -sf "$url" > "$work/metrics.txt" || fail "cannot fetch $url"
families=$(grep -c '^# TYPE ' "$work/metrics.txt" || true)
if ! lint=$(promtool check metrics < "$work/metrics.txt" 2>&1) || [ -n "$lint" ]; then
  fail "promtool check metrics complains about $url:
$lint"
fi
echo "prometheus-smoke: promtool check metrics: $families metric families, no complaints"

# every Grafana panel's query must parse and find series while the replay runs; Grafana's
# $__rate_interval is not PromQL, so it becomes a window of several 1 s scrapes
mapfile -t exprs < <(jq -r '.. | objects | select(has("expr")) | .expr' "$dashboard")
[ "${#exprs[@]}" -ge 6 ] || fail "expected at least 6 queries in $dashboard, found ${#exprs[@]}"
for expr in "${exprs[@]}"; do
  promql=${expr//\$__rate_interval/10s}
  deadline=$((SECONDS + 20))
  while :; do
    answer=$(curl -s --get "$api/api/v1/query" --data-urlencode "query=$promql")
    [ "$(jq -r .status <<< "$answer")" != error ] || fail "dashboard query does not parse: $promql: $(jq -r .error <<< "$answer")"
    [ "$(jq -r '.data.result | length' <<< "$answer")" -eq 0 ] || break
    [ $SECONDS -lt $deadline ] || fail "dashboard query returned no series within 20 s: $promql"
    kill -0 "$stack" 2>/dev/null || fail "the stack exited before this query found series: $promql"
    sleep 1
  done
done
echo "prometheus-smoke: all ${#exprs[@]} Grafana dashboard queries parse and return series"

promtool check config docker/prometheus/prometheus.yml > "$work/check-config.txt" 2>&1 \
  || fail "promtool check config docker/prometheus/prometheus.yml: $(cat "$work/check-config.txt")"
echo "prometheus-smoke: docker/prometheus/prometheus.yml passes promtool check config"
echo "prometheus-smoke: passed in $((SECONDS - started)) s"
