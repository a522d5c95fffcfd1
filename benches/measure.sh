#!/usr/bin/env bash
# Reproduces the wall-clock figures of BENCHMARKS.md on this machine: builds the CLI, runs
# `anyloss bench --json` several times, and prints the median of each case (with its range)
# and the ratios BENCHMARKS.md quotes: logits over probabilities, all cores over one thread,
# every case over the memory floor. Run it on an idle machine; it prints the load average
# before and after, and a load above the core count makes the all-core figures meaningless.
#
#   bash benches/measure.sh                 # 5 invocations of `anyloss bench --json`
#   RUNS=9 REPEATS=15 bash benches/measure.sh
#   TORCH=/opt/venv/bin/python bash benches/measure.sh   # also benches/compare_pytorch.py
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
repeats=${REPEATS:-15}
out=${OUT:-target/measure}
mkdir -p "$out"

cargo build --release -p anyloss-cli >&2
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
    target/release/anyloss bench --json --repeats "$repeats" > "$out/bench_$i.json"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
by_case = {}
for i in range(1, runs + 1):
    for c in json.load(open(f"{out}/bench_{i}.json"))["cases"]:
        by_case.setdefault((c["name"], c["threads"]), []).append(c)

def median(key, field="ns_per_sample"):
    return statistics.median(c[field] for c in by_case[key])

print(f"\nmedian of {runs} invocations, each the median of its --repeats runs; [range]\n")
print("| case | threads | ns/sample | range | × memory floor |")
print("|---|---|---|---|---|")
for (name, threads), cs in by_case.items():
    ns = [c["ns_per_sample"] for c in cs]
    print(f"| `{name}` | {threads} | {statistics.median(ns):.3f} | "
          f"{min(ns):.3f}–{max(ns):.3f} | {median((name, threads), 'floor_ratio'):.2f} |")

def paired(a, b):
    """Median over invocations of a/b, each pair timed in the same invocation."""
    return statistics.median(x["ns_per_sample"] / y["ns_per_sample"]
                             for x, y in zip(by_case[a], by_case[b]))

print("\n| ratio (median of per-invocation ratios) | value |")
print("|---|---|")
print(f"| logits ÷ probabilities, N = 10^6, one thread | "
      f"{paired(('binary_f1_logits_1e6', 1), ('binary_f1_1e6', 1)):.2f} |")
for name in ("binary_f1_1e7", "seed_multiclass_8x10x512x512"):
    many = [t for (n, t) in by_case if n == name and t > 1]
    for t in many:
        print(f"| `{name}`: one thread ÷ {t} threads (speed-up) | "
              f"{paired((name, 1), (name, t)):.2f} |")
PY

if [ -n "${TORCH:-}" ]; then
    echo
    "$TORCH" benches/compare_pytorch.py --anyloss target/release/anyloss --repeats 5
fi
