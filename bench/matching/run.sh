#!/usr/bin/env bash
# Matching engine benchmarks, printed side by side in one run (see docs/matching.md):
#   - dense N×N assignment (default 2000): roundtable's JV solver, SciPy's
#     linear_sum_assignment and pathfinding's kuhn_munkres on the same instance file;
#   - mentoring 5,000 mentees × 1,000 mentors (capacity 5, 2% forbidden pairs);
#   - a coffee round of 10,000 members with 10 rounds of history;
#   - circles for 2,000 people.
# Usage: bench/matching/run.sh   (N=3000 bench/matching/run.sh for another dense size)
# Set CARGO_TARGET_DIR to build elsewhere. SciPy goes into a venv under bench/out/.
set -euo pipefail
cd "$(dirname "$0")/../.."

N="${N:-2000}"
OUT=bench/out/matching
mkdir -p "$OUT"

echo "== building the benchmark (release)" >&2
cargo build --release -p roundtable-matching --example bench_matching >&2
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="$TARGET_DIR/release/examples/bench_matching"

echo "== installing SciPy into $OUT/venv" >&2
if [ ! -x "$OUT/venv/bin/python" ]; then
  python3 -m venv "$OUT/venv"
fi
"$OUT/venv/bin/pip" install --quiet --disable-pip-version-check scipy numpy >&2

echo "== writing the shared ${N}×${N} instance" >&2
"$BIN" write-dense "$OUT/dense_$N.bin" "$N" >&2

echo "== SciPy on the instance" >&2
"$OUT/venv/bin/python" bench/matching/scipy_lsa.py "$OUT/dense_$N.bin" > "$OUT/scipy_$N.txt"

echo "== machine" >&2
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
  echo "toolchain: $(rustc --version); $("$OUT/venv/bin/python" --version)"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

echo "== roundtable and pathfinding, then the table" >&2
"$BIN" run --dense "$OUT/dense_$N.bin" --scipy "$OUT/scipy_$N.txt" | tee "$OUT/results.md"
