#!/usr/bin/env bash
# perf.sh - reproduce the TUI rows of the README's Performance table in one run.
#
#   .ci/perf.sh [BOOK]        BOOK defaults to $SHORTLIST_BENCH_DB, else /work/bench/b100k.db
#
# The book is copied to a temporary directory first (the original is only read; allow
# 2x its size in $TMPDIR). It builds the binary, drives it in tmux beside `less` on the
# same rows, runs the key-press benchmark, browses a morning's worth for memory, syncs the
# demo book and counts an idle screen's wake-ups, then prints a markdown table.
# Knobs: SHORTLIST_PERF_RUNS (runs a figure, default 7), SHORTLIST_PERF_IDLE (default 60s),
# SHORTLIST_PERF_ONLY (a subset: first,key,jk,search,memory,sync,idle).
# The binary's clock is pinned (SHORTLIST_NOW) at the first weekday 10:30 in New York after the
# book was written, so the figures do not move with the hour they are taken at.
# About 6 minutes on 2 cores. Machines are noisy: run it twice and read medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
book=${1:-${SHORTLIST_BENCH_DB:-/work/bench/b100k.db}}
[ -f "$book" ] || { echo "perf.sh: no book at $book: pass one (shortlist demo --accounts 100000 --db PATH makes one)" >&2; exit 2; }
command -v tmux >/dev/null || { echo "perf.sh: tmux is needed (apt-get install -y tmux)" >&2; exit 2; }
command -v less >/dev/null || { echo "perf.sh: less is needed, as the j/k floor" >&2; exit 2; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
SHORTLIST_BENCH_DB=$(realpath "$book") go test -tags perf -count=1 -run '^TestPerf$' -v -timeout 40m ./ui |
  tee /dev/stderr | sed -n '/^| TUI/,/^$/p'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
