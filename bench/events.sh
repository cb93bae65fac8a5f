#!/usr/bin/env bash
# Events benchmark: a network's month view holding 500 events, and an iCalendar feed covering a
# year (500 one-off events plus weekly and monthly series), each against the plain hello-world
# route of the same binary, in one run. Method as bench/run.sh: release build, server pinned to
# core 1 and wrk to core 0, wrk -t1 -c64, 3 s warm-up then 10 s per route.
# Usage: bench/events.sh            (needs wrk: apt-get install -y wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y --no-install-recommends wrk >/dev/null; }
if [ -z "${ROUNDTABLE_BIN:-}" ]; then
  cargo build --release -q -p roundtable
  bin=${CARGO_TARGET_DIR:-target}/release/roundtable
else
  bin=$ROUNDTABLE_BIN # an already-built binary
fi
work=$(mktemp -d); port=3901; base="http://127.0.0.1:$port"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" --data-dir "$work" demo --members 400 >/dev/null
RUST_LOG=warn taskset -c 1 "$bin" --data-dir "$work" serve --bind 127.0.0.1:$port >"$work/server.log" 2>&1 &
until curl -sf "$base/readyz" >/dev/null; do sleep 0.02; done
cookie=$(curl -si -X POST "$base/sign-in" --data-urlencode "email=admin@demo.example.org" --data-urlencode "password=roundtable-demo" \
  | awk -F'[ ;]' 'tolower($1)=="set-cookie:" {print $2}')
month=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m)
event() { # start repeat
  curl -sf -o /dev/null -H "Cookie: $cookie" -X POST "$base/n/assistants/events/new" \
    --data-urlencode "kind=workshop" --data-urlencode "title=Bench workshop $1" --data-urlencode "time_zone=Europe/London" \
    --data-urlencode "start=$1" --data-urlencode "end=${1%T*}T23:59" --data-urlencode "repeat=$2" \
    --data-urlencode "location_mode=online" --data-urlencode "online_url=https://meet.example.org/x" \
    --data-urlencode "audience=network" --data-urlencode "capacity=" --data-urlencode "reminder_hours=24"
}
echo "creating 500 events in $month"
for i in $(seq 0 499); do
  day=$(( i % 28 + 1 )); hour=$(( 8 + i % 10 ))
  event "$(printf '%s-%02dT%02d:%02d' "$month" "$day" "$hour" $(( (i / 28) * 3 % 60 )))" none
done
event "${month}-01T09:00" weekly; event "${month}-02T12:00" monthly_nth; event "${month}-05T16:00" monthly_last
feed=$(curl -sf -H "Cookie: $cookie" -X POST "$base/calendar/feeds" --data-urlencode "network=assistants" | grep -o "$base/ical/[A-Za-z0-9_-]*\.ics" | head -1)
[ -n "$feed" ] || { echo "could not create a feed"; exit 1; }
month_url="$base/n/assistants/events?view=month&month=$month"
shown=$(curl -sf -H "Cookie: $cookie" "$month_url" | grep -o "Bench workshop" | wc -l)
vevents=$(curl -sf "$feed" | grep -c "BEGIN:VEVENT" || true)
echo "month view lists $shown event links; the feed holds $vevents VEVENTs"
[ "${BENCH_CHECK_ONLY:-}" = 1 ] && exit 0

measure() { # url -> "req/s p99_ms"
  taskset -c 0 wrk -t1 -c64 -d3s -H "Cookie: $cookie" "$1" >/dev/null
  taskset -c 0 wrk -t1 -c64 -d10s --latency -H "Cookie: $cookie" "$1" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
    END {printf "%s %s", rps, p99}'
}
read -r hello_rps hello_p99 <<<"$(measure "$base/hello")"
read -r month_rps month_p99 <<<"$(measure "$month_url")"
read -r feed_rps feed_p99 <<<"$(measure "$feed")"
printf '\n| route | req/s | p99 (ms) | ratio to /hello |\n|---|---:|---:|---:|\n'
printf '| /hello | %s | %s | 1 |\n' "$hello_rps" "$hello_p99"
printf '| month view, 500 events | %s | %s | %s |\n' "$month_rps" "$month_p99" "$(awk -v a="$month_rps" -v b="$hello_rps" 'BEGIN {printf "%.4f", a/b}')"
printf '| network ICS feed, a year | %s | %s | %s |\n' "$feed_rps" "$feed_p99" "$(awk -v a="$feed_rps" -v b="$hello_rps" 'BEGIN {printf "%.4f", a/b}')"
