#!/usr/bin/env bash
# Runs every benchmark and writes results.json, results.md, results.csv and trigger_overhead.png
# into the build folder's bench/ directory. Usage: bench/run.sh BUILD_DIR [extra benchmark flags]
# CDC_BENCH_REPETITIONS (default 5) and CDC_BENCH_CHANGES (backlog and table size, default 1000000)
# trade precision for time.
set -euo pipefail
build="$1"
shift
out="$build/bench"
"$out/cdc_bench" --benchmark_repetitions="${CDC_BENCH_REPETITIONS:-5}" \
  --benchmark_out="$out/results.json" --benchmark_out_format=json "$@"
"$out/cdc_bench_report" "$out/results.json" "$out" > /dev/null
gnuplot <<GNUPLOT
set terminal png size 1000,620 noenhanced
set output "$out/trigger_overhead.png"
set title "Write overhead of change capture by table width (median, $(date -u +%F), $(nproc) cores)"
set xlabel "columns"
set ylabel "overhead over a write without triggers (%)"
set logscale xy
set key top left
set grid
plot for [i=2:7] "$out/trigger_overhead.dat" using 1:i with linespoints title columnhead(i)
GNUPLOT
echo "results: $out/results.md, $out/results.csv, $out/trigger_overhead.png"
cat "$out/results.md"
