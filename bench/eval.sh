#!/usr/bin/env bash
# Times `ruleport eval` end to end on a generated JSON-lines file, against a program that
# only reads the same lines and parses each into a serde_json::Value.
#
#   bash bench/eval.sh [EVENTS] [RUNS]      (defaults: 1000000 events, 5 runs)
#
# The events are the catalog's test events, varied (benches/support/events.rs), written
# once to target/bench-eval/. Each run's wall time is taken; the report gives the fastest,
# median and slowest run, events per second at the median, and eval's speed as a share of
# the parse-only speed. Alerts go to /dev/null, so the run measures reading and evaluating.
set -euo pipefail
cd "$(dirname "$0")/.."

events=${1:-1000000}
runs=${2:-5}
dir=target/bench-eval
mkdir -p "$dir"

cargo build --release --quiet --bin ruleport --example events
ruleport=target/release/ruleport
generator=target/release/examples/events
file=$dir/events-$events.jsonl
if [ ! -s "$file" ]; then
    "$generator" generate "$events" > "$file.tmp"
    mv "$file.tmp" "$file"
fi
echo "$events events, $(du -m "$file" | cut -f1) MiB, $(nproc) cores, $runs runs each"

# Prints the wall times of RUNS runs of a command, in seconds, one a line.
times() {
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s.%N)
        "$@" > /dev/null 2>&1
        end=$(date +%s.%N)
        awk -v start="$start" -v end="$end" 'BEGIN { printf "%.4f\n", end - start }'
    done
}

# Reads times on stdin; prints fastest, median and slowest, and events/s at the median.
summary() {
    sort -n | awk -v events="$events" '
        { t[NR] = $1 }
        END {
            median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f %.0f\n", t[1], median, t[NR], events / median
        }'
}

report() {
    local name=$1 line=$2
    read -r fastest median slowest rate <<< "$line"
    printf '%-22s %8s s %8s s %8s s %12s events/s' "$name" "$fastest" "$median" "$slowest" "$rate"
}

printf '%-22s %10s %10s %10s %21s\n' "" fastest median slowest "at the median"
parse=$(times "$generator" parse "$file" | summary)
report "parse only" "$parse"
echo
parse_rate=$(echo "$parse" | cut -d' ' -f4)
for threads in 1 2; do
    line=$(times "$ruleport" eval --rule rules --threads "$threads" "$file" | summary)
    report "eval, $threads thread(s)" "$line"
    rate=$(echo "$line" | cut -d' ' -f4)
    awk -v rate="$rate" -v parse="$parse_rate" \
        'BEGIN { printf "   %3.0f%% of parse only\n", 100 * rate / parse }'
done
