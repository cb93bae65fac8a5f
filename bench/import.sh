#!/usr/bin/env bash
# HR import benchmark: generates a 100,000-row members CSV (every column but networks, a
# reporting tree with managers both before and after their reports, supported executives, tags,
# both date formats) and times `roundtable import members` into a fresh SQLite database, then the
# same file again (everything unchanged). Target: first import <= 10 s.
# Method: release build; one warm-up import of a 1-row file creates and migrates the database, so
# the timings cover reading, checking, planning and writing only. Copy the output into
# docs/performance.md.
# Usage: bench/import.sh [ROWS]     (ROUNDTABLE_BIN=path to use an already-built binary)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
if [ -z "${ROUNDTABLE_BIN:-}" ]; then
  cargo build --release -q -p roundtable
  bin=${CARGO_TARGET_DIR:-target}/release/roundtable
else
  bin=$ROUNDTABLE_BIN
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="sqlite://$work/roundtable.db"
csv="$work/members.csv"

awk -v n="$rows" 'BEGIN {
  srand(42)
  split("Finance,Legal,Operations,Human Resources,Sales,Marketing,Research,Technology,Executive Office,Procurement", dept, ",")
  split("London|Europe/London,Paris|Europe/Paris,Berlin|Europe/Berlin,New York|America/New_York,Singapore|Asia/Singapore,Sydney|Australia/Sydney,Mumbai|Asia/Kolkata,São Paulo|America/Sao_Paulo", loc, ",")
  split("Executive Assistant,Administrative Assistant,Team Assistant,Office Manager,Chief of Staff,Project Coordinator", title, ",")
  split("Diary management,Minute taking,Event planning,Travel booking,Excel,Budgeting,Onboarding,SharePoint", skill, ",")
  split("English,French,German,Spanish,Mandarin,Hindi,Portuguese", lang, ",")
  split("Junior,Intermediate,Senior,Executive", level, ",")
  printf "email,name,preferred_name,job_title,department,location,time_zone,level,years_experience,skills,languages,start_date,manager_email,supports_emails\r\n"
  for (i = 0; i < n; i++) {
    split(loc[1 + i % 8], lz, "|")
    # Managers: person i reports to person floor(i/7) - a tree; rows are written in an order
    # where many managers come after their reports.
    mgr = (i == 0) ? "" : sprintf("person%d@bench.example.org", int(i / 7))
    sup = (i % 5 == 0 && i > 0) ? sprintf("person%d@bench.example.org;person%d@bench.example.org", int(i / 7), int(i / 49)) : ""
    date = (i % 2) ? sprintf("20%02d-%02d-%02d", 10 + i % 14, 1 + i % 12, 1 + i % 28) : sprintf("%02d/%02d/20%02d", 1 + i % 28, 1 + i % 12, 10 + i % 14)
    printf "person%d@bench.example.org,Person %d Lastname,P%d,%s,%s,%s,%s,%s,%d,%s; %s,%s|%s,%s,%s,%s\r\n",
      i, i, i, title[1 + i % 6], dept[1 + i % 10], lz[1], lz[2], level[1 + i % 4], i % 40,
      skill[1 + i % 8], skill[1 + (i * 3 + 1) % 8], lang[1 + i % 7], lang[1 + (i + 3) % 7], date, mgr, sup
  }
}' > "$csv.ordered"
# Shuffle deterministically so references point both forwards and backwards.
{ head -n 1 "$csv.ordered"; tail -n +2 "$csv.ordered" | awk 'BEGIN{srand(7)} {print rand() "\t" $0}' | sort -k1,1 | cut -f2-; } > "$csv"
rm "$csv.ordered"
printf 'email,name\r\nwarmup@bench.example.org,Warm Up\r\n' > "$work/warmup.csv"
"$bin" --database-url "$db" import members "$work/warmup.csv" >/dev/null

echo "rows: $rows ($(du -h "$csv" | cut -f1))"
t0=$(date +%s%N)
"$bin" --database-url "$db" import members "$csv" > "$work/first.log"
t1=$(date +%s%N)
"$bin" --database-url "$db" import members "$csv" > "$work/second.log"
t2=$(date +%s%N)
tail -n 1 "$work/first.log"
tail -n 1 "$work/second.log"
first=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b-a)/1e9}')
second=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f", (b-a)/1e9}')
printf '\n| import of %s rows into a fresh SQLite | %s s (target <= 10 s) |\n' "$rows" "$first"
printf '| the same file again (all unchanged)   | %s s |\n' "$second"
