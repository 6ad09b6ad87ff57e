#!/usr/bin/env bash
# Speed benchmark, 1,000,000 x 10 "transactions" (../shared/bench/peers): Vigil vs.
# sklearn IsolationForest and PyOD ECOD / COPOD / HBOS, fit + score on the same rows,
# with all cores (nproc) and with 1 thread.
#
#   1. writes bench/out/tx_1m.csv once (peer_detectors.py --write-only; bench/out is git-ignored)
#   2. REPEAT times, alternating the two sides for each thread setting T:
#      peers: peer_detectors.py --csv ... --detectors iforest,ecod,copod,hbos --threads T
#      -> one JSON line per (repeat, T) in $PEERS_OUT
#      Vigil: vigil evaluate --data ... --label label --backend B --seed 0 --json --threads T
#      -> one JSON line per (repeat, B, T) in $VIGIL_OUT, as {"rep", "threads", "backend", "result"}
#   3. bench/speed_table.py joins both into a Markdown table
#      (detector | threads | peer fit+score s | Vigil fit+score s | speed-up | ROC AUC both)
#
# Usage, from the repository root:
#   swift build -c release
#   bench/speed.sh            # all steps
#   bench/speed.sh peers      # only the peer runs (~1-2 min per thread setting and repeat)
#   bench/speed.sh vigil      # only the Vigil runs, then the table (reuses the saved peer results)
#   bench/speed.sh table      # only the table
# Environment: VIGIL (default .build/release/vigil), PY (default python3: a Python with the peers installed), PEERS_DIR (default ../shared/bench/peers), CSV (default
# bench/out/tx_1m.csv), THREADS (default "$(nproc) 1"), PEERS_OUT (default
# bench/results/peers_speed_1m.jsonl), VIGIL_OUT (default bench/results/vigil_speed_1m.jsonl),
# MD_OUT (optional: also write the table there), TIMEOUT_S (per peer run, default 600),
# REPEAT (interleaved repeats, default 3).
# Run it on an otherwise idle machine: the timings are wall-clock.
set -euo pipefail

cd "$(dirname "$0")/.."
mode="${1:-all}"
case "$mode" in all|peers|vigil|table) ;; *) echo "usage: $0 [all|peers|vigil|table]" >&2; exit 2 ;; esac

VIGIL="${VIGIL:-.build/release/vigil}"
if [ -z "${PY:-}" ]; then
  PY=python3
fi
PEERS_DIR="${PEERS_DIR:-../shared/bench/peers}"
CSV="${CSV:-bench/out/tx_1m.csv}"
NPROC="$(nproc)"
THREADS="${THREADS:-$NPROC 1}"
[ "$NPROC" = 1 ] && [ "$THREADS" = "1 1" ] && THREADS=1
PEERS_OUT="${PEERS_OUT:-bench/results/peers_speed_1m.jsonl}"
VIGIL_OUT="${VIGIL_OUT:-bench/results/vigil_speed_1m.jsonl}"
TIMEOUT_S="${TIMEOUT_S:-600}"
REPEAT="${REPEAT:-3}"
DETECTORS="iforest ecod copod hbos"

echo "# nproc=$NPROC threads=[$THREADS] csv=$CSV" >&2

if [ "$mode" != table ] && [ ! -s "$CSV" ]; then
  mkdir -p "$(dirname "$CSV")"
  echo "# writing $CSV" >&2
  "$PY" "$PEERS_DIR/peer_detectors.py" --rows 1000000 --cols 10 --seed 0 --out-csv "$CSV" --write-only >&2
fi

run_peers() {  # $1 threads, $2 repeat number
  "$PY" "$PEERS_DIR/peer_detectors.py" --csv "$CSV" --seed 0 \
    --detectors "$(echo $DETECTORS | tr ' ' ,)" --threads "$1" --timeout-s "$TIMEOUT_S" \
    | grep '^{' | sed "s/^{/{\"rep\": $2, /" >> "$PEERS_OUT"
}

run_vigil() {  # $1 threads, $2 repeat number
  [ -x "$VIGIL" ] || { echo "no vigil binary at $VIGIL (swift build -c release, or set VIGIL)" >&2; exit 1; }
  for d in $DETECTORS; do
    b="$d"; [ "$d" = iforest ] && b=isolation_forest
    line="$("$VIGIL" evaluate --data "$CSV" --label label --backend "$b" --seed 0 --json --threads "$1" \
            | grep '^{' | tail -n 1 || true)"
    [ -n "$line" ] || line='{"error": "no JSON output"}'
    printf '{"rep": %d, "threads": %d, "backend": "%s", "result": %s}\n' "$2" "$1" "$b" "$line" >> "$VIGIL_OUT"
  done
}

# Repeats interleave the two sides (peer, Vigil, peer, Vigil, ...) so that drift in the machine's
# speed hits both alike; the table takes medians and the median of the per-repeat ratios.
if [ "$mode" != table ]; then
  mkdir -p "$(dirname "$PEERS_OUT")" "$(dirname "$VIGIL_OUT")"
  [ "$mode" = vigil ] || : > "$PEERS_OUT"
  [ "$mode" = peers ] || : > "$VIGIL_OUT"
  for rep in $(seq 1 "$REPEAT"); do
    for t in $THREADS; do
      if [ "$mode" != vigil ]; then echo "# repeat $rep: peers, threads=$t" >&2; run_peers "$t" "$rep"; fi
      if [ "$mode" != peers ]; then echo "# repeat $rep: vigil, threads=$t" >&2; run_vigil "$t" "$rep"; fi
    done
  done
fi

args=(--peers "$PEERS_OUT")
[ -s "$VIGIL_OUT" ] && args+=(--vigil "$VIGIL_OUT")
[ -n "${MD_OUT:-}" ] && args+=(--markdown-out "$MD_OUT")
"$PY" bench/speed_table.py "${args[@]}"
